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
import { fieldErrorsFrom, type FieldErrors } from '../settings/field-errors';
import { ArchiveTargetSection } from '../settings/sections/ArchiveTargetSection';
import { GenesysSection } from '../settings/sections/GenesysSection';
import { RetentionSection } from '../settings/sections/RetentionSection';
import { SigningKeySection } from '../settings/sections/SigningKeySection';
import '../settings/settings.css';
import './setup.css';

const STEPS = ['Genesys Cloud', 'Archive location', 'Retention policy', 'Signing key', 'Connect'] as const;

/** Which step holds a field, so a refusal at the end can send the officer back to it. */
function stepOfField(field: string): number {
  if (field.startsWith('genesys.')) return 0;
  if (field === 'archive.target' || field.startsWith('archive.s3')) return 1;
  if (field === 'archive.signingKeyFingerprint') return 3;
  return 2;
}

export function SetupPage({
  bridge,
  transport,
  onConnected,
}: {
  bridge: Bridge;
  transport: 'electron' | 'dev-web';
  onConnected?: () => void;
}) {
  const [draft, setDraft] = useState<Settings | null>(null);
  const [step, setStep] = useState(0);
  const [genesysOk, setGenesysOk] = useState(false);
  const [storage, setStorage] = useState<StorageCheck | null>(null);
  const [recorded, setRecorded] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [connected, setConnected] = useState<string[] | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    void bridge.settingsGet({}).then((r) => {
      if (r.ok) setDraft(r.value.settings);
    });
  }, [bridge]);

  if (!draft) return <p aria-busy="true">Loading…</p>;

  const update = <K extends 'genesys' | 'archive' | 'schedule' | 'ui' | 'desktop'>(
    section: K,
    patch: Partial<Settings[K]>,
  ) => setDraft((d) => (d ? { ...d, [section]: { ...d[section], ...patch } } : d));
  const sectionProps = { settings: draft, update, errors };

  const canContinue =
    step === 0
      ? genesysOk
      : step === 1
        ? storage?.ok === true
        : step === 3
          ? Boolean(draft.archive.signingKeyFingerprint) && recorded
          : true;
  const blocker =
    step === 0
      ? 'Test the connection (or sign in as yourself) first: it must log in and have audits:audit:view.'
      : step === 1
        ? 'Check the bucket or folder first: it must be able to hold the archive.'
        : step === 3
          ? 'Create or import the signing key, and confirm you have recorded its fingerprint.'
          : '';

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
    if (first) setStep(stepOfField(first));
  }

  return (
    <div className="setup settings">
      <p className="hint setup-intro">
        Connect a real Genesys Cloud organisation and a WORM archive. Each step checks what you entered before the next;
        nothing is saved until the last step, and the demo archive stays as it is.
      </p>
      <ol className="setup-steps" aria-label="Setup steps">
        {STEPS.map((name, i) => (
          <li key={name} aria-current={i === step ? 'step' : undefined} className={i < step ? 'step-done' : ''}>
            <span className="step-number">{i + 1}</span> {name}
          </li>
        ))}
      </ol>

      {step === 0 && (
        <GenesysSection
          {...sectionProps}
          bridge={bridge}
          transport={transport}
          advanced={false}
          onChecked={setGenesysOk}
        />
      )}
      {step === 1 && <ArchiveTargetSection {...sectionProps} bridge={bridge} onChecked={setStorage} />}
      {step === 2 && <RetentionSection {...sectionProps} savedLockMode="COMPLIANCE" advanced={false} />}
      {step === 3 && (
        <SigningKeySection
          {...sectionProps}
          bridge={bridge}
          recordedConfirmation={{ checked: recorded, onChange: setRecorded }}
        />
      )}
      {step === 4 && (
        <fieldset>
          <legend>Connect</legend>
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
          <p className="hint">
            Athena (for discovery queries over an S3 archive) is optional and can be set up later. Connecting turns the
            demo organisation off; the daily job then archives this organisation at {draft.schedule.time}.
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
                <a href="#/calendar">Open the calendar</a> and use &ldquo;Catch up now&rdquo; to archive every day
                Genesys still holds.
              </p>
            </div>
          ) : (
            <button type="button" className="primary" disabled={saving} onClick={() => void connect()}>
              {saving ? 'Connecting…' : 'Connect and start archiving'}
            </button>
          )}
        </fieldset>
      )}

      {refusal && (
        <div className="banner banner-error" role="alert">
          <p className="banner-title">Not connected. Correct the fields marked in red.</p>
          <p className="detail">{refusal}</p>
        </div>
      )}
      <div className="setup-nav">
        <button type="button" disabled={step === 0} onClick={() => setStep((s) => Math.max(0, s - 1))}>
          Back
        </button>
        {step < STEPS.length - 1 && (
          <button type="button" className="primary" disabled={!canContinue} onClick={() => setStep((s) => s + 1)}>
            Next
          </button>
        )}
        {!canContinue && blocker && <p className="hint setup-blocker">{blocker}</p>}
      </div>
    </div>
  );
}
