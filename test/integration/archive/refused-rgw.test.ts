/**
 * A refused command leaves an S3 archive exactly as it found it, on a real Ceph RGW with
 * COMPLIANCE Object Lock, where anything written stays for years: no root object (a typo in a
 * prefix must not leave an archive.json no one can delete until 2033), no lease object, no new
 * version of anything. Each command runs as a separate `audit-archive` process with the exporter's
 * credentials. The same on a local folder is in test/unit/cli/refused-commands.test.ts.
 */
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayFromMs, lastSettledDay } from '../../../shared/day';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { rawClient } from '../stores/rgw-fixtures';
import { PREFIX, exporterBucket, exporterEnv, runCli } from './exporter-rgw-fixture';

const RETENTION_DAYS = 2;

/** Every version and delete marker under the prefix, as the bucket's owner lists them. */
async function versionsUnder(bucket: string): Promise<string[]> {
  const out: string[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await rawClient().send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: `${PREFIX}/`,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    for (const v of page.Versions ?? []) out.push(`${v.Key} ${v.VersionId}`);
    for (const m of page.DeleteMarkers ?? []) out.push(`${m.Key} ${m.VersionId} delete-marker`);
    if (!page.IsTruncated) return out.sort();
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

describe('a refused command leaves an archive in Ceph RGW as it found it', () => {
  const yesterday = lastSettledDay(Date.now(), 120);
  const today = dayFromMs(Date.now());
  const old = addDays(yesterday, -400);
  let sim: GenesysSimulator;
  let other: GenesysSimulator;
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'refused-rgw-'));
    sim = await startGenesysSimulator({ eventsPerDay: 60, seed: 5 });
    other = await startGenesysSimulator({ eventsPerDay: 60, seed: 6 });
  });
  afterAll(async () => {
    await sim?.close();
    await other?.close();
    await rm(home, { recursive: true, force: true });
  });

  const envOf = (bucket: string, state: string, source: GenesysSimulator = sim, extra: NodeJS.ProcessEnv = {}) =>
    exporterEnv({
      home,
      target: `s3://${bucket}/${PREFIX}`,
      sim: source,
      retentionDays: RETENTION_DAYS,
      stateDir: join(home, `${bucket}-${state}`),
      extra,
    });

  it('on a fresh prefix: an unsettled day, an unrecoverable day and demo data write no root and no lease object; nor does a catch-up with nothing to do', async () => {
    const bucket = await exporterBucket('refused-f', 'COMPLIANCE', RETENTION_DAYS);
    const env = envOf(bucket, 'a');
    for (const [args, expected] of [
      [['export', '--day', today], { code: 2, text: '[DAY_UNSETTLED]' }],
      [['export', '--day', old], { code: 2, text: '[DAY_UNRECOVERABLE]' }],
      [['export', '--day', yesterday, '--demo', 'true'], { code: 1, text: '[ARCHIVE_SOURCE_MISMATCH]' }],
    ] as const) {
      const r = await runCli(args, env);
      expect(r.stderr, args.join(' ')).toContain(expected.text);
      expect(r.stderr).toContain('Nothing was written');
      expect(r.code).toBe(expected.code);
      expect(await versionsUnder(bucket), args.join(' ')).toEqual([]);
    }
    // A catch-up with nothing it may archive (days Genesys no longer holds) is no refusal, and writes nothing either.
    const nothing = await runCli(['catch-up', '--from', old, '--to', addDays(old, 2)], env);
    expect(nothing.stderr).toContain('0 day(s) to archive');
    expect(nothing.code).toBe(0);
    expect(await versionsUnder(bucket)).toEqual([]);
  });

  it('on an archive: an archived day, an unsettled day, another organisation and demo data add no object and no version', async () => {
    const bucket = await exporterBucket('refused-a', 'COMPLIANCE', RETENTION_DAYS);
    const env = envOf(bucket, 'a');
    expect((await runCli(['export', '--day', yesterday], env)).code).toBe(0);
    const before = await versionsUnder(bucket);
    expect(before.some((v) => v.startsWith(`${PREFIX}/archive.json `))).toBe(true);

    const again = await runCli(['export', '--day', yesterday], env);
    expect(again.stderr).toContain('already archived; nothing written');
    expect(again.code).toBe(0);
    expect(await versionsUnder(bucket)).toEqual(before);

    for (const [args, runEnv, text] of [
      [['export', '--day', today], env, '[DAY_UNSETTLED]'],
      [['export', '--day', addDays(yesterday, -1)], envOf(bucket, 'foreign', other), '[ARCHIVE_SOURCE_MISMATCH]'],
      [
        ['export', '--day', addDays(yesterday, -1), '--demo', 'true'],
        envOf(bucket, 'demo'),
        '[ARCHIVE_SOURCE_MISMATCH]',
      ],
    ] as const) {
      const r = await runCli(args, runEnv);
      expect(r.stderr, args.join(' ')).toContain(text);
      expect(r.code).not.toBe(0);
      expect(await versionsUnder(bucket), args.join(' ')).toEqual(before);
    }
  });
});
