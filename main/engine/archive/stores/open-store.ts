/**
 * openArchiveStore: the one place an archive target URL becomes an ArchiveStore, synchronously.
 * The target is checked by parseArchiveTarget (archive-target.ts, which lists the kinds of target);
 * `loadArchiveStore` there opens the same stores but loads the S3 store only for an s3:// target
 * (the CLI's commands use it, so a local folder never loads the AWS SDK).
 */
import type { Settings } from '../../../../shared/settings';
import type { ArchiveStore } from '../archive-store';
import { parseArchiveTarget } from './archive-target';
import { LocalFolderStore } from './local-store';
import { S3ObjectLockStore } from './s3-store';

export function openArchiveStore(
  target: string,
  s3: Settings['archive']['s3'],
  env: NodeJS.ProcessEnv = process.env,
): ArchiveStore {
  const parsed = parseArchiveTarget(target, s3, env);
  return parsed.kind === 'local' ? new LocalFolderStore({ root: parsed.root }) : new S3ObjectLockStore(parsed.options);
}
