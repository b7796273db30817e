import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataKey, manifestKey } from '../../../shared/archive-layout';
import { digestProblems, readArchivedDocument, readArchivedPart } from '../../../main/engine/archive/archived-object';
import { LocalFolderStore } from '../../../main/engine/archive/stores/local-store';

const LOCK = { mode: 'COMPLIANCE' as const, retainUntil: '2033-11-28T00:00:00.000Z' };
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('the one reader of archived objects', () => {
  let dir: string;
  let store: LocalFolderStore;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'archived-object-'));
    store = new LocalFolderStore({ root: dir });
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function put(key: string, body: Buffer) {
    return store.putObject({ key, body, sha256: sha256(body), contentType: 'application/gzip', lock: LOCK });
  }

  it('hashes the stored and the unpacked bytes and hands over every line with its number', async () => {
    const raw = Buffer.from('{"id":"a"}\n{"id":"b"}\n{"id":"c"}\n');
    const body = gzipSync(raw);
    const { versionId } = await put(dataKey('', '2026-11-27', 1), body);
    const lines: string[] = [];
    const digest = await readArchivedPart(
      store,
      { key: dataKey('', '2026-11-27', 1), versionId },
      { onLine: (line, n) => lines.push(`${n}:${line.toString('utf8')}`) },
    );
    expect(digest).toEqual({
      sha256: sha256(body),
      size: body.length,
      gzip: true,
      sha256Raw: sha256(raw),
      rawSize: raw.length,
      lines: 3,
      lastLineCut: false,
    });
    expect(lines).toEqual(['1:{"id":"a"}', '2:{"id":"b"}', '3:{"id":"c"}']);
    const recorded = {
      sha256: sha256(body),
      size: body.length,
      sha256Raw: sha256(raw),
      rawSize: raw.length,
      events: 3,
    };
    expect(digestProblems(digest, recorded)).toEqual([]);
    expect(digestProblems(digest, { ...recorded, events: 4 })).toEqual(['it holds 3 events, not 4']);
  });

  it('counts a last line without its newline, with or without a listener, and says it is cut', async () => {
    const raw = Buffer.from('{"id":"a"}\n{"id":"b"}');
    const body = gzipSync(raw);
    const { versionId } = await put(dataKey('', '2026-11-27', 1), body);
    const object = { key: dataKey('', '2026-11-27', 1), versionId };
    const counted = await readArchivedPart(store, object);
    const seen: string[] = [];
    const listened = await readArchivedPart(store, object, { onLine: (l) => seen.push(l.toString('utf8')) });
    expect(counted).toEqual(listened);
    expect(counted).toMatchObject({ lines: 2, lastLineCut: true });
    expect(seen).toEqual(['{"id":"a"}', '{"id":"b"}']);
    const recorded = { sha256: counted.sha256, size: counted.size, sha256Raw: counted.sha256Raw, events: 2 };
    expect(digestProblems(counted, recorded)).toEqual(['its last line is cut']);
  });

  it('hands over lines cut between the chunks gunzip gives, a line longer than many chunks included, whole', async () => {
    const lines = [
      ...Array.from({ length: 3000 }, (_, i) => `{"id":"${i}","pad":"${'x'.repeat(i % 97)}"}`),
      `{"id":"long","pad":"${'y'.repeat(200_000)}"}`,
      ...Array.from({ length: 500 }, (_, i) => `{"id":"after-${i}"}`),
    ];
    const raw = Buffer.from(lines.join('\n') + '\n{"id":"cut"');
    const { versionId } = await put(dataKey('', '2026-11-27', 1), gzipSync(raw));
    const seen: string[] = [];
    const digest = await readArchivedPart(
      store,
      { key: dataKey('', '2026-11-27', 1), versionId },
      { onLine: (line, n) => seen.push(`${n}:${line.toString('utf8')}`) },
    );
    expect(seen).toEqual([...lines, '{"id":"cut"'].map((l, i) => `${i + 1}:${l}`));
    expect(digest).toMatchObject({ lines: lines.length + 1, lastLineCut: true, rawSize: raw.length });
  });

  it('bytes that are not gzip are a finding, never a thrown error, and no line is handed over', async () => {
    const body = Buffer.from('this is not gzip at all\nnor is this\n');
    const { versionId } = await put(dataKey('', '2026-11-27', 1), body);
    const seen: Buffer[] = [];
    const digest = await readArchivedPart(
      store,
      { key: dataKey('', '2026-11-27', 1), versionId },
      { onLine: (l) => seen.push(l) },
    );
    expect(digest).toMatchObject({ sha256: sha256(body), size: body.length, gzip: false, sha256Raw: '', lines: -1 });
    expect(seen).toEqual([]);
    expect(digestProblems(digest, { sha256: sha256(body), size: body.length, sha256Raw: '', events: -1 })).toEqual([
      'it is not valid gzip',
    ]);
  });

  it('a version the store cannot find is thrown for a data part and a not-found read for a document', async () => {
    const key = manifestKey('', '2026-11-27', 1);
    await expect(readArchivedPart(store, { key: dataKey('', '2026-11-27', 9), versionId: null })).rejects.toMatchObject(
      {
        code: 'NOT_FOUND',
      },
    );
    expect(await readArchivedDocument(store, { key, versionId: null }, 1024)).toEqual({
      ok: false,
      reason: 'not-found',
    });
  });

  it('reads a small document whole, and refuses one past its bound', async () => {
    const key = manifestKey('', '2026-11-27', 1);
    const body = Buffer.from('{"a":1}'.padEnd(2000, ' '));
    const { versionId } = await put(key, body);
    expect(await readArchivedDocument(store, { key, versionId }, 4096)).toEqual({ ok: true, bytes: body });
    expect(await readArchivedDocument(store, { key, versionId }, 1999)).toEqual({ ok: false, reason: 'too-large' });
  });

  it('stops when the signal aborts', async () => {
    const body = gzipSync(Buffer.from('{"id":"a"}\n'));
    const { versionId } = await put(dataKey('', '2026-11-27', 1), body);
    const controller = new AbortController();
    controller.abort();
    await expect(
      readArchivedPart(store, { key: dataKey('', '2026-11-27', 1), versionId }, { signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });
});
