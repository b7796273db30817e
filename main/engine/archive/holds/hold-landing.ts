/**
 * Days archived inside a held period are held as they land: after the export path writes a day
 * (a first export or a reconcile), the versions its new manifest vouches for get their legal hold
 * ON when a matter holds that day. The ledger is read at the first landing and again after
 * LEDGER_TTL_MS, so a hold placed while the app runs reaches its days within minutes.
 *
 * The day is archived whatever happens here (its lock was read back already): credentials that may
 * not place holds (the exporter's, by default) are said in a warning naming the day and the matter,
 * and verify names each such version `hold-missing` until the officer places the hold again.
 */
import type { Day } from '../../../../shared/day';
import { isAuditArchiveError } from '../../../../shared/errors';
import type { ArchiveWriter } from '../archive';
import type { ArchiveStore } from '../archive-store';
import { readHoldLedger, type HoldLedger } from './hold-ledger';
import { setHolds, type HeldVersion } from './hold-versions';

const LEDGER_TTL_MS = 5 * 60_000;

type HoldOnLanding = (writer: ArchiveWriter, day: Day) => Promise<void>;

export function holdOnLanding(store: ArchiveStore, warn: (message: string) => void, now: () => number): HoldOnLanding {
  const set = store.setLegalHold?.bind(store);
  let cached: { at: number; ledger: Promise<HoldLedger> } | null = null;
  const ledgerOf = (writer: ArchiveWriter) => {
    if (!cached || now() - cached.at > LEDGER_TTL_MS)
      cached = { at: now(), ledger: readHoldLedger(store, writer.assessment) };
    return cached.ledger;
  };
  return async (writer, day) => {
    if (!set || store.kind === 'local') return;
    let matters: string[] = [];
    try {
      matters = (await ledgerOf(writer)).mattersOf(day);
      if (matters.length === 0) return;
      const landed = writer.dayManifests(day).at(-1);
      if (!landed) return;
      const versions: HeldVersion[] = [
        { day, key: landed.key, versionId: landed.versionId },
        ...landed.manifest.objects.map((o) => ({ day, key: o.key, versionId: o.versionId })),
      ];
      await setHolds(set, versions, true);
    } catch (e) {
      cached = null;
      const why = isAuditArchiveError(e) ? e.message : String((e as Error)?.message ?? e);
      warn(
        `${day} is held${matters.length ? ` for ${matters.join(', ')}` : ''}, but its new versions could not be held as they landed: ${why} The day is archived; verify names each version without its hold (hold-missing) until \`audit-archive hold place\` is run again with the officer's credentials.`,
      );
    }
  };
}
