/**
 * The archive target as the settings form edits it: `s3://bucket/prefix` from a bucket and a prefix,
 * `file://` from a folder as typed, and back. The engine checks the result and names the field.
 */
export type TargetKind = 's3' | 'local';

/** `s3://bucket/prefix` -> its parts. */
export function s3Parts(target: string): { bucket: string; prefix: string } {
  const rest = target.startsWith('s3://') ? target.slice('s3://'.length) : '';
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, prefix: '' } : { bucket: rest.slice(0, slash), prefix: rest.slice(slash + 1) };
}

export function s3Target(bucket: string, prefix: string): string {
  const p = prefix.trim().replace(/^\/+|\/+$/g, '');
  return bucket.trim() ? `s3://${bucket.trim()}${p ? `/${p}` : ''}` : '';
}

/** A folder as typed -> a `file://` URL (the engine refuses a relative path or `..`, naming the field). */
export function folderTarget(folder: string): string {
  const p = folder.trim().replace(/\\/g, '/');
  if (!p) return '';
  return `file://${encodeURI(/^[A-Za-z]:\//.test(p) ? `/${p}` : p)}`;
}

export function folderOf(target: string): string {
  if (!target.startsWith('file://')) return '';
  try {
    return decodeURI(target.slice('file://'.length));
  } catch {
    return target.slice('file://'.length);
  }
}

/** The bucket-name rule, as the Bucket field's hint states it (S3's own rule for new buckets). */
export const BUCKET_RULE =
  '3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';

/**
 * Why `bucket` is not a bucket name, in the hint's words (null when it is one), so the field's
 * error and hint say the same thing rather than the target's URL syntax.
 */
export function bucketNameProblem(bucket: string): string | null {
  const name = bucket.trim();
  if (!name) return 'enter the bucket name.';
  if (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes('..')) return null;
  const spaces = /\s/.test(name) ? ' It has spaces.' : '';
  const upper = /[A-Z]/.test(name) ? ' It has capital letters.' : '';
  return `"${name}" is not a bucket name: use ${BUCKET_RULE}.${spaces}${upper}`;
}
