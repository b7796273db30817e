/**
 * What happens after the export path lands a day in the primary (archive-session.ts calls it once
 * per day, after the day's lock was read back): its new versions are held when a matter holds the
 * day (holds/hold-landing.ts), and, with a copy in write mode, every new object and the manifest
 * are written to the copy from the primary's verified bytes, with the primary's lock, read back;
 * so is the root (a new archive's too, written by its first day), once (a root the copy holds
 * already is left as it is).
 *
 * The day is archived in the primary whatever happens here: a copy that cannot be written is said
 * in a warning, `verify --copy` names what is missing, and catch-up writes it.
 * `ready` refuses a copy that cannot be one before anything is written (copy-target.ts).
 */
import type { Day } from '../../../../shared/day';
import { isAuditArchiveError } from '../../../../shared/errors';
import type { Settings } from '../../../../shared/settings';
import type { ArchiveWriter } from '../archive';
import type { ArchiveStore } from '../archive-store';
import { holdOnLanding } from '../holds/hold-landing';
import { copyObject, manifestObjects, writerRootObject, type VouchedObject } from './copy-objects';
import { checkCopyReady, openCopyTarget, type CopyTarget } from './copy-target';

export interface DayLanding {
  /** Refuses a copy that cannot be one (throws), before anything is written; returns warnings. */
  ready(): Promise<readonly string[]>;
  landed(writer: ArchiveWriter, day: Day): Promise<void>;
}

export function openDayLanding(deps: {
  readonly settings: Settings;
  readonly store: ArchiveStore;
  readonly env: NodeJS.ProcessEnv;
  readonly warn: (message: string) => void;
  readonly now: () => number;
}): DayLanding {
  const hold = holdOnLanding(deps.store, deps.warn, deps.now);
  // The opening itself is kept, so calls that overlap open the copy's store once (a failed one is tried again).
  let copy: Promise<CopyTarget | null> | undefined;
  const copyOf = () =>
    (copy ??= openCopyTarget(deps.settings, deps.store, deps.env).catch((e: unknown) => {
      copy = undefined;
      throw e;
    }));
  let checked: Promise<readonly string[]> | null = null;
  const policy = { lockMode: deps.settings.archive.lockMode, retentionDays: deps.settings.archive.retentionDays };
  /** Root versions found in the copy or written there by this landing: not read again for each day. */
  const rootsCopied = new Set<string>();
  return {
    ready: async () => {
      const target = await copyOf();
      if (!target) return [];
      return (checked ??= checkCopyReady(target, policy).catch((e: unknown) => {
        checked = null;
        throw e;
      }));
    },
    landed: async (writer, day) => {
      await hold(writer, day);
      const target = await copyOf();
      if (target?.mode === 'write') await writeToCopy(writer, day, target, deps.warn, rootsCopied);
    },
  };
}

async function writeToCopy(
  writer: ArchiveWriter,
  day: Day,
  copy: CopyTarget,
  warn: (m: string) => void,
  rootsCopied: Set<string>,
): Promise<void> {
  const landed = writer.dayManifests(day).at(-1);
  if (!landed) return;
  const id = (o: VouchedObject) => `${o.key}\n${o.versionId ?? ''}`;
  const roots = writerRootObject(writer).filter((o) => !rootsCopied.has(id(o)));
  const failed: string[] = [];
  for (const o of [...roots, ...manifestObjects(landed)]) {
    try {
      await copyObject(writer.store, copy, o);
    } catch (e) {
      if (!isAuditArchiveError(e) || e.code !== 'ARCHIVE_OBJECT_EXISTS') {
        failed.push(`${o.key}: ${isAuditArchiveError(e) ? e.message : String((e as Error)?.message ?? e)}`);
        continue;
      }
    }
    if (o.day === null) rootsCopied.add(id(o)); // copied now, or already there
  }
  if (failed.length > 0)
    warn(
      `${day} is archived in the primary, but ${failed.length} object(s) could not be written to the copy ${copy.store.url} (${failed[0]}${failed.length > 1 ? ' …' : ''}). verify --copy names them; catch-up writes them.`,
    );
}
