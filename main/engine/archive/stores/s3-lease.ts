/**
 * The writer lease on S3: one claim key per holder, ordered by the store itself.
 *
 * Ceph accepts `If-None-Match: *` and ignores it (INTEGRITY.md), so no conditional write can
 * arbitrate. What every S3 store does give is one clock and one listing that every reader sees:
 * a writer claims by writing a new key `lease/<start>-<ttl>-<holder>-<n>.claim` (n = 0), renews by
 * writing the next n (the heartbeat; never a second version of a key, so a bucket policy that
 * refuses overwrites does not stop it), and reads the lease folder back. The holder is the live
 * claimant whose claim started first, by the store's own clock (LastModified of its first key),
 * ties broken by key: every reader computes the same winner. A claim is live while its newest key
 * is younger than its TTL (capped) and no `.released` key follows it, so a holder that died is
 * taken over once its heartbeats stop, and keys planted by someone else cannot keep writers out for
 * longer than the cap.
 *
 * Claims are small, carry a one-day lock (they are bookkeeping, not evidence; the bucket's default
 * retention would keep them for years), and the listing starts at a key marker a week back, so the
 * lease costs one PUT and one LIST per look however old the archive is (no holder keeps an archive
 * for a week).
 */
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { leaseFolder } from '../../../../shared/archive-layout';
import { LeaseHolderSchema, type LeaseClaim, type LeaseHolder, type LeaseMechanism } from '../writer-lease';
import { s3Failure } from './s3-store';

const MAX_TTL_SECONDS = 3600;
/** Claims older than this are not listed: no writer holds an archive for a week. */
const LOOKBACK_MS = 7 * 86_400_000;
const CLAIM_RE = /^(\d{8}T\d{6}Z-(\d{1,5})-[0-9a-f-]{36})(?:-(\d{1,9})\.claim|\.released)$/;

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

interface Claimant {
  base: string;
  ttlMs: number;
  start: number;
  lastBeat: number;
  newestKey: string | undefined;
  released: boolean;
}

export class S3ClaimLease implements LeaseMechanism {
  private readonly folder: string;
  /** Holder bodies by key (a lease key is written once). */
  private readonly holders = new Map<string, LeaseHolder | null>();
  private readonly bases = new Map<string, string>();
  private readonly beats = new Map<string, number>();

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    prefix: string,
    private readonly url: string,
  ) {
    this.folder = leaseFolder(prefix);
  }

  async claim(holder: LeaseHolder, ttlMs: number): Promise<LeaseClaim> {
    const base = this.baseOf(holder, ttlMs);
    const beat = this.beats.get(holder.id) ?? 0;
    this.beats.set(holder.id, beat + 1);
    await this.put(`${base}-${beat}.claim`, JSON.stringify(holder));
    const claimants = await this.list();
    const now = Math.max(0, ...[...claimants.values()].map((c) => c.lastBeat));
    const live = [...claimants.values()].filter((c) => !c.released && c.lastBeat + c.ttlMs > now);
    live.sort((a, b) => a.start - b.start || (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
    const winner = live[0];
    if (!winner) return { mine: false, holder: null }; // our own claim should be live: the store is lagging
    if (winner.base === base) return { mine: true, holder };
    return { mine: false, holder: await this.holderOf(winner) };
  }

  async release(holder: LeaseHolder): Promise<void> {
    const base = this.bases.get(holder.id);
    if (base) await this.put(`${base}.released`, JSON.stringify(holder));
  }

  private baseOf(holder: LeaseHolder, ttlMs: number): string {
    let base = this.bases.get(holder.id);
    if (!base) {
      const stamp = new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
      base = `${this.folder}${stamp}-${Math.min(Math.ceil(ttlMs / 1000), MAX_TTL_SECONDS)}-${holder.id}`;
      this.bases.set(holder.id, base);
    }
    return base;
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

  private async list(): Promise<Map<string, Claimant>> {
    const since = new Date(Date.now() - LOOKBACK_MS)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    let keyMarker: string | undefined = `${this.folder}${since}`;
    let versionIdMarker: string | undefined;
    const claimants = new Map<string, Claimant>();
    for (let page = 0; page < 100; page++) {
      let reply: z.infer<typeof PageSchema>;
      try {
        const raw = await this.client.send(
          new ListObjectVersionsCommand({
            Bucket: this.bucket,
            Prefix: this.folder,
            KeyMarker: keyMarker,
            VersionIdMarker: versionIdMarker,
            MaxKeys: 1000,
          }),
        );
        const parsed = PageSchema.safeParse(raw);
        if (!parsed.success) throw new Error('unexpected listing');
        reply = parsed.data;
      } catch (e) {
        throw s3Failure(e, this.url, 'read the writer lease');
      }
      for (const v of reply.Versions ?? []) {
        const m = CLAIM_RE.exec(v.Key.slice(this.folder.length));
        if (!m || !v.LastModified) continue;
        const base = this.folder + (m[1] as string);
        const at = v.LastModified.getTime();
        const c = claimants.get(base) ?? {
          base,
          ttlMs: Math.min(Number(m[2]), MAX_TTL_SECONDS) * 1000,
          start: Infinity,
          lastBeat: -Infinity,
          newestKey: undefined,
          released: false,
        };
        if (m[3] === undefined) c.released = true;
        else {
          c.start = Math.min(c.start, at);
          if (at >= c.lastBeat) {
            c.lastBeat = at;
            c.newestKey = v.Key;
          }
        }
        claimants.set(base, c);
      }
      if (!reply.IsTruncated || !reply.NextKeyMarker) break;
      keyMarker = reply.NextKeyMarker;
      versionIdMarker = reply.NextVersionIdMarker;
    }
    for (const [base, c] of claimants) if (c.start === Infinity) claimants.delete(base); // a release without a claim
    return claimants;
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
