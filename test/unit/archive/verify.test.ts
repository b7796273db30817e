import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readdir, readFile, chmod, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dataKey, manifestKey } from '../../../shared/archive-layout';
import { addDays, eachDay, lastSettledDay, type Day } from '../../../shared/day';
import { SettingsSchema } from '../../../shared/settings';
import { openArchiveSession, simulatorSource, type ArchiveSession } from '../../../main/engine/archive/archive-session';
import { LocalFolderStore } from '../../../main/engine/archive/stores/local-store';
import { canonicalJsonBytes } from '../../../main/engine/archive/signing';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { snapshotFolders, type FolderSnapshot } from './folder-snapshot';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const LAST = lastSettledDay(NOW, 120); // 2026-11-27
const FIRST = addDays(LAST, -5);

describe('verifying the archive', () => {
  let dir: string;
  let sim: GenesysSimulator;
  let session: ArchiveSession;
  let store: LocalFolderStore;

  /** The archived six days, exported once for the file and put back before each test. */
  let archived: FolderSnapshot;
  const open = () =>
    openArchiveSession(
      SettingsSchema.parse({ archive: { target: store.url, maxPartBytes: 4096, policyStartDate: FIRST } }),
      {},
      { env: {}, stateDir: join(dir, 'state'), now: () => NOW, store, demoSource: simulatorSource(sim, () => NOW) },
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verify-'));
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 120 });
    store = new LocalFolderStore({ root: join(dir, 'archive') });
    const writer = await open();
    try {
      // Concurrency 1: the chain's write order is then the day order, which the tamper tests rely on.
      const summary = await writer.catchUp({ from: FIRST, to: LAST }, { concurrency: 1 });
      expect(summary.archived).toBe(6);
    } finally {
      await writer.close();
    }
    archived = await snapshotFolders([join(dir, 'archive'), join(dir, 'state')]);
  });
  beforeEach(async () => {
    await archived.restore();
    session = await open();
  });
  afterEach(async () => {
    await session.close();
  });
  afterAll(async () => {
    await sim?.close();
    await archived?.discard();
    await rm(dir, { recursive: true, force: true });
  });

  const fileOf = (key: string) => join(dir, 'archive', key);
  /** The archive is read-only on disk (0444); tampering needs write access first, as an attacker would get. */
  async function overwrite(key: string, bytes: Uint8Array | string) {
    await chmod(fileOf(key), 0o644);
    await writeFile(fileOf(key), bytes);
  }

  it('an untouched archive verifies, quickly and in full', async () => {
    const quick = await session.verify({ full: false });
    expect(quick).toMatchObject({ ok: true, problems: [], manifestsChecked: 6 });
    expect(quick.objectsChecked).toBeGreaterThan(6); // small parts: several per day
    const full = await session.verify({ full: true });
    expect(full.ok).toBe(true);
  });

  it('a changed byte in a data part is found by a full verification, naming the day and the key', async () => {
    const day = addDays(FIRST, 2);
    const key = dataKey('', day, 1);
    const bytes = await readFile(fileOf(key));
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 5) ^ 0xff, bytes.length - 5); // same size: only hashing finds it
    await overwrite(key, bytes);
    expect((await session.verify({ full: false })).ok).toBe(true);
    const full = await session.verify({ full: true });
    expect(full.ok).toBe(false);
    expect(full.problems).toEqual([expect.objectContaining({ day, kind: 'hash-mismatch', key })]);
  });

  it('a deleted data part makes verification fail and the calendar show the day tampered', async () => {
    const day = addDays(FIRST, 3);
    const key = dataKey('', day, 2);
    await unlink(fileOf(key));
    const result = await session.verify({ full: false });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ day, kind: 'object-missing', key })]);
    const status = await session.status({ from: day, to: day });
    expect(status.days[0]).toMatchObject({ day, state: 'tampered', error: expect.stringContaining('object-missing') });
  });

  it('two consecutive deleted manifests are both found, by the chain and by counting the days', async () => {
    const gone = [addDays(FIRST, 2), addDays(FIRST, 3)];
    for (const [i, day] of gone.entries()) await unlink(fileOf(manifestKey('', day, 3 + i)));
    const result = await session.verify({ full: false });
    expect(result.ok).toBe(false);
    const byKind = (kind: string) => result.problems.filter((p) => p.kind === kind).map((p) => p.day);
    expect(byKind('day-missing')).toEqual(gone);
    // The chain names the manifest right before the next live one.
    expect(byKind('manifest-missing')).toContain(gone[1]);
    // Their data parts are now named by no manifest: unexpected, and verification fails on them too.
    expect(byKind('unexpected-object').length).toBeGreaterThan(0);
  });

  it("an edited manifest is no longer the archive's: its signature fails, and its day is missing", async () => {
    const day = addDays(FIRST, 1);
    const key = manifestKey('', day, 2);
    const manifest = JSON.parse(await readFile(fileOf(key), 'utf8'));
    manifest.duplicatesDropped += 1; // still a valid-looking manifest: only the signature gives it away
    await overwrite(key, canonicalJsonBytes(manifest));
    const result = await session.verify({ full: false });
    expect(result.problems).toContainEqual(expect.objectContaining({ day, kind: 'signature-invalid', key }));
    expect(result.problems).toContainEqual(expect.objectContaining({ day, kind: 'day-missing' }));
  });

  it('a manifest that is not JSON is reported as invalid, not a crash', async () => {
    const day = addDays(FIRST, 4);
    const key = manifestKey('', day, 5);
    await overwrite(key, '{"format":');
    const result = await session.verify({ full: false });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.day, p.kind])).toContainEqual([day, 'manifest-invalid']);
  });

  it('a part that no manifest names in an archived day fails verification as unexpected: Athena would read it', async () => {
    const day = addDays(FIRST, 0);
    const index = (await readdir(join(dir, 'archive', 'audit-logs', ...day.split('-')))).length;
    const key = dataKey('', day, index + 1);
    const body = gzipSync('{"id":"left-behind"}\n');
    await store.putObject({
      key,
      body,
      sha256: createHash('sha256').update(body).digest('hex'),
      contentType: 'application/gzip',
      lock: { mode: 'COMPLIANCE', retainUntil: '2033-01-01T00:00:00.000Z' },
    });
    const result = await session.verify({ full: true });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ day, kind: 'unexpected-object', key })]);
  });

  it('a range verifies only its own days', async () => {
    await unlink(fileOf(dataKey('', FIRST, 1)));
    const later = await session.verify({ from: addDays(FIRST, 1), to: LAST, full: false });
    expect(later.ok).toBe(true);
    const all: Day[] = [...eachDay(FIRST, LAST)];
    expect(later.manifestsChecked).toBe(all.length - 1);
  });
});
