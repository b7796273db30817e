/**
 * The single-writer lease: at most one exporter writes an archive at a time.
 *
 * The app's 02:00 schedule and a 02:00 cron job on another machine must not both claim the next
 * manifest sequence number (that forks the chain) or export the same day twice. Each store offers
 * its own primitive (a lock file created exclusively on a local folder; on S3, a claim key per
 * holder whose versions every reader orders the same way), behind `LeaseMechanism`; this module
 * adds what is common: waiting for the holder with a message naming it, heartbeats, taking over
 * from a holder that died (its claim goes stale after `ttlMs` without a heartbeat), and a check
 * before every manifest is written that the lease is still ours (`confirm`). A claim, a heartbeat
 * and that check count only when the store confirmed them within half the TTL of their sending
 * (`confirmedInTime`); a renewal confirmed later is sent again, and a lease the store keeps
 * confirming late is given up, the writer stopped in words (`renewLease`).
 *
 * No one holds the lease who does not heartbeat it: a claim is live only while its last heartbeat
 * is younger than its TTL (capped by each store) and not later than now plus a stated clock-skew
 * allowance (`heartbeatState`). A heartbeat in the future beyond that allowance (a clock set
 * wrong, or a file planted with a date in 2099) is no claim at all, and neither is a lease record
 * that cannot be read: otherwise one touch of a file could keep every writer out for good.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import * as z from 'zod';
import { AuditArchiveError } from '../../../shared/errors';

/**
 * How far a heartbeat may lie ahead of the reader's clock and still count: the clocks of two
 * machines writing one archive (or of a machine and a file server) may disagree by this much.
 */
export const HEARTBEAT_CLOCK_SKEW_MS = 5 * 60_000;

type HeartbeatState = 'live' | 'stale' | 'future';

/**
 * Whether a claim whose last heartbeat was at `lastBeatMs` still holds at `nowMs`: live while it is
 * younger than `ttlMs`, stale after, and no claim at all when it lies in the future by more than
 * HEARTBEAT_CLOCK_SKEW_MS.
 */
export function heartbeatState(lastBeatMs: number, ttlMs: number, nowMs: number): HeartbeatState {
  const age = nowMs - lastBeatMs;
  if (age < -HEARTBEAT_CLOCK_SKEW_MS) return 'future';
  return age > ttlMs ? 'stale' : 'live';
}

export interface LeaseHolder {
  /** Unique per acquisition. */
  readonly id: string;
  /** "the audit-archive CLI", "the Audit Archive app". */
  readonly program: string;
  readonly host: string;
  readonly user: string;
  readonly pid: number;
  /** When it started waiting for or holding the lease (its own clock). */
  readonly since: string;
}

/** What a lease object may say about its holder: outside input, bounded. */
const Printable = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$/);
export const LeaseHolderSchema = z.object({
  id: z.string().regex(/^[0-9a-f-]{36}$/),
  program: Printable(100),
  host: Printable(255),
  user: Printable(100),
  pid: z.number().int().nonnegative(),
  since: Printable(40),
});

export interface LeaseClaim {
  /** True when the caller holds the lease now. */
  readonly mine: boolean;
  /** Who holds it (the caller when `mine`); null when the holder cannot be told. */
  readonly holder: LeaseHolder | null;
}

/** A store's primitive: claim (or renew) and release. */
export interface LeaseMechanism {
  /** Claims the lease for `holder`, or renews its claim; says who holds it now. */
  claim(holder: LeaseHolder, ttlMs: number): Promise<LeaseClaim>;
  /** Gives the lease up (or withdraws a waiting claim). Never throws for a lease already gone. */
  release(holder: LeaseHolder): Promise<void>;
}

export interface WriterLease {
  readonly holder: LeaseHolder;
  /** Throws ARCHIVE_BUSY when another writer holds the archive now (the lease was lost). */
  confirm(): Promise<void>;
  release(): Promise<void>;
}

interface AcquireLeaseOptions {
  readonly program: string;
  /** A claim without a heartbeat for this long is stale: its holder is taken to have died. */
  readonly ttlMs: number;
  /** How long to wait for a holder before giving up with ARCHIVE_BUSY (0: do not wait). */
  readonly waitMs: number;
  /** The archive, for messages. */
  readonly archiveUrl: string;
  readonly signal?: AbortSignal;
  /** Called when the lease is held by someone else, each time the caller looks again. */
  readonly onWait?: (holder: LeaseHolder | null, waitedMs: number) => void;
  /** The clock that times each claim's confirmation (tests inject one); default Date.now. */
  readonly now?: () => number;
}

export function newLeaseHolder(program: string): LeaseHolder {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (containers): the pid and host still name the process.
  }
  return { id: randomUUID(), program, host: hostname(), user, pid: process.pid, since: new Date().toISOString() };
}

export function describeHolder(holder: LeaseHolder | null): string {
  if (!holder) return 'another writer';
  return `${holder.program} (pid ${holder.pid} on ${holder.host}, user ${holder.user}, since ${holder.since})`;
}

/** Claims the lease, waiting up to `waitMs` for its holder to finish or go stale. */
export async function acquireWriterLease(
  mechanism: LeaseMechanism,
  options: AcquireLeaseOptions,
): Promise<WriterLease> {
  const holder = newLeaseHolder(options.program);
  const now = options.now ?? Date.now;
  const started = now();
  const pollMs = Math.max(50, Math.min(options.ttlMs / 4, 5_000));
  for (;;) {
    options.signal?.throwIfAborted();
    const asked = now();
    const claim = await mechanism.claim(holder, options.ttlMs);
    if (claim.mine && confirmedInTime(asked, now(), options.ttlMs)) return new HeldLease(mechanism, holder, options);
    const waited = now() - started;
    if (claim.mine) {
      if (waited < Math.max(options.waitMs, options.ttlMs)) continue;
      await mechanism.release(holder).catch(() => undefined);
      throw tooSlowToHold(options);
    }
    if (waited >= options.waitMs) {
      await mechanism.release(holder).catch(() => undefined);
      throw new AuditArchiveError(
        'ARCHIVE_BUSY',
        `${options.archiveUrl} is being written by ${describeHolder(claim.holder)}; one writer at a time keeps the manifest chain whole. Nothing was written${options.waitMs > 0 ? ` after waiting ${Math.round(waited / 1000)} s` : ''}: run again once it has finished (a writer that died is taken over after ${Math.round(options.ttlMs / 1000)} s without a heartbeat).`,
      );
    }
    options.onWait?.(claim.holder, waited);
    try {
      await sleep(Math.min(pollMs, options.waitMs - waited), options.signal);
    } catch (e) {
      await mechanism.release(holder).catch(() => undefined);
      throw e;
    }
  }
}

/**
 * A claim (and each renewal of it: a heartbeat, the check before a manifest) counts as held only
 * when the store confirmed it within half its TTL of its heartbeat being sent: a confirmation that
 * took longer may come after the heartbeat already looks stale to another writer (under load, two
 * writers held a lease with a 2 s TTL together that way), so the claim is renewed and read back
 * again instead.
 */
function confirmedInTime(askedAt: number, confirmedAt: number, ttlMs: number): boolean {
  return confirmedAt - askedAt < ttlMs / 2;
}

function tooSlowToHold(options: AcquireLeaseOptions): AuditArchiveError {
  return new AuditArchiveError(
    'ARCHIVE_BUSY',
    `${options.archiveUrl} answered too slowly to hold the writer lease safely: no claim was confirmed within ${Math.round(options.ttlMs / 2000)} s of its heartbeat. Nothing was written: check the connection to the store and run again.`,
  );
}

/** How often a renewal confirmed late is sent again before the lease is given up. */
export const RENEWAL_ATTEMPTS = 3;

/** What one renewal of a held lease found. */
export type Renewal =
  | { readonly kind: 'held' }
  | { readonly kind: 'lost'; readonly holder: LeaseHolder | null }
  /** Confirmed as ours each time, but each time later than half the TTL after it was sent. */
  | { readonly kind: 'too-slow'; readonly tookMs: number };

/**
 * Renews `holder`'s claim under the same half-TTL rule as the claim that took it: a renewal
 * confirmed late is sent and read back again, up to RENEWAL_ATTEMPTS times. Throws what the
 * store throws (an unreachable store).
 */
export async function renewLease(
  mechanism: LeaseMechanism,
  holder: LeaseHolder,
  ttlMs: number,
  now: () => number,
): Promise<Renewal> {
  let tookMs = 0;
  for (let attempt = 0; attempt < RENEWAL_ATTEMPTS; attempt++) {
    const asked = now();
    const claim = await mechanism.claim(holder, ttlMs);
    if (!claim.mine) return { kind: 'lost', holder: claim.holder };
    const confirmed = now();
    if (confirmedInTime(asked, confirmed, ttlMs)) return { kind: 'held' };
    tookMs = Math.max(tookMs, confirmed - asked);
  }
  return { kind: 'too-slow', tookMs };
}

/** Why a held lease stopped counting: another writer has it, or this run gave it up. */
type Stopped = Exclude<Renewal, { kind: 'held' }>;

class HeldLease implements WriterLease {
  private timer: NodeJS.Timeout | null;
  private stopped: Stopped | null = null;
  private beating: Promise<void> = Promise.resolve();
  private released = false;
  private readonly now: () => number;

  constructor(
    private readonly mechanism: LeaseMechanism,
    readonly holder: LeaseHolder,
    private readonly options: AcquireLeaseOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => void this.beat(), Math.max(50, options.ttlMs / 4));
    this.timer.unref();
  }

  /** A heartbeat; a failed one is not fatal by itself (confirm looks again before every write). */
  private beat(): Promise<void> {
    this.beating = this.beating.then(async () => {
      if (this.released || this.stopped) return;
      try {
        const renewal = await renewLease(this.mechanism, this.holder, this.options.ttlMs, this.now);
        if (renewal.kind !== 'held') await this.stop(renewal);
      } catch {
        // Unreachable store: the next confirm() will find out.
      }
    });
    return this.beating;
  }

  /** Stops counting the lease; one this run gives up (too slow) is released, so another writer need not wait out its TTL. */
  private async stop(why: Stopped): Promise<void> {
    this.stopped = why;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (why.kind === 'too-slow') await this.mechanism.release(this.holder).catch(() => undefined);
  }

  async confirm(): Promise<void> {
    await this.beating;
    if (!this.stopped) {
      const renewal = await renewLease(this.mechanism, this.holder, this.options.ttlMs, this.now);
      if (renewal.kind === 'held') return;
      await this.stop(renewal);
    }
    throw this.stoppedError(this.stopped as Stopped);
  }

  private stoppedError(why: Stopped): AuditArchiveError {
    const url = this.options.archiveUrl;
    const ttl = Math.round(this.options.ttlMs / 1000);
    if (why.kind === 'lost')
      return new AuditArchiveError(
        'ARCHIVE_BUSY',
        `This run lost the writer lease on ${url} to ${describeHolder(why.holder)} (no heartbeat reached the store for ${ttl} s). It stopped before writing a manifest; run it again once that writer has finished.`,
      );
    return new AuditArchiveError(
      'ARCHIVE_BUSY',
      `This run gave up the writer lease on ${url}: ${RENEWAL_ATTEMPTS} renewals in a row were each confirmed by the store more than half the lease's ${ttl} s TTL after they were sent (the slowest after ${(why.tookMs / 1000).toFixed(1)} s), when another writer could already take the lease for stale. It stopped before writing a manifest: check the connection to the store and run it again.`,
    );
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    if (!this.stopped) await this.mechanism.release(this.holder).catch(() => undefined);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
