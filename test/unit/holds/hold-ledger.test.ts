/**
 * The hold ledger as verify, `hold list` and a release judge it: records applied in index order, a
 * day under two matters held until both are released, and records that do not count (signed by a
 * key the archive never had, rewritten after signing, another archive's) named and ignored. Real
 * signed records in a real archive folder (the ledger reads any store; only S3 enforces a hold).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdRecordKey } from '../../../shared/archive-layout';
import { addDays, type Day } from '../../../shared/day';
import type { Archive } from '../../../main/engine/archive/archive';
import { heldInRange, readHoldLedger } from '../../../main/engine/archive/holds/hold-ledger';
import {
  HOLD_RECORD_FORMAT,
  checkHoldRecordBytes,
  type UnsignedHoldRecord,
} from '../../../main/engine/archive/holds/hold-record';
import { placeHold } from '../../../main/engine/archive/holds/place-hold';
import {
  canonicalJsonBytes,
  generateSigningKey,
  sha256Hex,
  signDocument,
  type SigningKey,
} from '../../../main/engine/archive/signing';
import { archiveFixture, type ArchiveFixture } from '../archive/archive-fixture';

const NOW = '2026-11-20T12:00:00Z';
const [D1, D2] = ['2026-11-10', '2026-11-11'] as const;

describe('the hold ledger', () => {
  let fx: ArchiveFixture;
  let archive: Archive;
  let key: SigningKey;
  let archiveId: string;

  const record = (index: number, fields: Partial<UnsignedHoldRecord>): UnsignedHoldRecord => ({
    format: HOLD_RECORD_FORMAT,
    archiveId,
    index,
    action: 'place',
    matter: 'A',
    reference: '',
    reason: '',
    by: 'Dana',
    from: D1,
    to: D1,
    days: [D1],
    versions: 3,
    createdAt: new Date(Date.parse(NOW) + index * 1000).toISOString(),
    tool: { name: 'audit-archive', version: 'test' },
    ...fields,
  });
  const put = async (index: number, bytes: Buffer) => {
    const lock = { mode: 'COMPLIANCE' as const, retainUntil: '2030-01-01T00:00:00.000Z' };
    await fx.store.putObject({
      key: holdRecordKey(fx.store.prefix, index),
      body: bytes,
      sha256: sha256Hex(bytes),
      contentType: 'application/json',
      lock,
    });
  };
  const write = (index: number, fields: Partial<UnsignedHoldRecord>, signer = key) =>
    put(index, canonicalJsonBytes(signDocument(record(index, fields), signer)));
  const ledger = async () =>
    readHoldLedger(fx.store, (await archive.read({ scope: 'layout', fresh: true })).assessment);

  beforeAll(async () => {
    fx = await archiveFixture({ now: NOW, sim: { eventsPerDay: 20 } });
    await fx.exportAll([D1, D2]);
    archive = fx.archive();
    const { assessment } = await archive.read({ scope: 'layout' });
    if (assessment.root.status !== 'ok') throw new Error('no root');
    archiveId = assessment.root.root.archiveId;
    key = (await archive.options.keys.get(assessment.root.root.signingKey.fingerprint))!;
  });
  afterAll(() => fx.close());

  it('applies places and releases in order: a day under two matters stays held until both are released', async () => {
    await write(1, { matter: 'A', from: D1, to: D2, days: [D1, D2] });
    await write(2, { matter: 'B', from: D2, to: addDays(D2, 5), days: [D2] });
    let l = await ledger();
    expect([l.mattersOf(D1), l.mattersOf(D2), l.mattersOf(addDays(D2, 3) as Day)]).toEqual([['A'], ['A', 'B'], ['B']]);
    await write(3, { action: 'release', matter: 'A', from: null, to: null, days: [] });
    l = await ledger();
    expect([l.mattersOf(D1), l.mattersOf(D2)]).toEqual([[], ['B']]);
    expect([...l.matters.keys()]).toEqual(['B']);
    expect(l.nextIndex).toBe(4);
    expect(l.problems).toEqual([]);
  });

  it("names and ignores a release signed by a key the archive never had, a rewritten record and another archive's", async () => {
    await write(4, { action: 'release', matter: 'B', from: null, to: null, days: [] }, generateSigningKey());
    const signed = signDocument(record(5, { action: 'release', matter: 'B', from: null, to: null, days: [] }), key);
    await put(5, Buffer.from(JSON.stringify(signed)));
    await write(6, {
      action: 'release',
      matter: 'B',
      from: null,
      to: null,
      days: [],
      archiveId: '00000000-0000-4000-8000-000000000000',
    });
    const l = await ledger();
    expect(l.mattersOf(D2)).toEqual(['B']);
    expect(l.problems.map((p) => [p.kind, p.key?.slice(-11)])).toEqual([
      ['hold-invalid', '000004.json'],
      ['hold-invalid', '000005.json'],
      ['hold-invalid', '000006.json'],
    ]);
    expect(l.problems[0]?.detail).toContain('not signed by any of the archive');
    expect(l.problems[1]?.detail).toContain('canonical form');
    expect(l.problems[2]?.detail).toContain('another archive');
    expect(l.nextIndex).toBe(7);
  });

  it('names each period that overlaps a range with its held days cut to the range (what reports and answers state)', async () => {
    const before = addDays(D1, -3) as Day;
    await write(7, { matter: 'C', reference: 'REF-7', from: before, to: D1, days: [D1] });
    const l = await ledger();
    expect(heldInRange(l, { from: D1, to: D2 })).toEqual([
      { matter: 'B', reference: '', from: D2, to: addDays(D2, 5), heldFrom: D2, heldTo: D2 },
      { matter: 'C', reference: 'REF-7', from: before, to: D1, heldFrom: D1, heldTo: D1 },
    ]);
    expect(heldInRange(l, {}).map((h) => [h.matter, h.heldFrom, h.heldTo])).toEqual([
      ['B', D2, addDays(D2, 5)],
      ['C', before, D1],
    ]);
    expect(heldInRange(l, { from: addDays(D2, 6) as Day, to: addDays(D2, 9) as Day })).toEqual([]);
  });

  it('refuses a matter that is not one line, and a local folder before anything is read', async () => {
    const bad = canonicalJsonBytes(signDocument(record(9, { matter: 'A\nB' }), key));
    const read = checkHoldRecordBytes('k', null, bad);
    expect(read.ok).toBe(false);
    await expect(
      placeHold(archive, {
        from: D1,
        to: D1,
        matter: 'X',
        reference: '',
        reason: '',
        by: 'Dana',
        toolVersion: 't',
        settlementMinutes: 120,
      }),
    ).rejects.toThrow(/is a local folder: it cannot enforce a legal hold/);
  });
});
