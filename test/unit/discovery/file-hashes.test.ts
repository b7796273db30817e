/**
 * Hashing the cache's files at use: the same SHA-256 and size whether on this thread or spread over
 * worker threads (the path a seven-year check takes), and a file that is gone is reported as gone.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFiles } from '../../../main/engine/discovery/file-hashes';

let dir: string;
let files: string[];
let contents: Buffer[];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'aa-hashes-'));
  contents = [0, 1, 3 * 1024 * 1024 + 7, 512, 2 * 1024 * 1024, 17 * 1024 * 1024 + 3].map((n) => randomBytes(n));
  files = contents.map((_, i) => path.join(dir, `f${i}.parquet`));
  await Promise.all(files.map((f, i) => fs.writeFile(f, contents[i] as Buffer)));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const expected = () => contents.map((c) => ({ sha256: createHash('sha256').update(c).digest('hex'), size: c.length }));

describe('hashFiles', () => {
  it('gives each file its SHA-256 and size, in order, on this thread, and null for a file that is gone', async () => {
    let hashed = 0;
    const gone = path.join(dir, 'gone.parquet');
    const result = await hashFiles([gone, ...files, gone], { threads: 2, expectedBytes: 0, onHashed: () => hashed++ });
    expect(result).toEqual([null, ...expected(), null]);
    expect(hashed).toBe(files.length + 2);
  });

  it('gives the same on worker threads, and null for a file that is gone', async () => {
    let hashed = 0;
    const gone = path.join(dir, 'gone.parquet');
    const result = await hashFiles([...files, gone], {
      threads: 2,
      expectedBytes: Number.MAX_SAFE_INTEGER,
      onHashed: () => hashed++,
    });
    expect(result).toEqual([...expected(), null]);
    expect(hashed).toBe(files.length + 1);
  });

  it("never opens a named pipe or follows a link in a file's place, on this thread or on workers: each is said not to be a regular file", async () => {
    const fifo = path.join(dir, 'pipe.parquet');
    const link = path.join(dir, 'link.parquet');
    execFileSync('mkfifo', [fifo]);
    await fs.symlink(files[0] as string, link);
    const notRegular = { sha256: '', size: -1, notRegularFile: true };
    for (const expectedBytes of [0, Number.MAX_SAFE_INTEGER]) {
      const result = await hashFiles([fifo, files[1] as string, link], { threads: 2, expectedBytes });
      expect(result).toEqual([notRegular, expected()[1], notRegular]);
    }
  });
});
