/**
 * The writer lease on S3: one claim key per holder, ordered by the store itself.
 *
 * Ceph accepts `If-None-Match: *` and ignores it (docs/STORAGE.md), so no conditional write can
 * arbitrate. What every S3 store does give is one clock and one listing that every reader sees:
 * a writer claims by writing a new key `lease/<start>-<ttl>-<holder>-<n>.claim` (n = 0), renews by
 * writing the next n (the heartbeat; never a second version of a key, so a bucket policy that
 * refuses overwrites does not stop it), and reads the lease folder back. The holder is the live
 * claimant whose claim started first, by the store's own clock (LastModified of its first key),
 * ties broken by key: every reader computes the same winner.
 *
 * No one holds the lease who does not heartbeat it, and nothing planted under `lease/` hides a
 * claim:
 * - A claim is live while its newest key is younger than its TTL (capped at an hour), no
 *   `.released` key follows it, and it started less than MAX_CLAIM_SPAN_MS ago. A claim whose
 *   `<start>` differs from the store's time of its first key by more than the clock-skew allowance
 *   (writer-lease.ts) is no claim: its writer's clock is wrong, or it was planted. A writer whose
 *   own claim is refused that way is told to fix its clock.
 * - The listing covers only the keys a live claim can have: from `<start>` = now minus the span
 *   (and twice the skew allowance), up to the caller's own `<start>` plus twice the allowance (a
 *   claim that started before the caller's, by the store's clock, cannot sort later). It pages to
 *   the end of that window however many keys lie in it: keys that are not claims are skipped (verify
 *   names them), never counted against a page limit that would stop the listing before the claims.
 *
 * Claims are small and carry a one-day lock (they are bookkeeping, not evidence; the bucket's
 * default retention would keep them for years).
 */
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { leaseFolder, leaseStamp, parseLeaseKeyName } from '../../../../shared/archive-layout';
import { AuditArchiveError } from '../../../../shared/errors';
import {
  HEARTBEAT_CLOCK_SKEW_MS,
  heartbeatState,
  LeaseHolderSchema,
  type LeaseClaim,
  type LeaseHolder,
  type LeaseMechanism,
} from '../writer-lease';
import { s3Failure } from './s3-failure';

const MAX_TTL_SECONDS = 3600;
/** The longest one claim lasts: a run still writing after a week stops at its next manifest, and the next run continues. */
const MAX_CLAIM_SPAN_MS = 7 * 86_400_000;

const VersionSchema = z.object({
  Key: z.string(),
  VersionId: z.string().optional(),
  LastModified: z.date().optional(),
});
const PageSchema = z.object({
  Versions: z.array(VersionSchema).optional(),
  DeleteMarkers: z.array(VersionSchema).optional(),
  IsTruncated: z.boolean().optional(),
  NextKeyMarker: z.string().optional(),
  NextVersionIdMarker: z.string().optional(),
});

interface S3ClaimLeaseOptions {
  /** Keys per listing page (S3's maximum, 1000, unless a test wants many pages). */
  readonly pageSize?: number;
}

interface Claimant {
  /** `lease/<start>-<ttl>-<holder>`. */
  readonly base: string;
  readonly ttlMs: number;
  /** `<start>` as its writer wrote it. */
  readonly stampMs: number;
  /** The store's time of its first key. */
  start: number;
  lastBeat: number;
  newestKey: string | undefined;
  released: boolean;
}

export class S3ClaimLease implements LeaseMechanism {
  private readonly folder: string;
  private readonly pageSize: number;
  /** Holder bodies by key (a lease key is written once). */
  private readonly holders = new Map<string, LeaseHolder | null>();
  private readonly bases = new Map<string, { base: string; stampMs: number }>();
  private readonly beats = new Map<string, number>();

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    prefix: string,
    private readonly url: string,
    options: S3ClaimLeaseOptions = {},
  ) {
    this.folder = leaseFolder(prefix);
    this.pageSize = options.pageSize ?? 1000;
  }

  async claim(holder: LeaseHolder, ttlMs: number): Promise<LeaseClaim> {
    const own = this.baseOf(holder, ttlMs);
    const beat = this.beats.get(holder.id) ?? 0;
    this.beats.set(holder.id, beat + 1);
    await this.put(`${own.base}-${beat}.claim`, JSON.stringify(holder));
    const claimants = await this.list(own.stampMs);
    const now = Math.max(0, ...[...claimants.values()].map((c) => c.lastBeat));
    const mine = claimants.get(own.base);
    if (mine) this.checkOwnClaim(mine, now);
    const live = [...claimants.values()].filter((c) => isLive(c, now));
    live.sort((a, b) => a.start - b.start || (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
    const winner = live[0];
    if (!winner) return { mine: false, holder: null }; // our own claim should be live: the store is lagging
    if (winner.base === own.base) return { mine: true, holder };
    return { mine: false, holder: await this.holderOf(winner) };
  }

  async release(holder: LeaseHolder): Promise<void> {
    const own = this.bases.get(holder.id);
    if (own) await this.put(`${own.base}.released`, JSON.stringify(holder));
  }

  /** A claim every other reader would refuse, or one held too long, is said rather than lost silently. */
  private checkOwnClaim(mine: Claimant, now: number): void {
    const skew = mine.stampMs - mine.start;
    if (Math.abs(skew) > HEARTBEAT_CLOCK_SKEW_MS) {
      throw new AuditArchiveError(
        'ARCHIVE_UNREACHABLE',
        `This machine's clock is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} the clock of ${this.url}; the writer lease allows ${HEARTBEAT_CLOCK_SKEW_MS / 60_000} minutes. Nothing was written: set the clock (NTP), then run again.`,
      );
    }
    if (now - mine.start >= MAX_CLAIM_SPAN_MS) {
      throw new AuditArchiveError(
        'ARCHIVE_BUSY',
        `This run has held the writer lease on ${this.url} for ${MAX_CLAIM_SPAN_MS / 86_400_000} days, the longest one claim lasts. It stopped before writing another manifest: run it again to continue.`,
      );
    }
  }

  private baseOf(holder: LeaseHolder, ttlMs: number): { base: string; stampMs: number } {
    let own = this.bases.get(holder.id);
    if (!own) {
      const at = Date.now();
      const ttl = Math.min(Math.ceil(ttlMs / 1000), MAX_TTL_SECONDS);
      own = { base: `${this.folder}${leaseStamp(at)}-${ttl}-${holder.id}`, stampMs: Math.floor(at / 1000) * 1000 };
      this.bases.set(holder.id, own);
    }
    return own;
  }

  private async put(key: string, body: string): Promise<void> {
    const bytes = Buffer.from(body, 'utf8');
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentType: 'application/json',
          ContentMD5: createHash('md5').update(bytes).digest('base64'),
          ObjectLockMode: 'COMPLIANCE',
          ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000),
          IfNoneMatch: '*',
        }),
      );
    } catch (e) {
      throw s3Failure(e, this.url, 'write the writer lease');
    }
  }

  /**
   * Every claim a live claim could be, in the window described above, by its base. Bounded by the
   * window's keys, never by a page count.
   */
  private async list(ownStampMs: number): Promise<Map<string, Claimant>> {
    const slack = 2 * HEARTBEAT_CLOCK_SKEW_MS;
    let keyMarker: string = `${this.folder}${leaseStamp(Date.now() - MAX_CLAIM_SPAN_MS - slack)}`;
    // Every key whose <start> is at most the window's end sorts before this ('.' follows '-').
    const end = `${this.folder}${leaseStamp(ownStampMs + slack)}.`;
    let versionIdMarker: string | undefined;
    const claimants = new Map<string, Claimant>();
    for (;;) {
      const reply = await this.page(keyMarker, versionIdMarker);
      for (const v of reply.Versions ?? []) {
        if (v.Key >= end) return finished(claimants);
        this.add(claimants, v);
      }
      if (!reply.IsTruncated || !reply.NextKeyMarker) return finished(claimants);
      if (reply.NextKeyMarker < keyMarker || (reply.NextKeyMarker === keyMarker && !reply.NextVersionIdMarker))
        throw s3Failure(new Error('the listing did not move on'), this.url, 'read the writer lease');
      if (reply.NextKeyMarker >= end) return finished(claimants);
      keyMarker = reply.NextKeyMarker;
      versionIdMarker = reply.NextVersionIdMarker;
    }
  }

  private async page(keyMarker: string, versionIdMarker: string | undefined): Promise<z.infer<typeof PageSchema>> {
    try {
      const raw = await this.client.send(
        new ListObjectVersionsCommand({
          Bucket: this.bucket,
          Prefix: this.folder,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
          MaxKeys: this.pageSize,
        }),
      );
      const parsed = PageSchema.safeParse(raw);
      if (!parsed.success) throw new Error('unexpected listing');
      return parsed.data;
    } catch (e) {
      throw s3Failure(e, this.url, 'read the writer lease');
    }
  }

  /** One listed version into its claim; anything that is not a claim's key is skipped. */
  private add(claimants: Map<string, Claimant>, v: z.infer<typeof VersionSchema>): void {
    const name = parseLeaseKeyName(v.Key.slice(this.folder.length));
    if (!v.Key.startsWith(this.folder) || !name || !v.LastModified) return;
    const base = this.folder + name.claim;
    const at = v.LastModified.getTime();
    const c = claimants.get(base) ?? {
      base,
      ttlMs: Math.min(name.ttlSeconds, MAX_TTL_SECONDS) * 1000,
      stampMs: name.startMs,
      start: Infinity,
      lastBeat: -Infinity,
      newestKey: undefined,
      released: false,
    };
    if (name.beat === null) c.released = true;
    else {
      c.start = Math.min(c.start, at);
      if (at >= c.lastBeat) {
        c.lastBeat = at;
        c.newestKey = v.Key;
      }
    }
    claimants.set(base, c);
  }

  /** Who the winning claim says it is (each key read once; junk says nothing). */
  private async holderOf(c: Claimant): Promise<LeaseHolder | null> {
    const key = c.newestKey;
    if (!key) return null;
    if (this.holders.has(key)) return this.holders.get(key) ?? null;
    let holder: LeaseHolder | null = null;
    try {
      const reply = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: 'bytes=0-4095' }),
      );
      const text = reply.Body ? await reply.Body.transformToString() : '';
      const parsed = LeaseHolderSchema.safeParse(JSON.parse(text));
      holder = parsed.success ? parsed.data : null;
    } catch {
      holder = null;
    }
    this.holders.set(key, holder);
    return holder;
  }
}

/** Claims with at least one heartbeat (a release alone is nothing). */
function finished(claimants: Map<string, Claimant>): Map<string, Claimant> {
  for (const [base, c] of claimants) if (c.start === Infinity) claimants.delete(base);
  return claimants;
}

/**
 * Live at the store's `now`: not released, heartbeat younger than its TTL, started within the span,
 * and named with a start its writer's clock could honestly have given it.
 */
function isLive(c: Claimant, now: number): boolean {
  return (
    !c.released &&
    heartbeatState(c.lastBeat, c.ttlMs, now) === 'live' &&
    now - c.start < MAX_CLAIM_SPAN_MS &&
    Math.abs(c.stampMs - c.start) <= HEARTBEAT_CLOCK_SKEW_MS
  );
}
