/**
 * The pieces every settings form is made of: a labelled field with its hint and error, a number
 * input that lets the engine refuse what does not parse, and the outcome of a live check.
 */
import { useEffect, useId, useLayoutEffect, useState, type ReactNode } from 'react';
import type { Settings } from '../../shared/settings';
import { officerSummary } from '../app/officer-words';
import type { FieldErrors } from './field-errors';
import type { DraftSection } from './settings-draft';

/** What every settings section receives: the draft, how to change it, and the errors per field. */
export interface SectionProps {
  readonly settings: Settings;
  readonly update: <K extends DraftSection>(section: K, patch: Partial<Settings[K]>) => void;
  readonly errors: FieldErrors;
}

/**
 * A labelled form row: label, control, hint and the field's error. The control (the element whose
 * id the row hands to `children`) is marked `aria-invalid` while there is an error, and described by
 * the hint and the error, so a screen reader reads both with the field; the outline is CSS's
 * (`.field-invalid`), with a ✗ before the message so it does not rest on colour.
 */
export function Field({
  label,
  hint,
  error,
  inline,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  inline?: boolean;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  useDescribedControl(id, hint ? `${id}-hint` : undefined, error ? `${id}-error` : undefined);
  return (
    <div className={`field${inline ? ' field-inline' : ''}${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
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
 * Sets `aria-invalid` and `aria-describedby` on the control with `id` (rendered by the caller's
 * `children`, so set through the DOM rather than as props the caller would have to pass on).
 */
function useDescribedControl(id: string, hintId: string | undefined, errorId: string | undefined): void {
  useLayoutEffect(() => {
    const control = document.getElementById(id);
    if (!control) return;
    const describedBy = [errorId, hintId].filter(Boolean).join(' ');
    if (describedBy) control.setAttribute('aria-describedby', describedBy);
    else control.removeAttribute('aria-describedby');
    if (errorId) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  });
}

/** A number field; an empty or unparsable entry is sent as is and refused by the engine, naming the field. */
export function NumberInput({ id, value, onChange }: { id: string; value: number; onChange: (n: number) => void }) {
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

/** A text field for an optional setting: empty means "unset". */
export function OptionalText({
  id,
  value,
  placeholder,
  onChange,
}: {
  id: string;
  value: string | undefined;
  placeholder?: string;
  onChange: (value: string | undefined) => void;
}) {
  return (
    <input
      id={id}
      type="text"
      spellCheck={false}
      autoComplete="off"
      placeholder={placeholder}
      value={value ?? ''}
      onChange={(e) => onChange(e.target.value.trim() === '' ? undefined : e.target.value.trim())}
    />
  );
}

/** The outcome of a live check: a headline that says pass or fail, then its details. */
export function CheckOutcome({ ok, title, children }: { ok: boolean; title: string; children?: ReactNode }) {
  return (
    <div className={`check-outcome ${ok ? 'check-ok' : 'check-failed'}`} role={ok ? 'status' : 'alert'}>
      <p className="check-title">
        <span aria-hidden="true">{ok ? '✓ ' : '✗ '}</span>
        {officerSummary(title)}
      </p>
      {children}
    </div>
  );
}
