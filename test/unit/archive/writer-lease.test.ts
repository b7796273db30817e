/**
 * One writer at a time on a local archive folder: the app's schedule and a cron job on one
 * archive take turns, a writer that died is taken over, and a writer that lost the lease stops
 * before it writes a manifest.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LockFileLease } from '../../../main/engine/archive/stores/local-lease';
import {
  acquireWriterLease,
  newLeaseHolder,
  RENEWAL_ATTEMPTS,
  type LeaseHolder,
  type LeaseMechanism,
} from '../../../main/engine/archive/writer-lease';
import { type ArchiveFixture, archiveFixture } from './archive-fixture';

let fx: ArchiveFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

const leaseFile = (f: ArchiveFixture) => path.join(f.root, 'org-a', '.writer-lease');

describe('one writer at a time on an archive folder', () => {
  it('a second writer that may not wait is refused, naming the holder; nothing is written twice', async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 50 } });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = fx.archive({ lease: { ttlMs: 5000, waitMs: 0, program: 'the Audit Archive app' } });
    const firstRun = first.withWriter(await fx.request(), async () => held).catch((e) => e);
    await waitFor(() =>
      fs.stat(leaseFile(fx!)).then(
        () => true,
        () => false,
      ),
    );
    await expect(
      fx.export('2026-11-25', {}, fx.archive({ lease: { ttlMs: 5000, waitMs: 0, program: 'the audit-archive CLI' } })),
    ).rejects.toMatchObject({
      code: 'ARCHIVE_BUSY',
      message: expect.stringContaining(`the Audit Archive app (pid ${process.pid} on ${hostname()}`),
    });
    release();
    await firstRun;
    // Once released, the next writer proceeds.
    await fx.export('2026-11-25');
    await expect(fs.stat(leaseFile(fx))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a writer that waits proceeds once the holder is done, and finds the day already archived rather than writing it twice', async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 50 } });
    const a = fx.export('2026-11-25');
    await waitFor(() =>
      fs.stat(leaseFile(fx!)).then(
        () => true,
        () => false,
      ),
    );
    const b = fx
      .export('2026-11-25', {}, fx.archive({ lease: { ttlMs: 5000, waitMs: 30_000, program: 'b' } }))
      .catch((e: { code?: string }) => e.code);
    await a;
    expect(await b).toBe('DAY_ALREADY_ARCHIVED');
    const verdict = await fx.verify({ from: '2026-11-25' });
    expect(verdict.ok).toBe(true);
  });

  it('a holder whose process died on this machine is taken over at once', async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 50 } });
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    await fs.mkdir(path.dirname(leaseFile(fx)), { recursive: true });
    await fs.writeFile(
      leaseFile(fx),
      JSON.stringify({ holder: { ...newLeaseHolder('the audit-archive CLI'), pid: dead.pid }, ttlMs: 600_000 }),
    );
    const result = await fx.export('2026-11-25');
    expect(result.manifest.sequence).toBe(1);
  });

  it('a holder on another machine is waited for until its heartbeat is older than its TTL, then taken over', async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 50 } });
    await fs.mkdir(path.dirname(leaseFile(fx)), { recursive: true });
    await fs.writeFile(
      leaseFile(fx),
      JSON.stringify({
        holder: { ...newLeaseHolder('the audit-archive CLI'), host: 'cron-box', pid: 4242 },
        ttlMs: 1500,
      }),
    );
    const started = Date.now();
    const result = await fx.export(
      '2026-11-25',
      {},
      fx.archive({ lease: { ttlMs: 5000, waitMs: 20_000, program: 'the app' } }),
    );
    expect(result.manifest.sequence).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('junk in the lock file does not keep writers out longer than the fallback TTL, and never crashes', async () => {
    const dir = await fs.mkdtemp(path.join((await import('node:os')).tmpdir(), 'lease-'));
    try {
      await fs.writeFile(path.join(dir, '.writer-lease'), 'not json at all');
      const old = new Date(Date.now() - 10 * 60_000);
      await fs.utimes(path.join(dir, '.writer-lease'), old, old);
      const lease = await acquireWriterLease(new LockFileLease(dir), {
        program: 't',
        ttlMs: 2000,
        waitMs: 0,
        archiveUrl: 'file:///x',
      });
      await lease.release();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('a writer that lost its lease stops before writing a manifest', async () => {
    const dir = await fs.mkdtemp(path.join((await import('node:os')).tmpdir(), 'lease-'));
    try {
      const mechanism = new LockFileLease(dir);
      const lease = await acquireWriterLease(mechanism, {
        program: 'slow',
        ttlMs: 60_000,
        waitMs: 0,
        archiveUrl: 'file:///x',
      });
      // Someone decided it was dead and took over (its heartbeat was paused too long).
      await fs.writeFile(
        path.join(dir, '.writer-lease'),
        JSON.stringify({ holder: newLeaseHolder('the other writer'), ttlMs: 60_000 }),
      );
      await expect(lease.confirm()).rejects.toMatchObject({
        code: 'ARCHIVE_BUSY',
        message: expect.stringContaining('the other writer'),
      });
      await lease.release();
      // Releasing a lease it no longer holds leaves the new holder's file alone.
      expect(JSON.parse(await fs.readFile(path.join(dir, '.writer-lease'), 'utf8')).holder.program).toBe(
        'the other writer',
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('no one holds the lease on a folder who does not heartbeat it', () => {
  /** A lock file as a writer on another machine would leave it, its heartbeat set to `mtime`. */
  async function plantLockFile(f: ArchiveFixture, mtime: Date, ttlMs = 60_000): Promise<void> {
    await fs.mkdir(path.dirname(leaseFile(f)), { recursive: true });
    await fs.writeFile(
      leaseFile(f),
      JSON.stringify({ holder: { ...newLeaseHolder('a planted claim'), host: 'elsewhere', pid: 4242 }, ttlMs }),
    );
    await fs.utimes(leaseFile(f), mtime, mtime);
  }
  const noWait = (f: ArchiveFixture) => f.archive({ lease: { ttlMs: 5000, waitMs: 0, program: 'the app' } });

  it('a lock file whose heartbeat lies in the future (a date in 2099) is no claim: the next export goes ahead', async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 50 } });
    await plantLockFile(fx, new Date('2099-01-01T00:00:00Z'));
    // Verify names it, for what it is.
    expect((await fx.verify()).problems).toContainEqual(
      expect.objectContaining({
        kind: 'unexpected-object',
        key: 'org-a/.writer-lease',
        detail: expect.stringContaining('its heartbeat dated in the future (2099-01-01T00:00:00.000Z)'),
      }),
    );
    const result = await fx.export('2026-11-25', {}, noWait(fx));
    expect(result.manifest.sequence).toBe(1);
    await expect(fs.stat(leaseFile(fx))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a heartbeat a minute ahead (clocks of two machines disagree) is still a live claim', async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 50 } });
    await plantLockFile(fx, new Date(Date.now() + 60_000));
    await expect(fx.export('2026-11-25', {}, noWait(fx))).rejects.toMatchObject({
      code: 'ARCHIVE_BUSY',
      message: expect.stringContaining('a planted claim'),
    });
  });

  it("a named pipe in the lock file's place is never opened: the export goes ahead at once", async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 50 } });
    await fs.mkdir(path.dirname(leaseFile(fx)), { recursive: true });
    execFileSync('mkfifo', [leaseFile(fx)]);
    const result = await fx.export('2026-11-25', {}, noWait(fx));
    expect(result.manifest.sequence).toBe(1);
  });

  it("a link in the lock file's place is not followed to a live-looking claim elsewhere", async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 50 } });
    const elsewhere = path.join(fx.stateDir, 'claim.json');
    await fs.writeFile(
      elsewhere,
      JSON.stringify({ holder: { ...newLeaseHolder('a linked claim'), host: 'elsewhere' }, ttlMs: 3_600_000 }),
    );
    await fs.mkdir(path.dirname(leaseFile(fx)), { recursive: true });
    await fs.symlink(elsewhere, leaseFile(fx));
    const result = await fx.export('2026-11-25', {}, noWait(fx));
    expect(result.manifest.sequence).toBe(1);
    expect(JSON.parse(await fs.readFile(elsewhere, 'utf8')).holder.program).toBe('a linked claim');
  });

  it("a folder in the lock file's place stops the writer at once, saying what to remove", async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 50 } });
    await fs.mkdir(path.join(leaseFile(fx), 'inside'), { recursive: true });
    await expect(fx.export('2026-11-25', {}, noWait(fx))).rejects.toMatchObject({
      code: 'ARCHIVE_UNREACHABLE',
      message: expect.stringContaining(`${leaseFile(fx)} is not a lock file and cannot be removed`),
    });
  });

  it('a takeover file dated in the future does not stop a stale lock file from being taken over', async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 50 } });
    await plantLockFile(fx, new Date(Date.now() - 3_600_000), 1000);
    const takeover = path.join(path.dirname(leaseFile(fx)), '.writer-lease.takeover');
    await fs.writeFile(takeover, 'x');
    const future = new Date('2099-01-01T00:00:00Z');
    await fs.utimes(takeover, future, future);
    const result = await fx.export('2026-11-25', {}, noWait(fx));
    expect(result.manifest.sequence).toBe(1);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a claim the store confirms late is not taken as held', () => {
  /**
   * The folder's own lease, on an injected clock: the first `slow` claims are answered `delayMs`
   * after they were asked (the clock moves on; nothing sleeps).
   */
  function lateLease(dir: string, slow: number, delayMs: number) {
    const inner = new LockFileLease(dir);
    let claims = 0;
    let t = Date.parse('2026-12-07T02:00:00Z');
    return {
      claims: () => claims,
      now: () => t,
      mechanism: {
        async claim(...args: Parameters<LockFileLease['claim']>) {
          const answer = await inner.claim(...args);
          if (claims++ < slow) t += delayMs;
          return answer;
        },
        release: (holder: Parameters<LockFileLease['release']>[0]) => inner.release(holder),
      },
    };
  }

  it('a confirmation that came after half the TTL is renewed and read again before the writer proceeds', async () => {
    const dir = await fs.mkdtemp(path.join((await import('node:os')).tmpdir(), 'lease-'));
    try {
      const late = lateLease(dir, 1, 1500);
      const lease = await acquireWriterLease(late.mechanism, {
        program: 't',
        ttlMs: 2000,
        waitMs: 10_000,
        archiveUrl: 'file:///x',
        now: late.now,
      });
      expect(late.claims()).toBe(2);
      await lease.release();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('a store that never confirms in time refuses the writer, saying so, instead of letting it write', async () => {
    const dir = await fs.mkdtemp(path.join((await import('node:os')).tmpdir(), 'lease-'));
    try {
      const late = lateLease(dir, Infinity, 150);
      await expect(
        acquireWriterLease(late.mechanism, {
          program: 't',
          ttlMs: 200,
          waitMs: 0,
          archiveUrl: 'file:///x',
          now: late.now,
        }),
      ).rejects.toThrow(/answered too slowly to hold the writer lease safely/);
      expect(late.claims()).toBeGreaterThanOrEqual(2);
      await expect(fs.readdir(dir)).resolves.toEqual([]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a renewal the store confirms late is not taken as still holding', () => {
  const TTL = 60_000;
  /** Confirmed just after half the TTL: too late to count. */
  const LATE = TTL / 2 + 1;

  /**
   * A store in memory on an injected clock: each claim takes the next step of `plan` (its delay on
   * the clock, and another writer taking over just after the answer), nothing once it is spent.
   */
  function clockedStore() {
    let t = Date.parse('2026-12-07T02:00:00Z');
    let current: LeaseHolder | null = null;
    const plan: Array<{ delayMs: number; thenTakenBy?: LeaseHolder }> = [];
    const log = { claims: 0, released: [] as string[] };
    const mechanism: LeaseMechanism = {
      async claim(holder) {
        log.claims++;
        if (current && current.id !== holder.id) return { mine: false, holder: current };
        current = holder;
        const step = plan.shift();
        t += step?.delayMs ?? 0;
        if (step?.thenTakenBy) current = step.thenTakenBy;
        return { mine: true, holder };
      },
      async release(holder) {
        log.released.push(holder.id);
        if (current?.id === holder.id) current = null;
      },
    };
    const lease = () =>
      acquireWriterLease(mechanism, {
        program: 'the writer',
        ttlMs: TTL,
        waitMs: 0,
        archiveUrl: 's3://b/org',
        now: () => t,
      });
    return { plan, log, lease, holder: () => current };
  }

  afterEach(() => {
    vi.useRealTimers();
  });

  it('a renewal confirmed after half the TTL is sent again; the writer goes on once one is confirmed in time', async () => {
    const store = clockedStore();
    const lease = await store.lease();
    store.plan.push({ delayMs: LATE }, { delayMs: 10 });
    const claims = store.log.claims;
    await lease.confirm();
    expect(store.log.claims - claims).toBe(2);
    expect(store.holder()?.id).toBe(lease.holder.id);
    await lease.release();
    expect(store.holder()).toBeNull();
  });

  it('a late renewal is not taken as held when the lease was taken over meanwhile: the re-read names the new writer', async () => {
    const store = clockedStore();
    const lease = await store.lease();
    const other = { ...newLeaseHolder('the audit-archive CLI'), host: 'cron-box' };
    store.plan.push({ delayMs: LATE, thenTakenBy: other });
    await expect(lease.confirm()).rejects.toMatchObject({
      code: 'ARCHIVE_BUSY',
      message: expect.stringContaining('lost the writer lease on s3://b/org to the audit-archive CLI'),
    });
    await lease.release();
    expect(store.holder()?.id).toBe(other.id); // the new writer's claim is left alone
  });

  it('a store that keeps confirming late: the lease is given up and the writer stopped, saying why', async () => {
    const store = clockedStore();
    const lease = await store.lease();
    for (let i = 0; i < RENEWAL_ATTEMPTS; i++) store.plan.push({ delayMs: LATE + i * 1000 });
    await expect(lease.confirm()).rejects.toMatchObject({
      code: 'ARCHIVE_BUSY',
      message: expect.stringMatching(
        /gave up the writer lease on s3:\/\/b\/org: 3 renewals in a row were each confirmed by the store more than half the lease's 60 s TTL after they were sent \(the slowest after 32\.0 s\).*stopped before writing a manifest/,
      ),
    });
    expect(store.log.released).toEqual([lease.holder.id]);
    expect(store.holder()).toBeNull(); // free for the next writer at once
    await expect(lease.confirm()).rejects.toMatchObject({ code: 'ARCHIVE_BUSY' });
  });

  it('the heartbeat applies the same rule: late renewals give the lease up before the next manifest is checked', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = clockedStore();
    const lease = await store.lease();
    for (let i = 0; i < RENEWAL_ATTEMPTS; i++) store.plan.push({ delayMs: LATE });
    await vi.advanceTimersByTimeAsync(TTL / 4); // one heartbeat
    // confirm() waits for the heartbeat under way, then finds the lease given up: no claim of its own.
    await expect(lease.confirm()).rejects.toThrow(/gave up the writer lease/);
    expect(store.log.claims).toBe(1 + RENEWAL_ATTEMPTS);
    expect(store.log.released).toEqual([lease.holder.id]);
    await vi.advanceTimersByTimeAsync(TTL); // and no heartbeat after giving up
    expect(store.log.claims).toBe(1 + RENEWAL_ATTEMPTS);
    await lease.release();
  });

  it('a heartbeat confirmed late once, then in time, keeps the lease', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = clockedStore();
    const lease = await store.lease();
    store.plan.push({ delayMs: LATE }, { delayMs: 5 });
    await vi.advanceTimersByTimeAsync(TTL / 4);
    await lease.confirm();
    expect(store.log.claims).toBe(1 + 2 + 1); // the claim, the heartbeat sent twice, the confirm
    expect(store.log.released).toEqual([]);
    await lease.release();
    expect(store.log.released).toEqual([lease.holder.id]);
  });
});
