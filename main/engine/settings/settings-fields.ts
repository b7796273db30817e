/**
 * Field-level inspection of raw settings JSON: secret-looking fields and unknown fields.
 *
 * zod silently strips keys a schema does not know. For settings that is not good enough: a
 * `clientSecret` pasted into a settings file must be reported (secrets belong in the keychain), and
 * a typo such as `retentionDay` must not silently leave the default in force.
 */

/** Key names that hold secrets. No settings field may ever match this (a unit test guards it). */
const SECRET_KEY = /secret|passw(or)?d|passphrase|token|credential|private[_-]?key|api[_-]?key/i;

export function isSecretLikeKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Dotted paths of every secret-looking key in `value` (e.g. `genesys.clientSecret`). */
export function secretLikeFields(value: unknown, prefix = ''): string[] {
  if (!isPlainObject(value)) return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isSecretLikeKey(key)) found.push(path);
    else found.push(...secretLikeFields(child, path));
  }
  return found;
}

/** A deep copy of `value` without its secret-looking keys. */
export function withoutSecretLikeFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecretLikeFields);
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!isSecretLikeKey(key)) copy[key] = withoutSecretLikeFields(child);
  }
  return copy;
}

/**
 * Dotted paths of keys present in `input` but absent from `parsed` (what the schema dropped).
 *
 * Works because every settings object has defaults: a known key is always present after parsing.
 */
export function unknownFields(input: unknown, parsed: unknown, prefix = ''): string[] {
  if (!isPlainObject(input) || !isPlainObject(parsed)) return [];
  const found: string[] = [];
  for (const [key, child] of Object.entries(input)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!(key in parsed)) found.push(path);
    else found.push(...unknownFields(child, parsed[key], path));
  }
  return found;
}

/** Sets `value` at a dotted path, creating objects on the way. */
export function setField(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isPlainObject(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

export function hasField(target: unknown, path: readonly string[]): boolean {
  let node: unknown = target;
  for (const key of path) {
    if (!isPlainObject(node) || !(key in node)) return false;
    node = node[key];
  }
  return true;
}
