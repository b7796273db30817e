/**
 * The second locked copy's target (settings `archive.copy`): another S3 bucket with Object Lock,
 * in another region or account, that holds the same keys under its own prefix. Refused before
 * anything is written: a copy that is not S3, that overlaps the primary (same bucket, one prefix
 * inside the other), or whose bucket is not WORM or keeps a default retention shorter than policy
 * (the store's own readiness check, as for the primary). The copy's store is loaded only when a copy
 * is set, so an export without one never loads the S3 store or the AWS SDK.
 */
import { normalisePrefix } from '../../../../shared/archive-layout';
import { AuditArchiveError } from '../../../../shared/errors';
import type { Settings } from '../../../../shared/settings';
import type { ArchiveStore, RetentionPolicy } from '../archive-store';
import { loadArchiveStore } from '../stores/archive-target';

export interface CopyTarget {
  readonly store: ArchiveStore;
  readonly mode: 'write' | 'check';
  /** The copy's key for a primary key (same layout, the copy's prefix). */
  copyKey(primaryKey: string): string;
}

/** The copy the settings name, or null when none is set. Throws INVALID_SETTINGS for a copy that cannot be one. */
export async function openCopyTarget(
  settings: Pick<Settings, 'archive'>,
  primary: ArchiveStore,
  env: NodeJS.ProcessEnv,
): Promise<CopyTarget | null> {
  const { target, mode } = settings.archive.copy;
  if (!target) return null;
  if (primary.kind !== 's3')
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `A second locked copy (${target}) needs the primary archive on S3 Object Lock too; ${primary.url} is a local folder. Unset archive.copy.target.`,
    );
  const store = await loadArchiveStore(target, settings.archive.s3, env);
  const [pb, pp] = bucketAndPrefix(primary.url);
  const [cb, cp] = bucketAndPrefix(store.url);
  if (pb === cb && (pp === cp || within(pp, cp) || within(cp, pp)))
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `The copy ${store.url} is ${pp === cp ? 'the primary archive itself' : 'inside the primary archive or around it'} (${primary.url}): a copy that shares the primary's bucket and prefix is no backup. Use another bucket, ideally in another region or account. Nothing was written.`,
    );
  const from = normalisePrefix(primary.prefix);
  const to = normalisePrefix(store.prefix);
  return {
    store,
    mode,
    copyKey: (key) => {
      const rest = from ? key.slice(from.length + 1) : key;
      return to ? `${to}/${rest}` : rest;
    },
  };
}

/** The copy's bucket must be WORM with a default retention no shorter than policy: said as the copy's. */
export async function checkCopyReady(copy: CopyTarget, policy: RetentionPolicy): Promise<readonly string[]> {
  try {
    return (await copy.store.checkReady(policy)).warnings.map((w) => `the copy ${copy.store.url}: ${w}`);
  } catch (e) {
    if (e instanceof AuditArchiveError)
      throw new AuditArchiveError(
        e.code,
        `The second locked copy is refused: ${e.message} Nothing was written to the primary or the copy.`,
        { cause: e },
      );
    throw e;
  }
}

function bucketAndPrefix(url: string): [string, string] {
  const rest = url.replace(/^s3:\/\//, '');
  const slash = rest.indexOf('/');
  return slash < 0 ? [rest, ''] : [rest.slice(0, slash), normalisePrefix(rest.slice(slash + 1))];
}

function within(outer: string, inner: string): boolean {
  return outer === '' || inner.startsWith(outer + '/');
}
