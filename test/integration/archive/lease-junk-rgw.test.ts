/**
 * The S3 writer lease against junk under `lease/`, planted with the exporter's own credentials in a
 * real Ceph RGW: over a thousand keys (more than one of S3's full listing pages) sorting before the
 * real claims, and claim-shaped keys that no one heartbeats. Writers still exclude each other, over many more listing pages than the 100 the
 * listing once stopped at; nothing planted holds the lease; verify names every junk key.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addDays, lastSettledDay } from '../../../shared/day';
import { S3ClaimLease } from '../../../main/engine/archive/stores/s3-lease';
import { acquireWriterLease, newLeaseHolder } from '../../../main/engine/archive/writer-lease';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { PREFIX, exporterBucket, exporterClient, exporterEnv, runCli, verifyCli } from './exporter-rgw-fixture';

const RETENTION_DAYS = 2;
const JUNK = 1100;
const PAGE_SIZE = 10;

/** A claim key's `<start>` (YYYYMMDDTHHMMSSZ), as the lease names claims. */
function leaseStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Writes small objects as anyone holding s3:PutObject can (the bucket's default retention locks them). */
async function plant(client: S3Client, bucket: string, entries: Array<{ key: string; body: string }>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: 24 }, async () => {
      while (next < entries.length) {
        const { key, body } = entries[next++]!;
        const bytes = Buffer.from(body);
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: bytes,
            ContentMD5: createHash('md5').update(bytes).digest('base64'),
          }),
        );
      }
    }),
  );
}

/** Counts the ListObjectVersions requests a client sends. */
function countListings(client: S3Client): { readonly count: number } {
  const counter = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ListObjectVersionsCommand') counter.count++;
      return next(args);
    },
    { step: 'initialize' },
  );
  return counter;
}

describe('the S3 writer lease with junk planted under lease/ in Ceph RGW', () => {
  let sim: GenesysSimulator;
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'lease-junk-rgw-'));
    sim = await startGenesysSimulator({ eventsPerDay: 100, seed: 29 });
  });
  afterAll(async () => {
    await sim?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('over a thousand junk keys before the claims hide none of them, however many pages; a claim no one heartbeats, with a forged start, holds nothing; verify names the junk', async () => {
    const bucket = await exporterBucket('lease-j', 'COMPLIANCE', RETENTION_DAYS);
    const env = exporterEnv({ home, target: `s3://${bucket}/${PREFIX}`, sim, retentionDays: RETENTION_DAYS });
    const day = lastSettledDay(Date.now(), 120);
    expect((await runCli(['export', '--day', day], env)).code).toBe(0);

    // Junk sorting before every claim made from now on, and a claim-shaped key that says it started
    // three days ago (it was written now) and holds for an hour: planted once, never heartbeated.
    const attacker = exporterClient();
    const earlier = leaseStamp(Date.now() - 120_000);
    const junk = Array.from(
      { length: JUNK },
      (_, i) => `${PREFIX}/lease/${earlier}-junk-${String(i).padStart(5, '0')}`,
    );
    const forged = `${PREFIX}/lease/${leaseStamp(Date.now() - 3 * 86_400_000)}-3600-${randomUUID()}-0.claim`;
    await plant(attacker, bucket, [
      ...junk.map((key) => ({ key, body: '{}' })),
      { key: forged, body: JSON.stringify(newLeaseHolder('a forged claim')) },
    ]);

    // Two writers, each with its own client, listing 10 keys a page: 110 pages of junk before the claims.
    const lease = (client: S3Client) =>
      new S3ClaimLease(client, bucket, PREFIX, `s3://${bucket}/${PREFIX}`, { pageSize: PAGE_SIZE });
    const options = (program: string) => ({
      program,
      ttlMs: 60_000,
      waitMs: 0,
      archiveUrl: `s3://${bucket}/${PREFIX}`,
    });
    const first = await acquireWriterLease(lease(exporterClient()), options('the first writer'));
    const secondClient = exporterClient();
    const listings = countListings(secondClient);
    await expect(acquireWriterLease(lease(secondClient), options('the second writer'))).rejects.toMatchObject({
      code: 'ARCHIVE_BUSY',
      message: expect.stringContaining('the first writer'),
    });
    expect(listings.count).toBeGreaterThan(JUNK / PAGE_SIZE);
    expect(listings.count).toBeGreaterThan(100);
    await first.release();
    const second = await acquireWriterLease(lease(secondClient), options('the second writer'));
    await second.release();

    // The exporter itself (S3's full pages) ignores the junk and keeps working beside it.
    expect((await runCli(['export', '--day', addDays(day, -1)], env)).code).toBe(0);

    // Verify names every key under lease/ that is not a claim's, and only those.
    const { text, report } = await verifyCli(['--from', addDays(day, -1), '--to', day], env);
    const named = report.problems.filter((p) => p.kind === 'unexpected-object').map((p) => p.key);
    expect(named.sort()).toEqual(junk);
    expect(report.problems.every((p) => p.kind === 'unexpected-object')).toBe(true);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`unexpected-object ${junk[0]}`);
  }, 180_000);

  it("a writer whose clock is ten minutes ahead of the store's is told to set it, and its claim keeps no one out", async () => {
    const bucket = await exporterBucket('lease-c', 'COMPLIANCE', RETENTION_DAYS);
    const url = `s3://${bucket}/${PREFIX}`;
    const options = (program: string) => ({ program, ttlMs: 60_000, waitMs: 0, archiveUrl: url });
    const realNow = Date.now.bind(Date);
    const ahead = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 10 * 60_000);
    try {
      await expect(
        acquireWriterLease(new S3ClaimLease(exporterClient(), bucket, PREFIX, url), options('the fast clock')),
      ).rejects.toMatchObject({
        code: 'ARCHIVE_UNREACHABLE',
        message: expect.stringMatching(/clock is \d+ s ahead of the clock of .*set the clock \(NTP\)/),
      });
    } finally {
      ahead.mockRestore();
    }
    const lease = await acquireWriterLease(new S3ClaimLease(exporterClient(), bucket, PREFIX, url), options('on time'));
    await lease.release();
  });
});
