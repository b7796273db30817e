/**
 * The reads verify makes beyond the listing: the lock of every object it relies on (root,
 * key-succession records, manifests, data parts, report copies) and, in full mode, the bytes of
 * every data part and report bundle (archived-object.ts) and every event of each day's parts
 * (day-events.ts). Each check is a function run later, a bounded number at once; each adds what it
 * finds to `problems`.
 */
import type { Day } from '../../../../shared/day';
import type { LockMode } from '../../../../shared/manifest';
import type { VerifyProblem } from '../../../../shared/verify';
import type { ArchiveStore } from '../archive-store';
import { digestProblems, hashArchivedObject, readArchivedPart } from '../archived-object';
import type { Assessment, ChainManifest } from '../assessment';
import { DayEvents, type DayPart, type PartOutcome } from './day-events';
import { lockProblem, retentionEnd } from './lock-check';

export type Check = () => Promise<void>;

export interface CheckContext {
  readonly store: ArchiveStore;
  readonly full: boolean;
  readonly now: number;
  readonly policy: { readonly lockMode: LockMode; readonly retentionDays: number };
  readonly problems: VerifyProblem[];
  /** Data parts and report keys looked at. */
  objectsChecked: number;
}

/** Every check of the archive's objects, the chain's limited to `chainInRange`. */
export function objectChecks(
  ctx: CheckContext,
  assessment: Assessment,
  chainInRange: readonly ChainManifest[],
): Check[] {
  const locks = ctx.store.kind !== 'local';
  return [
    ...(locks ? rootLockChecks(ctx, assessment) : []),
    ...(locks ? successionLockChecks(ctx, assessment) : []),
    ...byDay(chainInRange).flatMap((manifests) => dayChecks(ctx, manifests)),
    ...(assessment.reports ?? []).flatMap((copy) => reportCopyChecks(ctx, copy)),
  ];
}

function lockCheck(
  ctx: CheckContext,
  day: Day | null,
  key: string,
  lock: Parameters<typeof lockProblem>[1],
  minimum: number,
  recorded: string | null,
): void {
  const p = lockProblem(key, lock, ctx.policy.lockMode, minimum, recorded, ctx.now);
  if (p) ctx.problems.push({ day, kind: 'lock-not-in-force', key, detail: p });
}

function rootLockChecks(ctx: CheckContext, assessment: Assessment): Check[] {
  const root = assessment.root.status === 'ok' ? assessment.root : null;
  if (!root) return [];
  return [
    async () => {
      const info = await ctx.store.headObject(root.key, root.versionId);
      const minimum = retentionEnd(root.root.createdAt, root.root.policy.retentionDays);
      lockCheck(ctx, null, root.key, info?.lock ?? null, minimum, null);
    },
  ];
}

/** Key-succession records in effect are evidence like manifests: locked as long. */
function successionLockChecks(ctx: CheckContext, assessment: Assessment): Check[] {
  return assessment.keys.epochs
    .flatMap((e) => e.record ?? [])
    .map((record) => async () => {
      const info = await ctx.store.headObject(record.key, record.versionId);
      if (!info) return; // the listing already told
      lockCheck(
        ctx,
        null,
        record.key,
        info.lock,
        retentionEnd(record.record.createdAt, ctx.policy.retentionDays),
        null,
      );
    });
}

/**
 * The chain's manifests by day, each day where the chain first reaches it: a day's parts are then
 * checked one after another, so only the days being read hold their event ids (day-events.ts),
 * however late a reconcile was written.
 */
function byDay(chain: readonly ChainManifest[]): ChainManifest[][] {
  const days = new Map<Day, ChainManifest[]>();
  for (const c of chain) {
    const day = days.get(c.manifest.day);
    if (day) day.push(c);
    else days.set(c.manifest.day, [c]);
  }
  return [...days.values()];
}

/** A day's manifests (their locks) and each of its data parts; in full mode, its events too. */
function dayChecks(ctx: CheckContext, manifests: readonly ChainManifest[]): Check[] {
  const checks: Check[] = manifests.flatMap((c) => manifestLockCheck(ctx, c));
  const parts = manifests.flatMap((c) => c.manifest.objects.map((object) => ({ c, object })));
  const first = manifests[0];
  const events =
    ctx.full && first && parts.length > 0
      ? new DayEvents(
          first.manifest.day,
          parts.map(({ c, object }) => ({ object, manifestKey: c.key })),
          (part, onLine) => readAgain(ctx.store, part, onLine),
        )
      : null;
  parts.forEach(({ c, object }, index) =>
    checks.push(async () => {
      const outcome = await checkPart(ctx, c, object, events?.lines(index));
      if (events) ctx.problems.push(...(await events.partDone(index, outcome)));
    }),
  );
  return checks;
}

function manifestLockCheck(ctx: CheckContext, c: ChainManifest): Check[] {
  if (ctx.store.kind === 'local') return [];
  const minimum = retentionEnd(c.manifest.createdAt, c.manifest.policy.retentionDays);
  return [
    async () => {
      const info = await ctx.store.headObject(c.key, c.versionId);
      if (!info) return; // the listing already told
      lockCheck(ctx, c.manifest.day, c.key, info.lock, minimum, null);
    },
  ];
}

async function readAgain(
  store: ArchiveStore,
  part: DayPart,
  onLine: (line: Buffer, lineNumber: number) => void,
): Promise<boolean> {
  const digest = await readArchivedPart(store, part.object, { onLine });
  return digestProblems(digest, part.object).length === 0;
}

/**
 * A data part: its size and lock (read back), and in full mode its bytes against the manifest, each
 * line handed to `onLine`. Says whether its bytes were read and matched.
 */
async function checkPart(
  ctx: CheckContext,
  c: ChainManifest,
  object: ChainManifest['manifest']['objects'][number],
  onLine: ((line: Buffer, lineNumber: number) => void) | undefined,
): Promise<PartOutcome> {
  const day = c.manifest.day;
  ctx.objectsChecked += 1;
  if (ctx.store.kind !== 'local' || ctx.full) {
    const info = await ctx.store.headObject(object.key, object.versionId);
    if (!info) return 'unread'; // object-missing / delete-marker: the listing already told
    if (info.size !== object.size) {
      // An unversioned (local) part's size is compared by the listing already, in the same words
      // (assessment/data-parts.ts): named there, once.
      if (object.versionId !== null) {
        ctx.problems.push({
          day,
          kind: 'hash-mismatch',
          key: object.key,
          detail: `${object.key} is ${info.size} bytes; ${c.key} recorded ${object.size}.`,
        });
      }
      return 'mismatched';
    }
    if (object.lockMode !== null && object.retainUntil !== null) {
      const minimum = retentionEnd(c.manifest.createdAt, c.manifest.policy.retentionDays);
      lockCheck(ctx, day, object.key, info.lock, minimum, object.retainUntil);
    }
  }
  if (!ctx.full) return 'unread';
  const digest = await readArchivedPart(ctx.store, object, onLine ? { onLine } : {});
  if (digestProblems(digest, object).length === 0) return 'matched';
  ctx.problems.push({
    day,
    kind: 'hash-mismatch',
    key: object.key,
    detail: `${object.key} does not match ${c.key}: SHA-256 ${digest.sha256} (recorded ${object.sha256}), ${digest.lines} events (recorded ${object.events}).`,
  });
  return 'mismatched';
}

/** A report copy: the locks of its record and bundle, and (full) the bundle's bytes against its signed record. */
function reportCopyChecks(ctx: CheckContext, copy: NonNullable<Assessment['reports']>[number]): Check[] {
  const { record } = copy;
  const checks: Check[] = [];
  if (ctx.store.kind !== 'local') {
    for (const [key, versionId] of [
      [copy.recordKey, copy.recordVersionId],
      ...(copy.bundlePresent ? [[record.bundle.key, record.bundle.versionId] as const] : []),
    ] as const) {
      checks.push(async () => {
        ctx.objectsChecked += 1;
        const info = await ctx.store.headObject(key, versionId);
        if (!info) return; // the listing already told
        lockCheck(ctx, null, key, info.lock, 0, record.bundle.retainUntil);
      });
    }
  }
  if (ctx.full && copy.bundlePresent) {
    checks.push(async () => {
      const { sha256 } = await hashArchivedObject(ctx.store, record.bundle);
      if (sha256 !== record.bundle.sha256)
        ctx.problems.push({
          day: null,
          kind: 'hash-mismatch',
          key: record.bundle.key,
          detail: `${record.bundle.key} does not match ${copy.recordKey}: SHA-256 ${sha256} (recorded ${record.bundle.sha256}).`,
        });
    });
  }
  return checks;
}

/** Runs the checks, `limit` at once, stopping when the signal aborts. */
export async function runLimited(
  checks: readonly Check[],
  limit: number,
  signal: AbortSignal | undefined,
  onDone: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < checks.length) {
      signal?.throwIfAborted();
      const check = checks[next++] as Check;
      await check();
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, checks.length)) }, worker));
}
