/**
 * Placing and releasing legal holds from the calendar, the day panel and the Legal holds page
 * (renderer/holds/HoldsPage.tsx), with the engine's own functions behind the contract's hold
 * channels (shared/holds/hold-contract.ts).
 *
 * "Place a legal hold…" opens a form whose period starts at the day chosen; on an archive that
 * cannot hold anything (a local folder) it says why instead, before any form. "Release…" under a
 * matter asks for the matter's name typed out, counsel's explicit act. Each field is checked by the
 * contract's schema before anything is sent and marked with its error (aria-invalid, described by
 * the error), a refusal of the engine lands on its field too, and once a hold changed the calendar
 * and the day panel read the archive again.
 */
import { useEffect, useId, useRef, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import type { Day } from '../../shared/day';
import type { HoldOutcome, HoldsStatus } from '../../shared/holds/hold-contract';
import type { Bridge } from '../../shared/ipc/bridge';
import type { Result, ResultError } from '../../shared/result';
import { UTC_DAY_INPUT } from '../app/utc-day-input';
import { useJobs } from '../jobs/jobs-context';
import type { FieldErrors } from '../settings/field-errors';
import {
  placeDraft,
  placedWords,
  placeErrors,
  placeRequest,
  refusalFieldErrors,
  refusalWords,
  releasedWords,
  releaseErrors,
  type HoldAction,
  type PlaceDraft,
} from './hold-forms-model';
import './holds.css';

/** "Place a legal hold…" with the period starting at `day`, and what the last placement did. */
export function PlaceHoldLauncher({ bridge, day }: { bridge: Bridge; day: Day | null }) {
  const jobs = useJobs();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState<readonly string[] | null>(null);
  const placed = (o: HoldOutcome) => {
    setOpen(false);
    setNote(placedWords(o));
    jobs.archiveChanged();
  };
  return (
    <div className="hold-launcher">
      {!open && (
        <button
          type="button"
          disabled={jobs.current !== null}
          onClick={() => {
            setNote(null);
            setOpen(true);
          }}
        >
          Place a legal hold…
        </button>
      )}
      {open && <PlacePanel bridge={bridge} day={day} onCancel={() => setOpen(false)} onPlaced={placed} />}
      <HoldNote lines={note} />
    </div>
  );
}

/** What a hold action did, said once (a status, so a screen reader hears it). */
export function HoldNote({ lines }: { lines: readonly string[] | null }) {
  if (!lines) return null;
  return (
    <div className="hold-note" role="status">
      {lines.map((line) => (
        <p key={line}>
          <span aria-hidden="true">✓ </span>
          {line}
        </p>
      ))}
    </div>
  );
}

/** Whether the archive can hold anything (asked when a form opens): the form, or why there is none. */
function PlacePanel({
  bridge,
  day,
  onCancel,
  onPlaced,
}: {
  bridge: Bridge;
  day: Day | null;
  onCancel: () => void;
  onPlaced: (o: HoldOutcome) => void;
}) {
  const [status, setStatus] = useState<HoldsStatus | ResultError | null>(null);
  useEffect(() => {
    let live = true;
    void bridge.holdsStatus({}).then((r) => live && setStatus(r.ok ? r.value : r.error));
    return () => {
      live = false;
    };
  }, [bridge]);
  if (status === null) return <p aria-busy="true">Checking whether this archive can hold records…</p>;
  if ('code' in status)
    return (
      <Refusal title="The archive could not be read, so no hold can be placed now." error={status} onClose={onCancel} />
    );
  if (!status.canHold)
    return (
      <div className="hold-cannot" role="status">
        <p>
          <strong>This archive cannot hold records under a legal hold.</strong> {status.refusal}
        </p>
        <button type="button" onClick={onCancel}>
          Close
        </button>
      </div>
    );
  return <PlaceForm bridge={bridge} day={day} status={status} onCancel={onCancel} onPlaced={onPlaced} />;
}

function PlaceForm({
  bridge,
  day,
  status,
  onCancel,
  onPlaced,
}: {
  bridge: Bridge;
  day: Day | null;
  status: HoldsStatus;
  onCancel: () => void;
  onPlaced: (o: HoldOutcome) => void;
}) {
  const [draft, setDraft] = useState<PlaceDraft>(() => placeDraft(day));
  const form = useHoldForm(
    'place',
    () => placeErrors(draft),
    () => bridge.holdsPlace(placeRequest(draft)),
    onPlaced,
  );
  const edit = (field: keyof PlaceDraft) => (e: ChangeEvent<HTMLInputElement>) => {
    setDraft((d) => ({ ...d, [field]: e.target.value }));
    form.clear(field === 'from' || field === 'to' ? [field, 'period'] : [field]);
  };
  const { errors } = form;
  return (
    <form
      className="hold-form"
      aria-label="Place a legal hold"
      noValidate
      onSubmit={(e) => void form.submit(e)}
      ref={form.ref}
    >
      <p className="hint">
        Every object version the manifests of the period&apos;s archived days vouch for, and the archive&apos;s root,
        get their legal hold ON in {status.archiveTarget}, and a signed hold record is written there. Recorded as placed
        by {status.by}.
      </p>
      <PeriodFields draft={draft} errors={errors} edit={edit} />
      <HoldInput label="Matter" value={draft.matter} onChange={edit('matter')} error={errors.matter}>
        The name a release will have to give, exactly (one line, up to 200 characters).
      </HoldInput>
      <HoldInput label="Reference" value={draft.reference} onChange={edit('reference')} error={errors.reference}>
        Optional: a case or docket number.
      </HoldInput>
      <HoldInput label="Reason" value={draft.reason} onChange={edit('reason')} error={errors.reason}>
        Optional: why (one line, up to 500 characters). Kept in the archive for good.
      </HoldInput>
      {form.refusal && <Refusal {...refusalWords(form.refusal, 'place')} error={form.refusal} />}
      <div className="actions">
        <button type="submit" className="primary" disabled={form.sending}>
          {form.sending ? 'Placing the hold…' : 'Place the hold'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** From and to, each with its own error, and the period's (days not archived) described by both. */
function PeriodFields({
  draft,
  errors,
  edit,
}: {
  draft: PlaceDraft;
  errors: FieldErrors;
  edit: (field: keyof PlaceDraft) => (e: ChangeEvent<HTMLInputElement>) => void;
}) {
  const periodId = useId();
  const period = errors.period;
  return (
    <fieldset className="hold-period">
      <legend>Period (UTC days, both included)</legend>
      {(['from', 'to'] as const).map((f) => (
        <HoldInput
          key={f}
          label={f === 'from' ? 'From' : 'To'}
          value={draft[f]}
          onChange={edit(f)}
          error={errors[f]}
          day
          {...(period ? { alsoInvalid: periodId } : {})}
        />
      ))}
      {period && (
        <p className="field-error" id={periodId} role="alert">
          <span aria-hidden="true">✗ </span>
          Period: {period}
        </p>
      )}
    </fieldset>
  );
}

/**
 * A labelled input with its hint and error: `aria-invalid` while it has an error (its own, or the
 * group's `alsoInvalid`), described by the errors and the hint; a ✗ before the error, not colour alone.
 */
function HoldInput({
  label,
  value,
  onChange,
  error,
  day,
  alsoInvalid,
  children,
}: {
  label: string;
  value: string;
  onChange: (e: ChangeEvent<HTMLInputElement>) => void;
  error: string | undefined;
  day?: boolean;
  alsoInvalid?: string;
  children?: ReactNode;
}) {
  const id = useId();
  const described = [error ? `${id}-error` : null, alsoInvalid ?? null, children ? `${id}-hint` : null].filter(
    (s): s is string => s !== null,
  );
  const invalid = Boolean(error) || alsoInvalid !== undefined;
  return (
    <div className={`field${invalid ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        {...(day ? UTC_DAY_INPUT : { type: 'text', autoComplete: 'off', spellCheck: false })}
        value={value}
        onChange={onChange}
        aria-invalid={invalid || undefined}
        aria-describedby={described.length > 0 ? described.join(' ') : undefined}
      />
      {children && (
        <p className="hint" id={`${id}-hint`}>
          {children}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          <span aria-hidden="true">✗ </span>
          {label}: {error}
        </p>
      )}
    </div>
  );
}

/**
 * "Release…" under a matter: a form that asks for the matter's name typed out before anything is
 * sent. `inDayPanel`: shown under one day (the form says the release reaches beyond it).
 */
export function ReleaseHold({
  bridge,
  matter,
  inDayPanel = true,
  onReleased,
}: {
  bridge: Bridge;
  matter: string;
  inDayPanel?: boolean;
  onReleased: (lines: readonly string[]) => void;
}) {
  const jobs = useJobs();
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      // Named with the matter for a screen reader (a day may list several), starting with the word shown.
      <button
        type="button"
        disabled={jobs.current !== null}
        onClick={() => setOpen(true)}
        aria-label={`Release ${matter}…`}
      >
        Release…
      </button>
    );
  return (
    <ReleaseForm
      bridge={bridge}
      matter={matter}
      inDayPanel={inDayPanel}
      onCancel={() => setOpen(false)}
      onReleased={(o) => {
        onReleased(releasedWords(o));
        jobs.archiveChanged();
      }}
    />
  );
}

function ReleaseForm({
  bridge,
  matter,
  inDayPanel,
  onCancel,
  onReleased,
}: {
  bridge: Bridge;
  matter: string;
  inDayPanel: boolean;
  onCancel: () => void;
  onReleased: (o: HoldOutcome) => void;
}) {
  const [confirm, setConfirm] = useState('');
  const form = useHoldForm(
    'release',
    () => releaseErrors(matter, confirm),
    () => bridge.holdsRelease({ matter, confirm }),
    onReleased,
  );
  return (
    <form
      className="hold-form"
      aria-label={`Release ${matter}`}
      noValidate
      onSubmit={(e) => void form.submit(e)}
      ref={form.ref}
    >
      <p>
        Releasing ends every period <strong>{matter}</strong> holds, on every day it covers
        {inDayPanel ? ', not only this one' : ''}; days another matter also holds stay held. Released versions stay
        locked until their retention ends. A signed release record is written to the archive.
      </p>
      <HoldInput
        label="Type the matter's name to confirm"
        value={confirm}
        onChange={(e) => {
          setConfirm(e.target.value);
          form.clear(['confirm']);
        }}
        error={form.errors.confirm}
      >
        Exactly as shown: {matter}
      </HoldInput>
      {form.refusal && <Refusal {...refusalWords(form.refusal, 'release')} error={form.refusal} />}
      <div className="actions">
        <button type="submit" className="danger" disabled={form.sending}>
          {form.sending ? 'Releasing…' : 'Release the hold'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * A hold form's errors and refusal: checked by the contract's schema first (nothing is sent while a
 * field is wrong), then sent; a refusal's issues land on their fields, and the first invalid field
 * takes the keyboard.
 */
function useHoldForm<T>(
  action: HoldAction,
  check: () => FieldErrors,
  send: () => Promise<Result<T>>,
  onDone: (value: T) => void,
) {
  const ref = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refusal, setRefusal] = useState<ResultError | null>(null);
  const [sending, setSending] = useState(false);
  const [tries, setTries] = useState(0);

  useEffect(() => {
    const form = ref.current;
    if (!form) return;
    const target = tries === 0 ? form.querySelector('input') : form.querySelector('[aria-invalid="true"]');
    if (target instanceof HTMLElement) target.focus();
  }, [tries]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setRefusal(null);
    const found = check();
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setTries((n) => n + 1);
      return;
    }
    setSending(true);
    const r = await send();
    setSending(false);
    if (r.ok) return onDone(r.value);
    setErrors(refusalFieldErrors(r.error, action));
    setRefusal(r.error);
    setTries((n) => n + 1);
  };
  const clear = (fields: readonly string[]) =>
    setErrors((errs) => Object.fromEntries(Object.entries(errs).filter(([k]) => !fields.includes(k))));
  return { ref, errors, refusal, sending, submit, clear };
}

function Refusal({
  title,
  detail,
  error,
  onClose,
}: {
  title: string;
  detail?: string;
  error: ResultError;
  onClose?: () => void;
}) {
  return (
    <div className="banner banner-error hold-refusal" role="alert">
      <p>
        <span aria-hidden="true">✗ </span>
        <strong>{title}</strong>
      </p>
      <p>{detail ?? error.message}</p>
      <p className="detail">{error.code}</p>
      {onClose && (
        <button type="button" onClick={onClose}>
          Close
        </button>
      )}
    </div>
  );
}
