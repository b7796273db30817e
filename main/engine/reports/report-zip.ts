/**
 * Reading a report bundle back: the SHA-256 of every entry under the report's folder, and the bytes
 * of a few small ones (SHA256SUMS, its signature, the public key, evidence.json), streamed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Unzip, UnzipInflate } from 'fflate';

export interface ZipContents {
  /** Every entry's SHA-256, by its name inside the report's folder. */
  readonly hashes: Map<string, string>;
  /** The bytes of the entries asked for. */
  readonly bytes: Map<string, Buffer>;
  /** Entries outside the report's folder (none in a bundle the report wrote). */
  readonly outside: string[];
}

export async function readZip(file: string, root: string, keep: readonly string[]): Promise<ZipContents> {
  const hashes = new Map<string, string>();
  const bytes = new Map<string, Buffer>();
  const outside: string[] = [];
  const pending: Array<Promise<void>> = [];
  const unzip = new Unzip((entry) => {
    const name = entry.name.startsWith(root) ? entry.name.slice(root.length) : null;
    if (name === null) outside.push(entry.name);
    const hash = createHash('sha256');
    const chunks: Uint8Array[] | null = name !== null && keep.includes(name) ? [] : null;
    pending.push(
      new Promise<void>((resolve, reject) => {
        entry.ondata = (err, data, final) => {
          if (err) return reject(err);
          hash.update(data);
          chunks?.push(data);
          if (final) {
            if (name !== null && !name.endsWith('/')) hashes.set(name, hash.digest('hex'));
            if (name !== null && chunks) bytes.set(name, Buffer.concat(chunks));
            resolve();
          }
        };
      }),
    );
    entry.start();
  });
  unzip.register(UnzipInflate);
  let last: Buffer | null = null;
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) {
    if (last) unzip.push(last);
    last = chunk as Buffer;
  }
  unzip.push(last ?? new Uint8Array(0), true);
  await Promise.all(pending);
  return { hashes, bytes, outside };
}
