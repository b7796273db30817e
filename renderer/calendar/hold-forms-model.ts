/**
 * The legal-hold forms of the calendar and the day panel, as pure functions (unit-tested in
 * test/unit/renderer/hold-forms-model.test.ts): what the place form starts from and sends, each
 * field's error, found by the contract's own schema before anything is sent (main checks again) or
 * taken from the engine's refusal by its path, and what the officer is told once a hold was placed
 * or released, or refused.
 */
import type { Day } from '../../shared/day';
import {
  PlaceHoldRequestSchema,
  ReleaseHoldRequestSchema,
  type DaySpan,
  type HoldOutcome,
  type PlaceHoldRequest,
} from '../../shared/holds/hold-contract';
import { fieldIssues } from '../../shared/ipc/contract';
import type { ResultError } from '../../shared/result';
import { officerSummary } from '../app/officer-words';
import { fieldErrorsFrom, type FieldErrors } from '../settings/field-errors';

export interface PlaceDraft {
  readonly from: string;
  readonly to: string;
  readonly matter: string;
  readonly reference: string;
  readonly reason: string;
}

export type HoldAction = 'place' | 'release';

/** The place form as it opens: the period is the day chosen (one day), the words are the officer's to give. */
export function placeDraft(day: Day | null): PlaceDraft {
  return { from: day ?? '', to: day ?? '', matter: '', reference: '', reason: '' };
}

/** What the form sends: the days without stray spaces, the words exactly as typed (the record keeps them). */
export function placeRequest(draft: PlaceDraft): PlaceHoldRequest {
  return {
    from: draft.from.trim(),
    to: draft.to.trim(),
    matter: draft.matter,
    reference: draft.reference,
    reason: draft.reason,
  };
}

/** The draft's errors by field, as the contract's schema finds them; empty when it may be sent. */
export function placeErrors(draft: PlaceDraft): FieldErrors {
  const parsed = PlaceHoldRequestSchema.safeParse(placeRequest(draft));
  return parsed.success ? {} : fieldErrorsFrom(fieldIssues(parsed.error));
}

/** The release form's one error, on the typed name, as the contract's schema finds it. */
export function releaseErrors(matter: string, confirm: string): FieldErrors {
  const parsed = ReleaseHoldRequestSchema.safeParse({ matter, confirm });
  return parsed.success ? {} : onConfirm(fieldErrorsFrom(fieldIssues(parsed.error)));
}

/**
 * A refusal's errors on the form's fields (from its issues' paths, never its message). The release
 * form has one field, the typed name: what is said of the matter is said there.
 */
export function refusalFieldErrors(error: ResultError, action: HoldAction): FieldErrors {
  const errors = fieldErrorsFrom(error.issues);
  return action === 'place' ? errors : onConfirm(errors);
}

function onConfirm(errors: FieldErrors): FieldErrors {
  const { matter, confirm, ...rest } = errors;
  const said = confirm ?? matter;
  return said === undefined ? rest : { ...rest, confirm: said };
}

/**
 * A refusal in words: a headline, and the engine's own explanation below it. Only what is known is
 * claimed: a refusal of the entries, and the bucket policy's (its first change refused), come before
 * anything changed; any other failure is told as the engine tells it.
 */
export function refusalWords(error: ResultError, action: HoldAction): { title: string; detail: string } {
  const what = action === 'place' ? 'The hold was not placed' : 'The matter was not released';
  const detail = officerSummary(error.message);
  if (error.code === 'ARCHIVE_HOLD_DENIED') {
    const record = action === 'place' ? 'no hold record was written' : 'no release record was written';
    return {
      title: `${what}: the archive refused the credentials this app uses, which may not change legal holds (s3:PutObjectLegalHold); ${record}. Place and release holds with the officer's credentials (the README's legal-hold IAM statement), not the exporter's.`,
      detail,
    };
  }
  if ((error.issues?.length ?? 0) > 0) return { title: `${what}: see the fields marked below.`, detail };
  return { title: action === 'place' ? 'Placing the hold failed.' : 'Releasing the matter failed.', detail };
}

/** What the officer is told once a hold was placed (the CLI's sentences, main/cli/commands/hold.ts). */
export function placedWords(o: HoldOutcome): string[] {
  return [
    `Held ${spanText(o.days, 'archived day')} for '${o.matter}': ${o.versions} object version(s) now have their legal hold ON. Record ${o.recordKey} (signed, locked like a manifest).`,
    ...(o.later.count > 0
      ? [`${spanText(o.later, 'later day')} of the period will be held as they are archived.`]
      : []),
  ];
}

/** What the officer is told once a matter was released. */
export function releasedWords(o: HoldOutcome): string[] {
  return [
    `Released '${o.matter}': ${o.versions} object version(s) had their legal hold turned OFF. Record ${o.recordKey} (signed, locked like a manifest).`,
    ...(o.stillHeld.count > 0 ? [`${spanText(o.stillHeld, 'day')} stay held for other matters.`] : []),
    'Released versions stay locked until their retention ends.',
  ];
}

/** `3 archived day(s) (2026-01-01 to 2026-01-03)`, `no archived day`. */
export function spanText(span: DaySpan, noun: string): string {
  if (span.count === 0 || !span.first || !span.last) return `no ${noun}`;
  const ends = span.first === span.last ? span.first : `${span.first} to ${span.last}`;
  return `${span.count} ${noun}(s) (${ends})`;
}
