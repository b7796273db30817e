/**
 * Errors per form field, from the structured issues the engine returns with a refusal: each issue
 * names its field by path in the request (`['settings', 'archive', 'retentionDays']`), so the form
 * shows the message beside that field, in the officer's words (renderer/app/officer-words.ts).
 * The field is found from the path, never by parsing the message.
 */
import type { FieldIssue } from '../../shared/errors';
import { officerMessage } from '../app/officer-words';

/** Field path (dotted, inside the form's object) -> message. */
export type FieldErrors = Readonly<Record<string, string>>;

/**
 * The issues under `prefix` (e.g. `['settings']` for a settings form), keyed by the rest of the path
 * (`archive.retentionDays`); the first issue of a field wins.
 */
export function fieldErrorsFrom(
  issues: readonly FieldIssue[] | undefined,
  prefix: readonly string[] = [],
): FieldErrors {
  const errors: Record<string, string> = {};
  for (const issue of issues ?? []) {
    const path = issue.path.map(String);
    if (!prefix.every((p, i) => path[i] === p)) continue;
    const field = path.slice(prefix.length).join('.');
    errors[field] ??= officerMessage(issue.message);
  }
  return errors;
}
