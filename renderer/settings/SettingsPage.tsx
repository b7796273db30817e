/**
 * Settings, read and saved through the contract. The client secret is write-only: it goes to the
 * OS keychain through its own channel and the page only ever learns whether one is stored.
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { GENESYS_HOSTS } from '../../shared/genesys-regions';
import type { Bridge } from '../../shared/ipc/bridge';
import type { LockMode } from '../../shared/manifest';
import type { Settings } from '../../shared/settings';
import { fieldErrorsFromMessage, type FieldErrors } from './field-errors';

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'refused'; message: string };

export function SettingsPage({ bridge, onSaved }: { bridge: Bridge; onSaved?: () => void }) {
  const [settings, setSettings] = useState<Settings | null>(null);
  /** The lock mode as last loaded or saved: switching from GOVERNANCE to COMPLIANCE needs a confirmation. */
  const [savedLockMode, setSavedLockMode] = useState<LockMode>('COMPLIANCE');
  /** The client id as last loaded or saved: the secret is stored under that one. */
  const [savedClientId, setSavedClientId] = useState('');
  const [pendingCompliance, setPendingCompliance] = useState(false);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [errors, setErrors] = useState<FieldErrors>({});

  useEffect(() => {
    let live = true;
    void bridge.settingsGet({}).then((result) => {
      if (!live) return;
      if (result.ok) {
        setSettings(result.value.settings);
        setSavedLockMode(result.value.settings.archive.lockMode);
        setSavedClientId(result.value.settings.genesys.clientId);
        setWarnings(result.value.warnings);
      } else {
        setLoadError(result.error.message);
      }
    });
    return () => {
      live = false;
    };
  }, [bridge]);

  if (loadError) {
    return (
      <p className="banner banner-error" role="alert">
        Settings could not be loaded: {loadError}
      </p>
    );
  }
  if (!settings) return <p aria-busy="true">Loading settings…</p>;

  function update<K extends keyof Settings>(section: K, patch: Partial<Settings[K]>) {
    setSettings((s) => (s ? { ...s, [section]: { ...(s[section] as object), ...patch } } : s));
    setSave({ kind: 'idle' });
  }

  function chooseLockMode(mode: LockMode) {
    if (mode === 'COMPLIANCE' && savedLockMode === 'GOVERNANCE') {
      setPendingCompliance(true);
      return;
    }
    setPendingCompliance(false);
    update('archive', { lockMode: mode });
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!settings) return;
    setSave({ kind: 'saving' });
    const result = await bridge.settingsSave({ settings });
    if (result.ok) {
      setSettings(result.value.settings);
      setSavedLockMode(result.value.settings.archive.lockMode);
      setSavedClientId(result.value.settings.genesys.clientId);
      setWarnings(result.value.warnings);
      setErrors({});
      setSave({ kind: 'saved' });
      onSaved?.();
    } else {
      setErrors(fieldErrorsFromMessage(result.error.message));
      setSave({ kind: 'refused', message: result.error.message });
    }
  }

  const { genesys, archive, schedule } = settings;
  const years = archive.retentionDays / 365.25;

  return (
    <form className="settings" onSubmit={onSubmit} noValidate>
      {warnings.length > 0 && (
        <div className="banner banner-warning" role="status">
          <ul className="plain">
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}

      <fieldset>
        <legend>Genesys Cloud</legend>
        <Field label="Use the demo organisation" error={errors['demo']} inline>
          {(id) => (
            <input
              id={id}
              type="checkbox"
              checked={settings.demo}
              onChange={(e) => {
                setSettings({ ...settings, demo: e.target.checked });
                setSave({ kind: 'idle' });
              }}
            />
          )}
        </Field>
        <Field label="Region" error={errors['genesys.region']} hint="The region where your OAuth client was created.">
          {(id) => (
            <select
              id={id}
              value={genesys.region}
              onChange={(e) => update('genesys', { region: e.target.value as Settings['genesys']['region'] })}
            >
              {GENESYS_HOSTS.map((host) => (
                <option key={host} value={host}>
                  {host}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Sign-in method" error={errors['genesys.authMode']}>
          {(id) => (
            <select
              id={id}
              value={genesys.authMode}
              onChange={(e) => update('genesys', { authMode: e.target.value as Settings['genesys']['authMode'] })}
            >
              <option value="client-credentials">OAuth client credentials (unattended)</option>
              <option value="pkce">Sign in as myself (authorization code + PKCE)</option>
            </select>
          )}
        </Field>
        <Field label="OAuth client ID" error={errors['genesys.clientId']}>
          {(id) => (
            <input
              id={id}
              type="text"
              autoComplete="off"
              spellCheck={false}
              value={genesys.clientId}
              onChange={(e) => update('genesys', { clientId: e.target.value })}
            />
          )}
        </Field>
        <ClientSecret
          bridge={bridge}
          savedClientId={savedClientId}
          unsavedClientId={genesys.clientId !== savedClientId}
        />
        <Field
          label="Query one service at a time"
          error={errors['genesys.perServiceQueries']}
          hint="For organisations that still require a service name on every audit query."
          inline
        >
          {(id) => (
            <input
              id={id}
              type="checkbox"
              checked={genesys.perServiceQueries}
              onChange={(e) => update('genesys', { perServiceQueries: e.target.checked })}
            />
          )}
        </Field>
        <Field
          label="Requests per minute"
          error={errors['genesys.requestsPerMinute']}
          hint="Shared by everything that calls Genesys; client-credentials tokens allow 300."
        >
          {(id) => (
            <NumberInput
              id={id}
              value={genesys.requestsPerMinute}
              onChange={(n) => update('genesys', { requestsPerMinute: n })}
            />
          )}
        </Field>
      </fieldset>

      <fieldset>
        <legend>Archive</legend>
        <Field
          label="Archive location"
          error={errors['archive.target']}
          hint="s3://bucket/prefix, azure://account/container/prefix or file:///folder. Empty: a local folder in the app's data directory."
        >
          {(id) => (
            <input
              id={id}
              type="text"
              spellCheck={false}
              placeholder="s3://my-audit-archive/genesys"
              value={archive.target}
              onChange={(e) => update('archive', { target: e.target.value.trim() })}
            />
          )}
        </Field>
        <Field label="Object Lock mode" error={errors['archive.lockMode']}>
          {(id) => (
            <select
              id={id}
              value={pendingCompliance ? 'GOVERNANCE' : archive.lockMode}
              onChange={(e) => chooseLockMode(e.target.value as LockMode)}
            >
              <option value="COMPLIANCE">COMPLIANCE (required for SEC 17a-4)</option>
              <option value="GOVERNANCE">GOVERNANCE (trials only)</option>
            </select>
          )}
        </Field>
        {archive.lockMode === 'GOVERNANCE' && !pendingCompliance && (
          <p className="banner banner-warning" role="status">
            GOVERNANCE lets anyone with the bypass permission delete or shorten the retention of archived objects. It
            does not meet SEC 17a-4(f) or FINRA 4511; use it for trials only.
          </p>
        )}
        {pendingCompliance && (
          <div className="confirm" role="alertdialog" aria-labelledby="confirm-compliance-title">
            <p id="confirm-compliance-title">
              <strong>Switch to COMPLIANCE?</strong> Objects written in COMPLIANCE mode cannot be deleted or have their
              retention shortened by anyone, including the account root, until {archive.retentionDays} days have passed.
              This cannot be undone.
            </p>
            <div className="actions">
              <button
                type="button"
                className="danger"
                onClick={() => {
                  setPendingCompliance(false);
                  update('archive', { lockMode: 'COMPLIANCE' });
                }}
              >
                Switch to COMPLIANCE
              </button>
              <button type="button" onClick={() => setPendingCompliance(false)}>
                Keep GOVERNANCE
              </button>
            </div>
          </div>
        )}
        <Field
          label="Retention (days)"
          error={errors['archive.retentionDays']}
          hint={`About ${years.toFixed(1)} years. FINRA 4511 asks six years where no other period applies; 7 years (2557 days) is common.`}
        >
          {(id) => (
            <NumberInput
              id={id}
              value={archive.retentionDays}
              onChange={(n) => update('archive', { retentionDays: n })}
            />
          )}
        </Field>
        <Field
          label="Settlement margin (minutes)"
          error={errors['archive.settlementMinutes']}
          hint="How long after a UTC day ends before it is exported, so late-indexed events are included."
        >
          {(id) => (
            <NumberInput
              id={id}
              value={archive.settlementMinutes}
              onChange={(n) => update('archive', { settlementMinutes: n })}
            />
          )}
        </Field>
        <Field
          label="Policy start date"
          error={errors['archive.policyStartDate']}
          hint="Days before this are shown as not required in the calendar."
        >
          {(id) => (
            <input
              id={id}
              type="date"
              value={archive.policyStartDate ?? ''}
              onChange={(e) => update('archive', { policyStartDate: e.target.value || undefined })}
            />
          )}
        </Field>
      </fieldset>

      <fieldset>
        <legend>Schedule</legend>
        <Field label="Run the daily export" error={errors['schedule.enabled']} inline>
          {(id) => (
            <input
              id={id}
              type="checkbox"
              checked={schedule.enabled}
              onChange={(e) => update('schedule', { enabled: e.target.checked })}
            />
          )}
        </Field>
        <Field
          label="Daily run time"
          error={errors['schedule.time']}
          hint="Local time; exports the previous UTC day once it has settled."
        >
          {(id) => (
            <input
              id={id}
              type="time"
              value={schedule.time}
              onChange={(e) => update('schedule', { time: e.target.value })}
            />
          )}
        </Field>
      </fieldset>

      {save.kind === 'refused' && (
        <div className="banner banner-error" role="alert">
          <p className="banner-title">Settings were not saved. Correct the fields marked in red and save again.</p>
          <p className="detail">{save.message}</p>
        </div>
      )}
      <div className="save-bar">
        <button type="submit" className="primary" disabled={save.kind === 'saving' || pendingCompliance}>
          {save.kind === 'saving' ? 'Saving…' : 'Save settings'}
        </button>
        <p className="save-status" role="status" aria-live="polite">
          {save.kind === 'saved' && 'Settings saved.'}
        </p>
      </div>
    </form>
  );
}

/** A labelled form row: label, control, hint and the field's error (announced to screen readers). */
function Field({
  label,
  hint,
  error,
  inline,
  children,
}: {
  label: string;
  hint?: string;
  error?: string | undefined;
  inline?: boolean;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <div className={`field${inline ? ' field-inline' : ''}${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && <p className="hint">{hint}</p>}
      {error && (
        <p className="field-error" role="alert">
          {label}: {error}
        </p>
      )}
    </div>
  );
}

/** A number field; an empty or unparsable entry is sent as is and refused by the engine, naming the field. */
function NumberInput({ id, value, onChange }: { id: string; value: number; onChange: (n: number) => void }) {
  const [text, setText] = useState(String(value));
  // Follow a value that changed elsewhere (load, save), but keep what the user is typing.
  useEffect(() => {
    setText((current) => (Number.isNaN(value) || Number(current) === value ? current : String(value)));
  }, [value]);
  return (
    <input
      id={id}
      type="text"
      inputMode="numeric"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(e.target.value.trim() === '' ? Number.NaN : Number(e.target.value));
      }}
    />
  );
}

/** The write-only client secret: stored in the OS keychain, never read back. */
function ClientSecret({
  bridge,
  savedClientId,
  unsavedClientId,
}: {
  bridge: Bridge;
  savedClientId: string;
  unsavedClientId: boolean;
}) {
  const id = useId();
  const [secret, setSecret] = useState('');
  const [stored, setStored] = useState<boolean | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  useEffect(() => {
    let live = true;
    void bridge.secretsStatus({}).then((r) => {
      if (!live) return;
      if (r.ok) setStored(r.value.genesysClientSecret);
      else setMessage({ kind: 'error', text: r.error.message });
    });
    return () => {
      live = false;
    };
  }, [bridge, savedClientId]);

  async function store() {
    const r = await bridge.secretsSetGenesysClientSecret({ secret });
    if (r.ok) {
      setSecret('');
      setStored(true);
      setMessage({ kind: 'ok', text: 'Stored in the OS keychain.' });
    } else {
      setMessage({ kind: 'error', text: r.error.message });
    }
  }

  async function clear() {
    const r = await bridge.secretsClearGenesysClientSecret({});
    if (r.ok) {
      setStored(false);
      setMessage({ kind: 'ok', text: r.value.cleared ? 'Removed from the OS keychain.' : 'No secret was stored.' });
    } else {
      setMessage({ kind: 'error', text: r.error.message });
    }
  }

  return (
    <div className="field">
      <label htmlFor={id}>Client secret</label>
      <div className="row">
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          placeholder={stored ? '•••••••• (stored; type to replace)' : ''}
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
        <button type="button" onClick={() => void store()} disabled={secret.length === 0 || unsavedClientId}>
          Store in keychain
        </button>
        {stored && (
          <button type="button" onClick={() => void clear()}>
            Remove
          </button>
        )}
      </div>
      <p className="hint">
        {unsavedClientId ? 'Save the new client ID first; its secret is then stored under it. ' : ''}
        {stored === null
          ? 'Checking the OS keychain…'
          : stored
            ? 'A client secret for this client ID is stored in the OS keychain. It is never shown again.'
            : 'No client secret stored for this client ID. It is kept in the OS keychain, never in the settings file.'}
      </p>
      {message && (
        <p
          className={message.kind === 'ok' ? 'field-ok' : 'field-error'}
          role={message.kind === 'ok' ? 'status' : 'alert'}
        >
          {message.text}
        </p>
      )}
    </div>
  );
}
