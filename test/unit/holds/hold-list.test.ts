/**
 * The list of matters holding days now (`hold list`, the app's Legal holds page): each matter's
 * periods, and the days they cover counted against the archive as read (archived and so held,
 * still to come, settled but not archived, also held by another matter), each day once however
 * many periods cover it; a released matter is gone, and a record that does not count is named, never
 * listed. Real signed records in a real archive folder; a local folder itself lists nothing and says
 * why (only S3 Object Lock can enforce a hold).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdRecordKey } from '../../../shared/archive-layout';
import { lastSettledDay } from '../../../shared/day';
import type { Archive } from '../../../main/engine/archive/archive';
import { readHoldLedger } from '../../../main/engine/archive/holds/hold-ledger';
import { listedMatters, listHolds } from '../../../main/engine/archive/holds/hold-list';
import { HOLD_RECORD_FORMAT, type UnsignedHoldRecord } from '../../../main/engine/archive/holds/hold-record';
import { canonicalJsonBytes, sha256Hex, signDocument, type SigningKey } from '../../../main/engine/archive/signing';
import { archiveFixture, type ArchiveFixture } from '../archive/archive-fixture';
import { cliInProcess } from '../cli/cli-in-process';

const NOW = '2026-11-20T12:00:00Z';
const SETTLEMENT_MINUTES = 120;
const [D1, D2] = ['2026-11-10', '2026-11-11'] as const;
const LAST_SETTLED = lastSettledDay(Date.parse(NOW), SETTLEMENT_MINUTES);

describe('the list of matters holding days now', () => {
  let fx: ArchiveFixture;
  let archive: Archive;
  let key: SigningKey;
  let archiveId: string;

  const write = async (index: number, fields: Partial<UnsignedHoldRecord>) => {
    const unsigned: UnsignedHoldRecord = {
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
    };
    const bytes = canonicalJsonBytes(signDocument(unsigned, key));
    await fx.store.putObject({
      key: holdRecordKey(fx.store.prefix, index),
      body: bytes,
      sha256: sha256Hex(bytes),
      contentType: 'application/json',
      lock: { mode: 'COMPLIANCE', retainUntil: '2030-01-01T00:00:00.000Z' },
    });
  };
  const list = async () => {
    const { assessment } = await archive.read({ scope: 'layout', fresh: true });
    const ledger = await readHoldLedger(fx.store, assessment);
    return { matters: listedMatters(ledger, assessment, LAST_SETTLED), problems: ledger.problems };
  };

  beforeAll(async () => {
    fx = await archiveFixture({ now: NOW, sim: { eventsPerDay: 20 } });
    await fx.exportAll([D1, D2]);
    archive = fx.archive();
    const { assessment } = await archive.read({ scope: 'layout' });
    if (assessment.root.status !== 'ok') throw new Error('no root');
    archiveId = assessment.root.root.archiveId;
    key = (await archive.options.keys.get(assessment.root.root.signingKey.fingerprint))!;

    await write(1, { matter: 'SEC inquiry', reference: 'HO-1234', reason: 'subpoena', from: D1, to: D2 });
    // Placed before the archive had the days after D2, and again on D2 alone: one matter, two periods.
    await write(2, { matter: 'Litigation B', by: 'Counsel', from: D2, to: '2026-11-21' });
    await write(3, { matter: 'Litigation B', from: D2, to: D2 });
    await write(4, { matter: 'Released', from: D1, to: D1 });
    await write(5, { action: 'release', matter: 'Released', from: null, to: null, days: [] });
    await fx.store.putObject({
      key: holdRecordKey(fx.store.prefix, 6),
      body: Buffer.from('{"matter":"Forged"}'),
      sha256: sha256Hex(Buffer.from('{"matter":"Forged"}')),
      contentType: 'application/json',
      lock: { mode: 'COMPLIANCE', retainUntil: '2030-01-01T00:00:00.000Z' },
    });
  });
  afterAll(() => fx.close());

  it("lists each matter's periods with the record's words, in the order they were placed", async () => {
    const { matters } = await list();
    expect(matters.map((m) => m.matter)).toEqual(['SEC inquiry', 'Litigation B']);
    expect(matters[0]?.periods).toEqual([
      expect.objectContaining({ from: D1, to: D2, reference: 'HO-1234', reason: 'subpoena', by: 'Dana' }),
    ]);
    expect(matters[1]?.periods.map((p) => [p.from, p.to, p.by])).toEqual([
      [D2, '2026-11-21', 'Counsel'],
      [D2, D2, 'Dana'],
    ]);
  });

  it('counts the days each matter covers: archived, still to come, settled but not archived, shared', async () => {
    expect(LAST_SETTLED).toBe('2026-11-19');
    const [sec, b] = (await list()).matters;
    expect(sec).toMatchObject({
      archived: { count: 2, first: D1, last: D2 },
      later: { count: 0, first: null, last: null },
      notArchived: { count: 0 },
      shared: { count: 1, first: D2, last: D2 },
    });
    // D2 counted once though two of its periods cover it; 12 to 19 settled and never archived; 20 and 21 to come.
    expect(b).toMatchObject({
      archived: { count: 1, first: D2, last: D2 },
      later: { count: 2, first: '2026-11-20', last: '2026-11-21' },
      notArchived: { count: 8, first: '2026-11-12', last: '2026-11-19' },
      shared: { count: 1, first: D2, last: D2 },
    });
  });

  it('names a record that does not count and lists nothing of it', async () => {
    const { matters, problems } = await list();
    expect(matters.map((m) => m.matter)).not.toContain('Forged');
    expect(problems.map((p) => [p.kind, p.key?.slice(-11)])).toEqual([['hold-invalid', '000006.json']]);
  });

  it('on a local folder lists nothing, records or not, and says why', async () => {
    const local = await listHolds(archive, { settlementMinutes: SETTLEMENT_MINUTES });
    expect(local.matters).toEqual([]);
    expect(local.problems).toEqual([]);
    expect(local.refusal).toMatch(
      /is a local folder: it cannot enforce a legal hold .* Holds need S3 Object Lock storage\.$/,
    );
    expect(local.archive).toBe(fx.store.url);

    // `hold list` says the same, in text and JSON, and exits 0: there is nothing it could hold.
    const env = { AUDIT_ARCHIVE_TARGET: fx.store.url, AUDIT_ARCHIVE_STATE_DIR: fx.stateDir };
    const text = await cliInProcess(['hold', 'list'], env);
    expect([text.code, text.stdout]).toEqual([
      0,
      `${fx.store.url} is a local folder: it cannot hold anything (holds need S3 Object Lock).\n`,
    ]);
    const json = await cliInProcess(['hold', 'list', '--json'], env);
    expect([json.code, JSON.parse(json.stdout)]).toEqual([0, { archive: fx.store.url, matters: [], problems: [] }]);
  });
});
