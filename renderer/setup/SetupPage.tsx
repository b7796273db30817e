/**
 * "Connect your organisation": setup in five steps, each with a live check before the next. Genesys
 * (Test connection proves login and audits:audit:view, or "Sign in as myself"), the archive target
 * (Check bucket: Object Lock, mode, default retention, versioning; Create bucket for a new one), the
 * retention policy, the signing key (fingerprint shown to record), then one save that leaves demo
 * mode. Nothing is saved before the last step; secrets go to the keychain as they are entered.
 */
import { useEffect, useState } from 'react';
import { formatFingerprint } from '../../shared/archive-root';
import type { Bridge } from '../../shared/ipc/bridge';
import type { Settings } from '../../shared/settings';
import type { StorageCheck } from '../../shared/setup-checks';
import { officerSummary } from '../app/officer-words';
import { fieldErrorsFrom, type FieldErrors } from '../settings/field-errors';
import type { SectionProps } from '../settings/form-parts';
import { ArchiveTargetSection } from '../settings/sections/ArchiveTargetSection';
import { GenesysSection } from '../settings/sections/GenesysSection';
import { RetentionSection } from '../settings/sections/RetentionSection';
import { SigningKeySection } from '../settings/sections/SigningKeySection';
import { patchSection } from '../settings/settings-draft';
import { STEPS, stepGate, stepOfField } from './setup-steps';
import '../settings/settings.css';
import './setup.css';

type Transport = 'electron' | 'dev-web';

export function SetupPage({
  bridge,
  transport,
  onConnected,
}: {
  bridge: Bridge;
  transport: Transport;
  onConnected?: () => void;
}) {
  const [step, setStep] = useState(0);
  const [genesysOk, setGenesysOk] = useState(false);
  const [storage, setStorage] = useState<StorageCheck | null>(null);
  const [copyReady, setCopyReady] = useState<boolean | null>(null);
  const [recorded, setRecorded] = useState(false);
  const setup = useSetupDraft(bridge, onConnected, setStep);
  const { draft } = setup;

  if (!draft) return <p aria-busy="true">Loading…</p>;

  const sectionProps: SectionProps = { settings: draft, update: setup.update, errors: setup.errors };
  const gate = stepGate(step, {
    genesysOk,
    storageOk: storage?.ok === true,
    keyFingerprint: draft.archive.signingKeyFingerprint,
    recorded,
    copyOk: !draft.archive.copy.target || copyReady === true,
  });

  return (
    <div className="setup settings">
      <p className="hint setup-intro">
        Connect a real Genesys Cloud organisation and a WORM archive. Each step checks what you entered before the next;
        nothing is saved until the last step, and the demo archive stays as it is.
      </p>
      <StepList step={step} />
      {step === 0 && (
        <GenesysSection
          {...sectionProps}
          bridge={bridge}
          transport={transport}
          advanced={false}
          onChecked={setGenesysOk}
        />
      )}
      {step === 1 && (
        <ArchiveTargetSection {...sectionProps} bridge={bridge} onChecked={setStorage} onCopyChecked={setCopyReady} />
      )}
      {step === 2 && <RetentionSection {...sectionProps} savedLockMode="COMPLIANCE" advanced={false} />}
      {step === 3 && (
        <SigningKeySection
          {...sectionProps}
          bridge={bridge}
          recordedConfirmation={{ checked: recorded, onChange: setRecorded }}
        />
      )}
      {step === 4 && (
        <ConnectStep
          draft={draft}
          storage={storage}
          connected={setup.connected}
          saving={setup.saving}
          onConnect={() => void setup.connect()}
        />
      )}
      {setup.refusal && (
        <div className="banner banner-error" role="alert">
          <p className="banner-title">Not connected. Correct the fields marked with ✗ and try again.</p>
          <p className="detail">{officerSummary(setup.refusal)}</p>
        </div>
      )}
      <SetupNav step={step} gate={gate} onStep={setStep} />
    </div>
  );
}

/**
 * The settings the steps fill in (loaded once, saved only by "Connect"); a refusal marks each field
 * it names and goes back to the step that holds the first.
 */
function useSetupDraft(bridge: Bridge, onConnected: (() => void) | undefined, goToStep: (step: number) => void) {
  const [draft, setDraft] = useState<Settings | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [connected, setConnected] = useState<string[] | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    void bridge.settingsGet({}).then((r) => {
      if (r.ok) setDraft(r.value.settings);
    });
  }, [bridge]);

  const update: SectionProps['update'] = (section, patch) => setDraft((d) => (d ? patchSection(d, section, patch) : d));

  async function connect() {
    if (!draft) return;
    setSaving(true);
    setRefusal(null);
    const r = await bridge.settingsSave({ settings: { ...draft, demo: false } });
    setSaving(false);
    if (r.ok) {
      setConnected(r.value.warnings);
      onConnected?.();
      return;
    }
    const fieldErrors = fieldErrorsFrom(r.error.issues, ['settings']);
    setErrors(fieldErrors);
    setRefusal(r.error.message);
    const first = Object.keys(fieldErrors)[0];
    if (first) goToStep(stepOfField(first));
  }

  return { draft, update, errors, refusal, connected, saving, connect };
}

function StepList({ step }: { step: number }) {
  return (
    <ol className="setup-steps" aria-label="Setup steps">
      {STEPS.map((name, i) => (
        <li key={name} aria-current={i === step ? 'step' : undefined} className={i < step ? 'step-done' : ''}>
          <span className="step-number">{i + 1}</span> {name}
        </li>
      ))}
    </ol>
  );
}

function SetupNav({
  step,
  gate,
  onStep,
}: {
  step: number;
  gate: { canContinue: boolean; blocker: string };
  onStep: (step: number) => void;
}) {
  return (
    <div className="setup-nav">
      <button type="button" disabled={step === 0} onClick={() => onStep(Math.max(0, step - 1))}>
        Back
      </button>
      {step < STEPS.length - 1 && (
        <button type="button" className="primary" disabled={!gate.canContinue} onClick={() => onStep(step + 1)}>
          Next
        </button>
      )}
      {!gate.canContinue && gate.blocker && <p className="hint setup-blocker">{gate.blocker}</p>}
    </div>
  );
}

/** The last step: what will be saved, then "Connect and start archiving", then what to do next. */
function ConnectStep({
  draft,
  storage,
  connected,
  saving,
  onConnect,
}: {
  draft: Settings;
  storage: StorageCheck | null;
  /** The warnings of the save that connected, once it did. */
  connected: string[] | null;
  saving: boolean;
  onConnect: () => void;
}) {
  return (
    <fieldset>
      <legend>Connect</legend>
      <SetupReview draft={draft} storage={storage} />
      <p className="hint">
        Athena (for discovery queries over an S3 archive) is optional and can be set up later. Connecting turns the demo
        organisation off; the daily job then archives this organisation at {draft.schedule.time}.
      </p>
      {connected ? (
        <div className="check-outcome check-ok" role="status">
          <p className="check-title">Connected. The app now archives your organisation.</p>
          {connected.length > 0 && (
            <ul className="plain">
              {connected.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
          <p>
            <a href="#/calendar">Open the calendar</a> and use &ldquo;Catch up now&rdquo; to archive every day Genesys
            still holds.
          </p>
        </div>
      ) : (
        <button type="button" className="primary" disabled={saving} onClick={onConnect}>
          {saving ? 'Connecting…' : 'Connect and start archiving'}
        </button>
      )}
    </fieldset>
  );
}

function SetupReview({ draft, storage }: { draft: Settings; storage: StorageCheck | null }) {
  return (
    <dl className="facts setup-review" aria-label="What will be saved">
      <dt>Genesys</dt>
      <dd>
        {draft.genesys.region}, client {draft.genesys.clientId}
        {draft.genesys.authMode === 'pkce' ? ' (signed in as yourself)' : ' (client credentials)'}
      </dd>
      <dt>Archive</dt>
      <dd>
        {storage?.target ?? draft.archive.target}
        {storage && !storage.worm ? ' (a local folder: not WORM)' : ''}
      </dd>
      <dt>Retention</dt>
      <dd>
        {draft.archive.lockMode}, {draft.archive.retentionDays} days
        {draft.archive.policyStartDate ? `, required from ${draft.archive.policyStartDate}` : ''}
      </dd>
      <dt>Signing key</dt>
      <dd>
        <code>
          {draft.archive.signingKeyFingerprint ? formatFingerprint(draft.archive.signingKeyFingerprint) : 'none'}
        </code>
      </dd>
    </dl>
  );
}
