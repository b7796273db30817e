/**
 * Text Genesys wrote that we put into our own messages (an error body's code, message, contextId).
 *
 * Such text reaches a terminal, the run journal and the renderer, so it must not be able to move the
 * cursor, recolour or clear a terminal (ANSI/C1 escapes), forge extra lines (newlines), reorder what
 * follows it (bidi overrides), or flood a log (a 10 kB message). It is kept readable, not escaped.
 */

/** ANSI escape sequences as a whole (CSI ... final byte, OSC ... BEL/ST), so no `[31m` is left over. */
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]/g;
/** C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates, line and paragraph separators. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]+/g;

/** Longest text kept from one field, in characters (an ellipsis marks a cut). */
export const REMOTE_TEXT_MAX = 300;

/**
 * `text` made safe to show: escape sequences removed, every other control character (and run of
 * them) replaced by one space, surrounding spaces trimmed, and at most `max` characters kept.
 */
export function safeRemoteText(text: string, max: number = REMOTE_TEXT_MAX): string {
  // Bound first so a huge body costs little; the margin leaves room for what is stripped.
  let s = text.length > max * 4 + 64 ? text.slice(0, max * 4 + 64) : text;
  s = s.replace(ANSI_SEQUENCE, '').replace(UNSAFE, ' ').replace(/ {2,}/g, ' ').trim();
  if (s.length <= max) return s;
  let cut = max - 1;
  // Never split a surrogate pair.
  const c = s.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return `${s.slice(0, cut)}…`;
}
