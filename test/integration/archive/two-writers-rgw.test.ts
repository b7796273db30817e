/**
 * Two exporters on one bucket (the app's 02:00 schedule and a cron job on another machine): each is
 * an `audit-archive catch-up` process with its own state folder and the archive's signing key (as
 * `key export` / AUDIT_ARCHIVE_SIGNING_KEY give a second machine), against a real Ceph RGW where
 * conditional writes are not enforced. One writes at a time, the other waits and says for whom;
 * every event ends up archived exactly once on one unforked chain.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, eachDay, lastSettledDay, type Day } from '../../../shared/day';
import type { ArchiveSnapshot } from '../../../main/engine/archive/archive';
import type { ArchiveStore } from '../../../main/engine/archive/archive-store';
import { generateSigningKey, signingKeyToPem } from '../../../main/engine/archive/signing';
import { acquireWriterLease } from '../../../main/engine/archive/writer-lease';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { archivedEventIds, readArchiveAfresh } from '../../unit/archive/verify-archive.helpers';
import {
  PREFIX,
  exporterBucket,
  exporterEnv,
  exporterStore,
  runCli,
  startCli,
  verifyCli,
  type CliRun,
} from './exporter-rgw-fixture';

const RETENTION_DAYS = 2;
const WAITING = /is writing this archive; waiting for it to finish/;
/** The line a catch-up prints (not on a terminal) after each stored part: day, events taken so far. */
const STORED_PART = /^(\d{4}-\d\d-\d\d): (\d+) events, [\d.]+ \w+ written$/m;

describe('two exporters on one bucket in Ceph RGW', () => {
  const last = lastSettledDay(Date.now(), 120);
  let sim: GenesysSimulator;
  let home: string;
  /** The archive's signing key, held by both installations. */
  const keyPem = signingKeyToPem(generateSigningKey());

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'two-writers-rgw-'));
    sim = await startGenesysSimulator({ eventsPerDay: 500, duplicateRate: 0.1, seed: 23 });
  });
  afterAll(async () => {
    await sim?.close();
    await rm(home, { recursive: true, force: true });
  });

  /** One machine: its own state folder, the shared signing key. */
  const machine = (bucket: string, name: string, extra: NodeJS.ProcessEnv = {}) =>
    exporterEnv({
      home,
      target: `s3://${bucket}/${PREFIX}`,
      sim,
      retentionDays: RETENTION_DAYS,
      stateDir: join(home, `${bucket}-${name}`),
      extra: { AUDIT_ARCHIVE_SIGNING_KEY: keyPem, ...extra },
    });

  /** Every day holds exactly the events Genesys has, once; the chain is one line of unique sequence numbers. */
  async function expectArchivedOnceOnOneChain(store: ArchiveStore, from: Day, to: Day): Promise<ArchiveSnapshot> {
    const snapshot = await readArchiveAfresh(store);
    for (const day of eachDay(from, to)) {
      const ids = await archivedEventIds(store, day, snapshot);
      expect(ids.length, day).toBe(new Set(ids).size);
      expect(ids.sort(), day).toEqual(sim.expectedEventIds(day).sort());
      expect(snapshot.assessment.days.get(day)?.manifests, day).toHaveLength(1);
    }
    const sequences = snapshot.assessment.chain.map((c) => c.manifest.sequence);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    expect(snapshot.listing.manifests.size).toBe(sequences.length);
    for (const [i, c] of snapshot.assessment.chain.entries()) {
      const previous = snapshot.assessment.chain[i - 1];
      expect(c.manifest.previous).toEqual(
        previous ? { key: previous.key, sequence: previous.manifest.sequence, sha256: previous.sha256 } : null,
      );
    }
    return snapshot;
  }

  it('two catch-ups started together over overlapping days take turns, the second names the first; a rerun finds nothing to do', async () => {
    const bucket = await exporterBucket('two-w', 'COMPLIANCE', RETENTION_DAYS);
    const [from, to] = [addDays(last, -7), last];
    const a = machine(bucket, 'app');
    const b = machine(bucket, 'cron');
    const first = startCli(['catch-up', '--from', from, '--to', addDays(last, -2), '--concurrency', '2'], a);
    const second = startCli(['catch-up', '--from', addDays(last, -5), '--to', to, '--concurrency', '2'], b);
    const runs: Array<{ pid: number; run: CliRun }> = [
      { pid: first.pid, run: await first.done },
      { pid: second.pid, run: await second.done },
    ];
    for (const { run } of runs) {
      expect(run.stderr).toMatch(/Catch-up finished: \d+ day\(s\) archived, 0 failed/);
      expect(run.code).toBe(0);
    }
    // Exactly one of them waited, and said for whom: the other process, by pid.
    const waited = runs.filter(({ run }) => WAITING.test(run.stderr));
    expect(waited).toHaveLength(1);
    const holder = runs.find((r) => r !== waited[0])!;
    expect(waited[0]!.run.stderr).toContain(`the audit-archive CLI (pid ${holder.pid} on `);

    const rerun = await runCli(['catch-up', '--from', from, '--to', to], a);
    expect(rerun.stderr).toContain('0 day(s) to archive');
    expect(rerun.code).toBe(0);

    await expectArchivedOnceOnOneChain(exporterStore(bucket), from, to);
    for (const env of [a, b]) {
      const { text, report } = await verifyCli(['--from', from, '--to', to, '--full'], env);
      expect(report.problems).toEqual([]);
      expect(text.stdout).toMatch(/^OK: /);
      expect(text.code).toBe(0);
    }
  });

  it('a writer killed mid-day while it holds the lease is taken over once its heartbeat is stale, and the other finishes the job', async () => {
    const bucket = await exporterBucket('two-k', 'COMPLIANCE', RETENTION_DAYS);
    const [from, to] = [addDays(last, -4), last];
    // A short stale period (3 s without a heartbeat), and small parts (about four a day), so the
    // killed run leaves parts without a manifest.
    const config = join(home, `${bucket}.json`);
    await writeFile(config, JSON.stringify({ archive: { maxPartBytes: 16 * 1024, lease: { staleSeconds: 3 } } }));
    const args = ['catch-up', '--config', config, '--from', from, '--to', to, '--concurrency', '1'];
    const a = machine(bucket, 'app');
    const b = machine(bucket, 'cron');

    // Genesys answers slowly, so the first writer is still at work while the second starts and waits.
    sim.setOptions({ latencyMs: 600 });
    try {
      const killed = startCli(args, a);
      await killed.stderrMatches(STORED_PART);
      const survivor = startCli(args, b);
      const waiting = await survivor.stderrMatches(WAITING);
      expect(waiting).toContain(`the audit-archive CLI (pid ${killed.pid} on `);
      // Killed right after storing a part that is not its day's last: the day has parts, no manifest.
      const seen = killed.stderr.length;
      await killed.stderrMatches((text) =>
        [...text.slice(seen).matchAll(new RegExp(STORED_PART, 'gm'))].some(
          (m) => Number(m[2]) < sim.expectedEventCount(m[1] as Day) - 50,
        ),
      );
      killed.child.kill('SIGKILL');
      expect((await killed.done).signal).toBe('SIGKILL');
      sim.setOptions({ latencyMs: 0 });

      const finished = await survivor.done;
      expect(finished.stderr).toMatch(/Catch-up finished: \d+ day\(s\) archived, 0 failed/);
      expect(finished.code).toBe(0);
    } finally {
      sim.setOptions({ latencyMs: 0 });
    }

    await expectArchivedOnceOnOneChain(exporterStore(bucket), from, to);
    const { json, report } = await verifyCli(['--from', from, '--to', to, '--full'], b);
    // What the killed run left is informational: named, never counted, never a failure.
    expect(report.problems.length).toBeGreaterThan(0);
    expect(report.problems.every((p) => p.kind === 'orphan')).toBe(true);
    expect(report.ok).toBe(true);
    expect(json.code).toBe(0);
  });

  it('writers contending for the S3 lease at the same instant never hold it together, and each gets its turn', async () => {
    const bucket = await exporterBucket('two-l', 'COMPLIANCE', RETENTION_DAYS);
    let holding = 0;
    let together = 0;
    const turns: string[] = [];
    for (let round = 0; round < 4; round++) {
      await Promise.all(
        ['app', 'cron', 'laptop', 'ci'].map(async (program) => {
          // A store (and S3 client) of its own per writer, as separate processes have.
          const store = exporterStore(bucket);
          const lease = await acquireWriterLease(store.writerLease(), {
            program,
            ttlMs: 2000,
            waitMs: 60_000,
            archiveUrl: store.url,
          });
          if (++holding > 1) together++;
          await new Promise((r) => setTimeout(r, 150));
          holding--;
          turns.push(`${round}:${program}`);
          await lease.release();
        }),
      );
    }
    expect(together).toBe(0);
    expect(turns).toHaveLength(16);
  });
});
