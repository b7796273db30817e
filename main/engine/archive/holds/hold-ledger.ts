/**
 * The hold ledger: every legal-hold record of the archive, read at its original version and judged
 * (schema, canonical form, this archive's, signed by one of the archive's keys), and the matters
 * that hold days now. Records are applied in index order: a place adds its period to its matter, a
 * release ends every period of its matter. A day is held while any matter's period covers it.
 *
 * Anything else under `holds/` (junk, a record someone rewrote, an unsigned release) is named
 * (`hold-invalid`, `version-added`, `delete-marker`) and never counts: only the archive's key can
 * release a matter in the archive's account, and only the officer's credentials can turn an
 * object's hold off.
 */
import { holdsFolder, parseKey } from '../../../../shared/archive-layout';
import type { Day } from '../../../../shared/day';
import type { VerifyProblem } from '../../../../shared/verify';
import type { ArchiveStore, ObjectVersionEntry } from '../archive-store';
import { readArchivedDocument } from '../archived-object';
import type { Assessment } from '../assessment';
import { documentSignatureValid } from '../signing';
import { checkHoldRecordBytes, MAX_HOLD_RECORD_BYTES, type HoldRecord, type HoldRecordRead } from './hold-record';

export interface HeldPeriod {
  readonly from: Day;
  readonly to: Day;
  /** The index of the record that placed it. */
  readonly recordIndex: number;
  readonly placedAt: string;
  readonly by: string;
  readonly reference: string;
  readonly reason: string;
}

export interface HeldMatter {
  readonly matter: string;
  readonly periods: readonly HeldPeriod[];
}

export interface HoldLedger {
  /** Matters holding days now, by name. */
  readonly matters: ReadonlyMap<string, HeldMatter>;
  /** Valid, signed records, by index. */
  readonly records: readonly HoldRecord[];
  /** Records and keys under `holds/` that do not count, named. */
  readonly problems: readonly VerifyProblem[];
  /** The next free record index (above every key under `holds/`). */
  readonly nextIndex: number;
  /** The matters holding `day` now (sorted). */
  mattersOf(day: Day): string[];
}

/**
 * A matter's period that overlaps a range (a report's period, a query's range, a verified range):
 * the period as its record placed it, and the days of it inside the range.
 */
export interface HeldInRange {
  readonly matter: string;
  readonly reference: string;
  readonly from: Day;
  readonly to: Day;
  /** The held days within the range: the period cut to it (the period itself on an unbounded side). */
  readonly heldFrom: Day;
  readonly heldTo: Day;
}

/**
 * Every period of every matter holding days now that overlaps `range` (absent ends: unbounded), by
 * matter then period start: what a report over the range and a discovery answer over it state.
 */
export function heldInRange(ledger: HoldLedger, range: { readonly from?: Day; readonly to?: Day }): HeldInRange[] {
  const { from, to } = range;
  return [...ledger.matters.values()]
    .flatMap((m) =>
      m.periods
        .filter((p) => (from === undefined || p.to >= from) && (to === undefined || p.from <= to))
        .map((p) => ({
          matter: m.matter,
          reference: p.reference,
          from: p.from,
          to: p.to,
          heldFrom: from !== undefined && from > p.from ? from : p.from,
          heldTo: to !== undefined && to < p.to ? to : p.to,
        })),
    )
    .sort((a, b) => a.matter.localeCompare(b.matter) || a.from.localeCompare(b.from));
}

/** Reads and judges every record under `holds/` (one listing, one GET per record). */
export async function readHoldLedger(
  store: ArchiveStore,
  assessment: Assessment,
  signal?: AbortSignal,
): Promise<HoldLedger> {
  const byKey = new Map<string, ObjectVersionEntry[]>();
  for await (const v of store.listVersions(holdsFolder(store.prefix))) {
    signal?.throwIfAborted();
    byKey.set(v.key, [...(byKey.get(v.key) ?? []), v]);
  }
  const problems: VerifyProblem[] = [];
  const reads: HoldRecordRead[] = [];
  let maxIndex = 0;
  for (const [key, versions] of byKey) {
    const parsed = parseKey(store.prefix, key);
    if (parsed.kind !== 'hold') continue; // keys that are not records: the whole listing names them
    maxIndex = Math.max(maxIndex, parsed.index);
    const read = await readOriginal(store, key, versions, problems);
    if (read) reads.push(read);
  }
  const records = judge(reads, assessment, problems);
  return buildLedger(records, problems, maxIndex + 1);
}

async function readOriginal(
  store: ArchiveStore,
  key: string,
  versions: readonly ObjectVersionEntry[],
  problems: VerifyProblem[],
): Promise<HoldRecordRead | null> {
  const live = versions.filter((v) => !v.isDeleteMarker);
  if (versions.some((v) => v.isDeleteMarker))
    problems.push({
      day: null,
      kind: 'delete-marker',
      key,
      detail: `A delete marker hides the legal-hold record ${key}.`,
    });
  if (live.length > 1)
    problems.push({
      day: null,
      kind: 'version-added',
      key,
      detail: `The legal-hold record ${key} has ${live.length} versions; only the original counts.`,
    });
  const original = live.at(-1);
  if (!original) return null;
  const read = await readArchivedDocument(store, { key, versionId: original.versionId }, MAX_HOLD_RECORD_BYTES);
  if (!read.ok)
    return {
      ok: false,
      key,
      versionId: original.versionId,
      detail:
        read.reason === 'too-large'
          ? `${key} is larger than a legal-hold record can be.`
          : `The legal-hold record ${key} could not be read at its version.`,
    };
  return checkHoldRecordBytes(key, original.versionId, read.bytes);
}

/** The records that count: valid, this archive's, signed by a key the archive's history names. */
function judge(reads: readonly HoldRecordRead[], assessment: Assessment, problems: VerifyProblem[]): HoldRecord[] {
  const root = assessment.root.status === 'ok' ? assessment.root.root : null;
  const keys = assessment.keys.epochs;
  const out: HoldRecord[] = [];
  for (const read of reads) {
    const bad = (detail: string) => problems.push({ day: null, kind: 'hold-invalid', key: read.key, detail });
    if (!read.ok) bad(read.detail);
    else if (!root || read.record.archiveId !== root.archiveId)
      bad(`${read.key} belongs to another archive (${read.record.archiveId}).`);
    else if (!read.key.endsWith(`/${String(read.record.index).padStart(6, '0')}.json`))
      bad(`${read.key} carries index ${read.record.index}, not its key's.`);
    else if (!keys.some((k) => documentSignatureValid(read.record, k.publicKey, k.fingerprint)))
      bad(`${read.key} is not signed by any of the archive's keys: it places or releases nothing.`);
    else out.push(read.record);
  }
  return out.sort((a, b) => a.index - b.index);
}

function buildLedger(records: HoldRecord[], problems: VerifyProblem[], nextIndex: number): HoldLedger {
  const periods = new Map<string, HeldPeriod[]>();
  for (const r of records) {
    if (r.action === 'release') periods.delete(r.matter);
    else if (r.from && r.to)
      periods.set(r.matter, [
        ...(periods.get(r.matter) ?? []),
        {
          from: r.from,
          to: r.to,
          recordIndex: r.index,
          placedAt: r.createdAt,
          by: r.by,
          reference: r.reference,
          reason: r.reason,
        },
      ]);
  }
  const matters = new Map([...periods].map(([matter, p]) => [matter, { matter, periods: p }]));
  return {
    matters,
    records,
    problems,
    nextIndex,
    mattersOf: (day) =>
      [...matters.values()]
        .filter((m) => m.periods.some((p) => p.from <= day && day <= p.to))
        .map((m) => m.matter)
        .sort(),
  };
}
