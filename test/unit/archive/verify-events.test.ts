/**
 * "Every event exactly once", proved by `verify --full` from the archive's own lines
 * (main/engine/archive/verify/day-events.ts): days forged by someone holding the installation's
 * signing key and state folder (forge-parts.ts: the parts rewritten, every manifest from there
 * re-signed and re-linked, the head record moved on), so that nothing but the lines gives them away.
 * The same on Ceph RGW, with a forged reconcile, is in test/integration/archive/attacks-rgw.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type ArchiveFixture, archiveFixtureOnce } from './archive-fixture';
import type { ResultRow } from '../../../shared/discovery/result-metadata';
import { LocalQueryEngine } from '../../../main/engine/discovery/local-engine';
import { runDiscoveryQuery } from '../../../main/engine/discovery/run-query';
import { dayParts, forgeParts, partLines, writeOver, type LocalArchive, type PartEdit } from './forge-parts';

let fx: ArchiveFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const ONE_EXPORT = '2026-11-24';
const WITH_RECONCILE = '2026-11-25';

/**
 * Two days of 1,500 events in 64 KiB parts (three or more parts each): the 24th exported once, the
 * 25th exported early (a 20-hour indexing lag shows only its first hours) and reconciled later, so
 * its events sit under two manifests.
 */
const twoDays = archiveFixtureOnce(
  { now: '2026-11-26T03:00:00Z', sim: { eventsPerDay: 1500, settlementLagMinutes: 20 * 60 } },
  async (f) => {
    await f.export(ONE_EXPORT);
    await f.export(WITH_RECONCILE);
    f.clock.now = Date.parse('2026-11-26T23:00:00Z'); // every event of the 25th shows; the 26th is not settled
    const reconciled = await f.export(WITH_RECONCILE, { reconcile: true });
    expect(reconciled.outcome).toBe('reconciled');
    expect((await f.verify({ full: true })).problems).toEqual([]);
  },
);

/** The fixture as its holder sees it: the folder, the state folder and the key in it. */
const held = (f: ArchiveFixture): LocalArchive => ({ archive: f.archive(), store: f.store, stateDir: f.stateDir });
const partsOf = async (f: ArchiveFixture, day: string) => ({ parts: await dayParts(held(f), day) });
const linesOf = (f: ArchiveFixture, key: string) => partLines(held(f), key);
const idOf = (line: string) => (JSON.parse(line) as { id: string }).id;
const forge = (f: ArchiveFixture, edits: Record<string, PartEdit>) => forgeParts(held(f), edits);

/** Fast verify sees nothing of a forgery made with the key: only the lines give it away. */
async function onlyFullVerifySees(f: ArchiveFixture) {
  const fast = await f.verify();
  expect(fast.problems).toEqual([]);
  expect(fast.ok).toBe(true);
  const full = await f.verify({ full: true });
  expect(full.ok).toBe(false);
  return full;
}

describe('verify --full proves every event is archived exactly once, from the lines', () => {
  it('a clean archive of multi-part days, one of them reconciled, verifies in full with no finding', async () => {
    fx = await twoDays.fresh();
    const one = await partsOf(fx, ONE_EXPORT);
    const two = await partsOf(fx, WITH_RECONCILE);
    expect(one.parts.length).toBeGreaterThanOrEqual(3);
    expect(two.parts.length).toBeGreaterThanOrEqual(2);
    const full = await fx.verify({ full: true });
    expect(full.problems).toEqual([]);
    expect(full.ok).toBe(true);
    expect(full.objectsChecked).toBe(one.parts.length + two.parts.length);
  });

  it('an event twice in one part, re-signed with the installation key, is event-duplicated: its id, the day and both lines', async () => {
    fx = await twoDays.fresh();
    const [part] = (await partsOf(fx, ONE_EXPORT)).parts;
    const lines = await linesOf(fx, part!.key);
    const id = idOf(lines[0]!);
    // The third line becomes a copy of the first: the count the manifest signs stays the same.
    await forge(fx, { [part!.key]: (l) => [l[0]!, l[1]!, l[0]!, ...l.slice(3)] });
    const full = await onlyFullVerifySees(fx);
    expect(full.problems).toEqual([
      {
        day: ONE_EXPORT,
        kind: 'event-duplicated',
        key: part!.key,
        detail: `Event id "${id}" is in the parts of ${ONE_EXPORT} 2 times: ${part!.key} line 1, ${part!.key} line 3.`,
      },
    ]);
  });

  it('the same forgery (an event twice in a part) is still one row in a local query, whose cache is built from those lines', async () => {
    fx = await twoDays.fresh();
    const [part] = (await partsOf(fx, ONE_EXPORT)).parts;
    const ids = new Set<string>();
    for (const p of (await partsOf(fx, ONE_EXPORT)).parts) for (const l of await linesOf(fx, p.key)) ids.add(idOf(l));
    await forge(fx, { [part!.key]: (l) => [l[0]!, l[1]!, l[0]!, ...l.slice(3)] });
    const cacheFolder = await mkdtemp(path.join(os.tmpdir(), 'aa-verify-events-cache-'));
    const engine = new LocalQueryEngine({ store: fx.store, cacheFolder, threads: 2, cacheSealKey: null });
    try {
      const rows: ResultRow[] = [];
      await runDiscoveryQuery({
        engine,
        query: {
          kind: 'sql',
          sql: 'SELECT count(*) AS events, count(DISTINCT id) AS ids FROM audit_events',
          parameters: [],
          range: { from: ONE_EXPORT, to: ONE_EXPORT },
        },
        archive: fx.store.url,
        onPage: (page) => void rows.push(...page),
      });
      // One line was overwritten by a copy of another: one id fewer, each of the rest once.
      expect(rows).toEqual([[ids.size - 1, ids.size - 1]]);
    } finally {
      await engine.close();
      await rm(cacheFolder, { recursive: true, force: true });
    }
  });

  it('one id in two parts of a day, across its export and its reconcile, is named with both places', async () => {
    fx = await twoDays.fresh();
    const { parts } = await partsOf(fx, WITH_RECONCILE);
    const first = parts[0]!;
    const last = parts.at(-1)!; // the reconcile's part
    const exported = (await linesOf(fx, first.key))[4]!;
    await forge(fx, { [last.key]: (l) => [...l.slice(0, -1), exported] });
    const full = await onlyFullVerifySees(fx);
    const n = (await linesOf(fx, last.key)).length;
    expect(full.problems).toEqual([
      expect.objectContaining({
        day: WITH_RECONCILE,
        kind: 'event-duplicated',
        key: last.key,
        detail: `Event id "${idOf(exported)}" is in the parts of ${WITH_RECONCILE} 2 times: ${first.key} line 5, ${last.key} line ${n}.`,
      }),
    ]);
  });

  it('a line that is not JSON is event-invalid, by key and line number', async () => {
    fx = await twoDays.fresh();
    const part = (await partsOf(fx, ONE_EXPORT)).parts[1]!;
    await forge(fx, { [part.key]: (l) => [l[0]!, l[1]!.slice(0, 40), ...l.slice(2)] });
    const full = await onlyFullVerifySees(fx);
    expect(full.problems).toEqual([
      { day: ONE_EXPORT, kind: 'event-invalid', key: part.key, detail: `${part.key} line 2 is not JSON.` },
    ]);
  });

  it('JSON that is not an audit event, and an event dated the next day, are event-invalid, each named', async () => {
    fx = await twoDays.fresh();
    const part = (await partsOf(fx, ONE_EXPORT)).parts.at(-1)!;
    const nextDay = (line: string) => {
      const event = JSON.parse(line) as { eventDate: string };
      return JSON.stringify({ ...event, eventDate: '2026-11-25T00:00:00.000Z' });
    };
    const noId = (line: string) => {
      const { id: _id, ...rest } = JSON.parse(line) as { id: string };
      return JSON.stringify(rest);
    };
    await forge(fx, { [part.key]: (l) => [nextDay(l[0]!), noId(l[1]!), ...l.slice(2)] });
    const full = await onlyFullVerifySees(fx);
    const tally = ` 2 lines of the parts of ${ONE_EXPORT} are not audit events of the day.`;
    expect(full.problems).toEqual([
      {
        day: ONE_EXPORT,
        kind: 'event-invalid',
        key: part.key,
        detail: `${part.key} line 1 is an event dated 2026-11-25T00:00:00.000Z, outside ${ONE_EXPORT} (UTC).${tally}`,
      },
      {
        day: ONE_EXPORT,
        kind: 'event-invalid',
        key: part.key,
        detail: expect.stringMatching(new RegExp(`^${part.key} line 2 is not an audit event \\(id: .+\\)\\.${tally}$`)),
      },
    ]);
  });

  it('a forged day with thousands of repeated lines is reported in a bounded number of problems that say how many', async () => {
    fx = await twoDays.fresh();
    const [first, second] = (await partsOf(fx, ONE_EXPORT)).parts;
    const firstLines = await linesOf(fx, first!.key);
    const ids = firstLines.map(idOf);
    const smallest = ids.indexOf([...ids].sort()[0]!);
    // In the second part: the first part's line with the smallest id 5,000 times, every line of the
    // first part once more, and 30 lines that are not JSON.
    await forge(fx, {
      [second!.key]: (l) => [
        ...l,
        ...Array.from({ length: 5000 }, () => firstLines[smallest]!),
        ...firstLines,
        ...Array.from({ length: 30 }, (_, i) => `not an event ${i}`),
      ],
    });
    const full = await onlyFullVerifySees(fx);
    const duplicated = full.problems.filter((p) => p.kind === 'event-duplicated');
    const invalid = full.problems.filter((p) => p.kind === 'event-invalid');
    expect(full.problems).toHaveLength(20);
    expect(duplicated).toHaveLength(10);
    expect(invalid).toHaveLength(10);
    // The smallest ids, whatever order the parts were read in, each saying how many there are.
    const tally = ` ${ids.length} event ids are repeated on ${ONE_EXPORT} (${(5000 + ids.length).toLocaleString('en')} lines repeat an id already there); the first 10 in sort order are named.`;
    expect(duplicated.map((p) => /^Event id "([^"]+)"/.exec(p.detail)?.[1]).sort()).toEqual(
      [...ids].sort().slice(0, 10),
    );
    for (const p of duplicated) expect(p.detail.endsWith(tally)).toBe(true);
    const many = duplicated.find((p) => p.detail.startsWith(`Event id "${ids[smallest]}"`))!;
    expect(many.detail).toContain(
      `is in the parts of ${ONE_EXPORT} 5,002 times: ${first!.key} line ${smallest + 1}, ${second!.key} line ${second!.events + 1}, `,
    );
    expect(many.detail).toContain(', and 4,997 more.');
    // The first ten lines that are not JSON, in order.
    const firstBad = second!.events + 5000 + firstLines.length + 1;
    expect(invalid.map((p) => p.detail.split(' is not JSON.')[0])).toEqual(
      Array.from({ length: 10 }, (_, i) => `${second!.key} line ${firstBad + i}`),
    );
    for (const p of invalid)
      expect(p.detail).toContain(
        ` 30 lines of the parts of ${ONE_EXPORT} are not audit events of the day; the first 10 are named.`,
      );
  });

  it('a part changed without re-signing is hash-mismatch only: its lines are not what the manifest vouches for', async () => {
    fx = await twoDays.fresh();
    const part = (await partsOf(fx, ONE_EXPORT)).parts[0]!;
    const lines = await linesOf(fx, part.key);
    // The second line becomes a copy of the first and the third is cut short, at the size the
    // manifest recorded: only the bytes tell.
    const changed = [lines[0]!, lines[0]!, lines[2]!.slice(0, 40), ...lines.slice(3)];
    const raw = Buffer.from(changed.map((l) => l + '\n').join(''));
    await writeOver(held(fx), part.key, gzipToSize(raw, part.size));
    const full = await fx.verify({ full: true });
    expect(full.problems).toEqual([
      expect.objectContaining({
        day: ONE_EXPORT,
        kind: 'hash-mismatch',
        key: part.key,
        // Read as gzip and its lines counted: the lines were read, and are not reported.
        detail: expect.stringContaining(`, ${part.events} events (recorded ${part.events}).`),
      }),
    ]);
  });
});

/** `raw` gzipped, padded to exactly `size` bytes with a header comment (RFC 1952 FCOMMENT). */
function gzipToSize(raw: Buffer, size: number): Buffer {
  const gz = gzipSync(raw, { level: 9 });
  const pad = size - gz.length;
  if (pad < 1) throw new Error(`the changed part gzips to ${gz.length} bytes, not under ${size}`);
  const header = Buffer.from(gz.subarray(0, 10));
  header[3] = (header[3]! | 0x10) >>> 0;
  return Buffer.concat([header, Buffer.alloc(pad - 1, 0x78), Buffer.from([0]), gz.subarray(10)]);
}
