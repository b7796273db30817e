/**
 * Turns a refusal message from the engine into errors per settings field.
 *
 * The contract names each bad field (`request.settings.archive.retentionDays: Too small…; …`), so
 * the form can show the message beside the field the user must fix.
 */
export type FieldErrors = Readonly<Record<string, string>>;

const PREFIXES = ['request.settings.', 'settings.'];

export function fieldErrorsFromMessage(message: string): FieldErrors {
  const errors: Record<string, string> = {};
  for (const part of message.split('; ')) {
    const match = /^([A-Za-z0-9_.]+): (.+)$/.exec(part.trim());
    if (!match?.[1] || !match[2]) continue;
    let path = match[1];
    for (const prefix of PREFIXES) if (path.startsWith(prefix)) path = path.slice(prefix.length);
    errors[path] ??= friendlier(match[2]);
  }
  return errors;
}

/** zod's wording for an empty number field (sent as null) is accurate but not helpful. */
function friendlier(message: string): string {
  return /expected number, received (null|NaN)/.test(message) ? 'Enter a whole number.' : message;
}
