/**
 * Legal holds for the calendar and the day panel: the matters holding each day now, read through the
 * hold ledger (main/engine/archive/holds/hold-ledger.ts), which counts only records that pass their
 * schema, canonical form and signature check. A local folder holds nothing (it cannot enforce a hold).
 */
import type { Day } from '../../../shared/day';
import type { DayHold } from '../../../shared/day-details';
import type { DayStatus } from '../../../shared/day-status';
import type { ArchiveSession } from '../archive/archive-session';
import type { Assessment } from '../archive/assessment';
import { readHoldLedger, type HoldLedger } from '../archive/holds/hold-ledger';

/**
 * The archive's verified hold ledger, or null when the archive cannot hold anything (a local folder).
 * The records are judged against `assessment` (the archive's id and keys); read afresh when not given.
 */
export async function readSessionHolds(session: ArchiveSession, assessment?: Assessment): Promise<HoldLedger | null> {
  if (session.store.kind === 'local') return null;
  const judgedBy = assessment ?? (await session.archive.read({ scope: 'layout' })).assessment;
  return readHoldLedger(session.store, judgedBy);
}

/** Each day with the matters holding it now (`holds`, sorted); days no matter holds are returned as they are. */
export function withHolds(days: readonly DayStatus[], ledger: HoldLedger | null): DayStatus[] {
  if (!ledger || ledger.matters.size === 0) return [...days];
  return days.map((d) => {
    const matters = ledger.mattersOf(d.day);
    return matters.length > 0 ? { ...d, holds: matters.slice(0, 50) } : d;
  });
}

/** Every period that holds `day` now, by matter name then placing order. */
export function holdsOfDay(ledger: HoldLedger | null, day: Day): DayHold[] {
  if (!ledger) return [];
  return [...ledger.matters.values()]
    .sort((a, b) => a.matter.localeCompare(b.matter))
    .flatMap((m) =>
      m.periods
        .filter((p) => p.from <= day && day <= p.to)
        .map((p) => ({
          matter: m.matter,
          reference: p.reference,
          reason: p.reason,
          by: p.by,
          placedAt: p.placedAt,
          from: p.from,
          to: p.to,
        })),
    )
    .slice(0, 100);
}
