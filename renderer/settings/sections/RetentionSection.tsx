/**
 * The retention policy: how long each object stays locked, in which Object Lock mode (a loud
 * confirmation before going back to COMPLIANCE, which cannot be undone), from which day the archive
 * is required, and the export's timing (settlement margin, part size, the writer lease).
 */
import { useState } from 'react';
import type { LockMode } from '../../../shared/manifest';
import type { Settings } from '../../../shared/settings';
import type { FieldErrors } from '../field-errors';
import { Field, NumberInput, type SectionProps } from '../form-parts';
import { UTC_DAY_INPUT } from '../../app/utc-day-input';

export function RetentionSection({
  settings,
  update,
  errors,
  savedLockMode,
  advanced = true,
  onConfirming,
}: SectionProps & {
  /** The lock mode as last saved: switching from GOVERNANCE to COMPLIANCE needs a confirmation. */
  savedLockMode: LockMode;
  advanced?: boolean;
  /** Whether the COMPLIANCE confirmation is open (the form waits for an answer before saving). */
  onConfirming?: (open: boolean) => void;
}) {
  const { archive } = settings;
  const set = (patch: Partial<Settings['archive']>) => update('archive', patch);
  const years = archive.retentionDays / 365.25;

  return (
    <fieldset>
      <legend>Retention policy</legend>
      <Field
        label="Retention (days)"
        error={errors['archive.retentionDays']}
        hint={`${years >= 0.05 ? `About ${years.toFixed(1)} years. ` : ''}FINRA 4511 asks six years where no other period applies; 7 years (2557 days) is common.`}
      >
        {(id) => <NumberInput id={id} value={archive.retentionDays} onChange={(n) => set({ retentionDays: n })} />}
      </Field>
      <LockModeFields
        archive={archive}
        savedLockMode={savedLockMode}
        error={errors['archive.lockMode']}
        set={set}
        onConfirming={onConfirming}
      />
      <Field
        label="Policy start date"
        error={errors['archive.policyStartDate']}
        hint="Days before this are not required (shown as such in the calendar, never caught up)."
      >
        {(id) => (
          <input
            id={id}
            {...UTC_DAY_INPUT}
            value={archive.policyStartDate ?? ''}
            onChange={(e) => set({ policyStartDate: e.target.value || undefined })}
          />
        )}
      </Field>
      {advanced && <AdvancedRetentionFields archive={archive} errors={errors} set={set} />}
    </fieldset>
  );
}

/** The Object Lock mode: a warning while GOVERNANCE, a confirmation before going back to COMPLIANCE. */
function LockModeFields({
  archive,
  savedLockMode,
  error,
  set,
  onConfirming,
}: {
  archive: Settings['archive'];
  savedLockMode: LockMode;
  error: string | undefined;
  set: (patch: Partial<Settings['archive']>) => void;
  onConfirming: ((open: boolean) => void) | undefined;
}) {
  const [pendingCompliance, setPending] = useState(false);
  const setPendingCompliance = (open: boolean) => {
    setPending(open);
    onConfirming?.(open);
  };

  function chooseLockMode(mode: LockMode) {
    if (mode === 'COMPLIANCE' && savedLockMode === 'GOVERNANCE' && archive.lockMode === 'GOVERNANCE') {
      setPendingCompliance(true);
      return;
    }
    setPendingCompliance(false);
    set({ lockMode: mode });
  }

  return (
    <>
      <Field label="Object Lock mode" error={error}>
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
          GOVERNANCE lets anyone with the bypass permission delete or shorten the retention of archived objects. It does
          not meet SEC 17a-4(f) or FINRA 4511; use it for trials only.
        </p>
      )}
      {pendingCompliance && (
        <ComplianceConfirm
          retentionDays={archive.retentionDays}
          onSwitch={() => {
            setPendingCompliance(false);
            set({ lockMode: 'COMPLIANCE' });
          }}
          onKeep={() => setPendingCompliance(false)}
        />
      )}
    </>
  );
}

/** The loud confirmation before going back to COMPLIANCE, which cannot be undone. */
function ComplianceConfirm({
  retentionDays,
  onSwitch,
  onKeep,
}: {
  retentionDays: number;
  onSwitch: () => void;
  onKeep: () => void;
}) {
  return (
    <div className="confirm" role="alertdialog" aria-labelledby="confirm-compliance-title">
      <p id="confirm-compliance-title">
        <strong>Switch to COMPLIANCE?</strong> Objects written in COMPLIANCE mode cannot be deleted or have their
        retention shortened by anyone, including the account root, until {retentionDays} days have passed. This cannot
        be undone.
      </p>
      <div className="actions">
        <button type="button" className="danger" onClick={onSwitch}>
          Switch to COMPLIANCE
        </button>
        <button type="button" onClick={onKeep}>
          Keep GOVERNANCE
        </button>
      </div>
    </div>
  );
}

/** The export's timing: settlement margin, part size, and the writer lease. */
function AdvancedRetentionFields({
  archive,
  errors,
  set,
}: {
  archive: Settings['archive'];
  errors: FieldErrors;
  set: (patch: Partial<Settings['archive']>) => void;
}) {
  return (
    <>
      <Field
        label="Settlement margin (minutes)"
        error={errors['archive.settlementMinutes']}
        hint="How long after a UTC day ends before it is exported, so late-indexed events are included."
      >
        {(id) => (
          <NumberInput id={id} value={archive.settlementMinutes} onChange={(n) => set({ settlementMinutes: n })} />
        )}
      </Field>
      <Field
        label="Largest part (bytes)"
        error={errors['archive.maxPartBytes']}
        hint="Upper bound of one compressed data object (16777216 = 16 MiB)."
      >
        {(id) => <NumberInput id={id} value={archive.maxPartBytes} onChange={(n) => set({ maxPartBytes: n })} />}
      </Field>
      <Field
        label="Writer taken over after (seconds)"
        error={errors['archive.lease.staleSeconds']}
        hint="A writer (this app, a cron job) silent this long is taken to have died."
      >
        {(id) => (
          <NumberInput
            id={id}
            value={archive.lease.staleSeconds}
            onChange={(n) => set({ lease: { ...archive.lease, staleSeconds: n } })}
          />
        )}
      </Field>
      <Field
        label="Wait for another writer (seconds)"
        error={errors['archive.lease.waitSeconds']}
        hint="How long a job waits while another writer holds the archive before giving up."
      >
        {(id) => (
          <NumberInput
            id={id}
            value={archive.lease.waitSeconds}
            onChange={(n) => set({ lease: { ...archive.lease, waitSeconds: n } })}
          />
        )}
      </Field>
    </>
  );
}
