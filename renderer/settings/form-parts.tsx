/**
 * The pieces every settings form is made of: a labelled field with its hint and error, a number
 * input that lets the engine refuse what does not parse, and the outcome of a live check.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { Settings } from '../../shared/settings';
import type { FieldErrors } from './field-errors';
import type { DraftSection } from './settings-draft';

/** What every settings section receives: the draft, how to change it, and the errors per field. */
export interface SectionProps {
  readonly settings: Settings;
  readonly update: <K extends DraftSection>(section: K, patch: Partial<Settings[K]>) => void;
  readonly errors: FieldErrors;
}

/** A labelled form row: label, control, hint and the field's error (announced to screen readers). */
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
        {title}
      </p>
      {children}
    </div>
  );
}
