/** Whether an object's lock, as read back now, still protects it as the policy and its record say. */
import type { LockMode } from '../../../../shared/manifest';
import type { ObjectLock } from '../archive-store';

const MS_PER_DAY = 86_400_000;
/** Stores round retain-until to the second. */
const RETAIN_SLACK_MS = 1000;

/**
 * The lock as read back now, against the policy (mode at least as strong), the policy's length from
 * when the object was written, what was recorded at write time, and the clock (still in force).
 */
export function lockProblem(
  key: string,
  lock: ObjectLock | null,
  policyMode: LockMode,
  minimumMs: number,
  recorded: string | null,
  now: number,
): string | null {
  if (!lock)
    return `${key} has no lock now (the exporter's role needs s3:GetObjectRetention to see it; otherwise it was never locked or the lock is gone).`;
  if (policyMode === 'COMPLIANCE' && lock.mode !== 'COMPLIANCE')
    return `${key} is locked in ${lock.mode} mode, weaker than the COMPLIANCE policy: users with s3:BypassGovernanceRetention can delete it.`;
  const until = Date.parse(lock.retainUntil);
  if (until <= now) return `${key}'s retention ended on ${lock.retainUntil}: it is no longer protected.`;
  if (recorded !== null && until + RETAIN_SLACK_MS < Date.parse(recorded))
    return `${key} is retained until ${lock.retainUntil}, earlier than the ${recorded} recorded when it was written.`;
  if (until + MS_PER_DAY < minimumMs)
    return `${key} is retained until ${lock.retainUntil}, shorter than the policy asked when it was written (until ${new Date(minimumMs).toISOString()}).`;
  return null;
}

/** The end of the policy's retention for something written at `createdAt`. */
export function retentionEnd(createdAt: string, retentionDays: number): number {
  return Date.parse(createdAt) + retentionDays * MS_PER_DAY;
}
