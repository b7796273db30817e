/**
 * Errors per form field, from the structured issues the engine returns with a refusal: each issue
 * names its field by path in the request (`['settings', 'archive', 'retentionDays']`), so the form
 * shows the message beside that field. No message text is parsed.
 */
import type { FieldIssue } from '../../shared/errors';

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
    errors[field] ??= friendlier(issue.message);
  }
  return errors;
}

/** zod's wording for an empty number field (sent as null) is accurate but not helpful. */
function friendlier(message: string): string {
  return /expected number, received (null|NaN)/.test(message) ? 'Enter a whole number.' : message;
}
