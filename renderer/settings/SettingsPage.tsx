/**
 * Settings: every field the engine reads, grouped as setup groups them, with the same live checks
 * (Test connection, Sign in as myself, Check bucket, the signing key). Saved through the contract;
 * a refusal marks each bad field from the structured issues it carries. Secrets are write-only:
 * they go to the OS keychain through their own channels and the page only learns whether one is stored.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Bridge } from '../../shared/ipc/bridge';
import type { LockMode } from '../../shared/manifest';
import type { Settings } from '../../shared/settings';
import { officerSummary } from '../app/officer-words';
import { useLeaveGuard } from '../app/leave-guard';
import { fieldErrorsFrom, type FieldErrors } from './field-errors';
import { Field, NumberInput, type SectionProps } from './form-parts';
import { ArchiveTargetSection } from './sections/ArchiveTargetSection';
import { GenesysSection } from './sections/GenesysSection';
import { RetentionSection } from './sections/RetentionSection';
import { ScheduleSection } from './sections/ScheduleSection';
import { SigningKeySection } from './sections/SigningKeySection';
import { patchSection } from './settings-draft';
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
  const form = useSettingsForm(bridge, onSaved);
  const [confirming, setConfirming] = useState(false);
  const { settings, errors, save } = form;

  if (form.loadError) {
    return (
      <p className="banner banner-error" role="alert">
        Settings could not be loaded: {form.loadError}
      </p>
    );
  }
  if (!settings) return <p aria-busy="true">Loading settings…</p>;

  const sectionProps: SectionProps = { settings, update: form.update, errors };
  return (
    <form className="settings" onSubmit={(e) => void form.submit(e)} noValidate>
      <SettingsWarnings warnings={form.warnings} />
      <OrganisationFieldset demo={settings.demo} error={errors['demo']} onDemo={form.setDemo} />
      <GenesysSection {...sectionProps} bridge={bridge} transport={transport} />
      <ArchiveTargetSection {...sectionProps} bridge={bridge} />
      <RetentionSection {...sectionProps} savedLockMode={form.savedLockMode} onConfirming={setConfirming} />
      <SigningKeySection {...sectionProps} bridge={bridge} />
      <ScheduleSection {...sectionProps} bridge={bridge} />
      <fieldset>
        <legend>Display</legend>
        <Field label="Years in the calendar" error={errors['ui.calendarYears']} hint="1 to 10.">
          {(id) => (
            <NumberInput
              id={id}
              value={settings.ui.calendarYears}
              onChange={(n) => form.update('ui', { calendarYears: n })}
            />
          )}
        </Field>
      </fieldset>
      <SaveBar save={save} disabled={save.kind === 'saving' || confirming} fields={Object.keys(errors).length} />
    </form>
  );
}

/**
 * The settings being edited: loaded once, changed section by section, saved whole. A refusal keeps
 * the draft and marks each field it names.
 */
function useSettingsForm(bridge: Bridge, onSaved: (() => void) | undefined) {
  const [settings, setSettings] = useState<Settings | null>(null);
  /** The lock mode as last loaded or saved: switching from GOVERNANCE to COMPLIANCE needs a confirmation. */
  const [savedLockMode, setSavedLockMode] = useState<LockMode>('COMPLIANCE');
  const [warnings, setWarnings] = useState<string[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [errors, setErrors] = useState<FieldErrors>({});

  /** The settings as last loaded or saved: what leaving the page would fall back to. */
  const [saved, setSaved] = useState<Settings | null>(null);
  const loaded = (value: { settings: Settings; warnings: string[] }) => {
    setSettings(value.settings);
    setSaved(value.settings);
    setSavedLockMode(value.settings.archive.lockMode);
    setWarnings(value.warnings);
  };

  useEffect(() => {
    let live = true;
    void bridge.settingsGet({}).then((result) => {
      if (!live) return;
      if (result.ok) loaded(result.value);
      else setLoadError(result.error.message);
    });
    return () => {
      live = false;
    };
  }, [bridge]);

  const edit = (change: (s: Settings) => Settings) => {
    setSettings((s) => (s ? change(s) : s));
    setSave({ kind: 'idle' });
  };
  // A field's error goes as soon as the field changes: it described the value that was refused.
  const update: SectionProps['update'] = (section, patch) => {
    setErrors((e) =>
      withoutFields(
        e,
        Object.keys(patch).map((k) => `${section}.${k}`),
      ),
    );
    edit((s) => patchSection(s, section, patch));
  };
  const setDemo = (demo: boolean) => edit((s) => ({ ...s, demo }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!settings) return;
    setSave({ kind: 'saving' });
    const result = await bridge.settingsSave({ settings });
    if (!result.ok) {
      setErrors(fieldErrorsFrom(result.error.issues, ['settings']));
      return setSave({ kind: 'refused', message: result.error.message });
    }
    loaded(result.value);
    setErrors({});
    setSave({ kind: 'saved' });
    onSaved?.();
  }

  const unsaved = useCallback(
    () =>
      settings && saved && JSON.stringify(settings) !== JSON.stringify(saved) ? 'Settings has unsaved changes.' : null,
    [settings, saved],
  );
  useLeaveGuard(unsaved);

  return { settings, savedLockMode, warnings, loadError, save, errors, update, setDemo, submit };
}

/** `errors` without the fields named (and those under them: `archive.s3` covers `archive.s3.endpoint`). */
function withoutFields(errors: FieldErrors, fields: readonly string[]): FieldErrors {
  const left = Object.entries(errors).filter(([k]) => !fields.some((f) => k === f || k.startsWith(`${f}.`)));
  return left.length === Object.keys(errors).length ? errors : Object.fromEntries(left);
}

function SettingsWarnings({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <div className="banner banner-warning" role="status">
      <ul className="plain">
        {warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
    </div>
  );
}

function OrganisationFieldset({
  demo,
  error,
  onDemo,
}: {
  demo: boolean;
  error: string | undefined;
  onDemo: (demo: boolean) => void;
}) {
  return (
    <fieldset>
      <legend>Organisation</legend>
      <Field
        label="Use the demo organisation"
        error={error}
        hint="The built-in simulator and its own demo archive. Saving a client ID turns it off."
        inline
      >
        {(id) => <input id={id} type="checkbox" checked={demo} onChange={(e) => onDemo(e.target.checked)} />}
      </Field>
      <p className="hint section-intro">
        New here? <a href="#/setup">Connect your organisation</a> step by step, with a check at each step.
      </p>
    </fieldset>
  );
}

function SaveBar({ save, disabled, fields }: { save: SaveState; disabled: boolean; fields: number }) {
  return (
    <>
      {save.kind === 'refused' && (
        <div className="banner banner-error" role="alert">
          <p className="banner-title">
            Settings were not saved. Correct the fields marked with ✗ above and save again.
          </p>
          <p className="detail">
            {fields > 0
              ? `${fields} ${fields === 1 ? 'field needs' : 'fields need'} correcting.`
              : officerSummary(save.message)}
          </p>
        </div>
      )}
      <div className="save-bar">
        <button type="submit" className="primary" disabled={disabled}>
          {save.kind === 'saving' ? 'Saving…' : 'Save settings'}
        </button>
        <p className="save-status" role="status" aria-live="polite">
          {save.kind === 'saved' && 'Settings saved.'}
        </p>
      </div>
    </>
  );
}
