/**
 * Settings: every field the engine reads, grouped as setup groups them, with the same live checks
 * (Test connection, Sign in as myself, Check bucket, the signing key). Saved through the contract;
 * a refusal marks each bad field from the structured issues it carries. Secrets are write-only:
 * they go to the OS keychain through their own channels and the page only learns whether one is stored.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { Bridge } from '../../shared/ipc/bridge';
import type { LockMode } from '../../shared/manifest';
import type { Settings } from '../../shared/settings';
import { fieldErrorsFrom, type FieldErrors } from './field-errors';
import { Field, NumberInput } from './form-parts';
import { ArchiveTargetSection } from './sections/ArchiveTargetSection';
import { GenesysSection } from './sections/GenesysSection';
import { RetentionSection } from './sections/RetentionSection';
import { ScheduleSection } from './sections/ScheduleSection';
import { SigningKeySection } from './sections/SigningKeySection';
import './settings.css';

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'refused'; message: string };

export function SettingsPage({
  bridge,
  transport,
  onSaved,
}: {
  bridge: Bridge;
  transport: 'electron' | 'dev-web';
  onSaved?: () => void;
}) {
  const [settings, setSettings] = useState<Settings | null>(null);
  /** The lock mode as last loaded or saved: switching from GOVERNANCE to COMPLIANCE needs a confirmation. */
  const [savedLockMode, setSavedLockMode] = useState<LockMode>('COMPLIANCE');
  const [warnings, setWarnings] = useState<string[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    let live = true;
    void bridge.settingsGet({}).then((result) => {
      if (!live) return;
      if (result.ok) {
        setSettings(result.value.settings);
        setSavedLockMode(result.value.settings.archive.lockMode);
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

  const update = <K extends 'genesys' | 'archive' | 'schedule' | 'ui' | 'desktop'>(
    section: K,
    patch: Partial<Settings[K]>,
  ) => {
    setSettings((s) => (s ? { ...s, [section]: { ...s[section], ...patch } } : s));
    setSave({ kind: 'idle' });
  };

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!settings) return;
    setSave({ kind: 'saving' });
    const result = await bridge.settingsSave({ settings });
    if (result.ok) {
      setSettings(result.value.settings);
      setSavedLockMode(result.value.settings.archive.lockMode);
      setWarnings(result.value.warnings);
      setErrors({});
      setSave({ kind: 'saved' });
      onSaved?.();
    } else {
      setErrors(fieldErrorsFrom(result.error.issues, ['settings']));
      setSave({ kind: 'refused', message: result.error.message });
    }
  }

  const sectionProps = { settings, update, errors };
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
        <legend>Organisation</legend>
        <Field
          label="Use the demo organisation"
          error={errors['demo']}
          hint="The built-in simulator and its own demo archive. Saving a client ID turns it off."
          inline
        >
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
        <p className="hint section-intro">
          New here? <a href="#/setup">Connect your organisation</a> step by step, with a check at each step.
        </p>
      </fieldset>

      <GenesysSection {...sectionProps} bridge={bridge} transport={transport} />
      <ArchiveTargetSection {...sectionProps} bridge={bridge} />
      <RetentionSection {...sectionProps} savedLockMode={savedLockMode} onConfirming={setConfirming} />
      <SigningKeySection {...sectionProps} bridge={bridge} />
      <ScheduleSection {...sectionProps} bridge={bridge} />

      <fieldset>
        <legend>Display</legend>
        <Field label="Years in the calendar" error={errors['ui.calendarYears']} hint="1 to 10.">
          {(id) => (
            <NumberInput
              id={id}
              value={settings.ui.calendarYears}
              onChange={(n) => update('ui', { calendarYears: n })}
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
        <button type="submit" className="primary" disabled={save.kind === 'saving' || confirming}>
          {save.kind === 'saving' ? 'Saving…' : 'Save settings'}
        </button>
        <p className="save-status" role="status" aria-live="polite">
          {save.kind === 'saved' && 'Settings saved.'}
        </p>
      </div>
    </form>
  );
}
