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
