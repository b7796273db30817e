/**
 * The events of one archived day as `verify --full` reads them: "every event exactly once" (the
 * first of the WORM invariants, docs/ARCHITECTURE.md) proved from the archive's own bytes, not from
 * the exporter's bookkeeping.
 *
 * Every line of every part the day's manifests on the chain vouch for (its export and any
 * reconciles) must be an audit event (shared/audit-event.ts: a JSON object with an `id` and a real
 * `eventDate`) dated in the day (UTC), and no event id may be there twice. The ids go into one exact
 * EventIdSet for the day (event-id-set.ts), made at its first line and dropped when its last part
 * has been read: memory holds the days being read, not the archive.
 *
 * Parts of a day are read concurrently (object-checks.ts) and in any order; what is reported does
 * not depend on it. Each kind is named at most EVENT_FINDINGS_PER_DAY times a day (a forged day may
 * repeat one event a million times), and each problem says how many there are in all:
 * - `event-invalid`: the first such lines in the day's order (manifest, part, line), by key and line;
 * - `event-duplicated`: the first repeated ids in sort order, each with the places it is in, found
 *   by reading the day's parts once more (only on a day that has a repeated id).
 * A day with a part whose bytes do not match its manifest gets neither: its lines are not the ones
 * the manifest vouches for, and `hash-mismatch` already fails it.
 */
import { checkedEventDate, eventCoreProblem } from '../../../../shared/audit-event';
import { dayStartMs, type Day } from '../../../../shared/day';
import { formatCount } from '../../../../shared/format-count';
import type { ManifestObject } from '../../../../shared/manifest';
import type { VerifyProblem } from '../../../../shared/verify';
import { EventIdSet } from '../event-id-set';

/** Problems of each kind named per day. */
export const EVENT_FINDINGS_PER_DAY = 10;
/** Places named per repeated id. */
const PLACES_PER_ID = 5;
/** The longest detail a problem may carry (shared/verify.ts). */
const MAX_DETAIL = 2000;
const MS_PER_DAY = 86_400_000;

/** A part of the day, as the manifest on the chain that names it records it. */
export interface DayPart {
  readonly object: ManifestObject;
  readonly manifestKey: string;
}

/**
 * Reads a part again, line by line; true when its bytes still match its manifest. Used only to
 * find where the repeated ids are.
 */
export type ReadPartLines = (part: DayPart, onLine: (line: Buffer, lineNumber: number) => void) => Promise<boolean>;

/** How the read of a part ended: its bytes match its manifest, do not, or were not read (gone). */
export type PartOutcome = 'matched' | 'mismatched' | 'unread';

interface InvalidLine {
  readonly part: number;
  readonly line: number;
  readonly why: string;
}

export class DayEvents {
  private ids: EventIdSet | null = null;
  /** Each id seen more than once, once. */
  private repeatedIds: EventIdSet | null = null;
  /** Lines whose id an earlier line (in the order read) already had. */
  private repeatedLines = 0;
  /** The smallest repeated ids, sorted, at most EVENT_FINDINGS_PER_DAY. */
  private readonly firstRepeated: string[] = [];
  private invalidLines = 0;
  /** The first invalid lines in the day's order, at most EVENT_FINDINGS_PER_DAY. */
  private readonly firstInvalid: InvalidLine[] = [];
  private readonly outcomes: (PartOutcome | null)[];
  private pending: number;
  private readonly startMs: number;

  constructor(
    readonly day: Day,
    /** In the day's order: its manifests by sequence, each one's parts as listed. */
    private readonly parts: readonly DayPart[],
    private readonly readAgain: ReadPartLines,
  ) {
    this.pending = parts.length;
    this.outcomes = parts.map(() => null);
    this.startMs = dayStartMs(day);
  }

  /** What reading part `index` calls with each line. */
  lines(index: number): (line: Buffer, lineNumber: number) => void {
    return (line, n) => this.line(index, line, n);
  }

  private line(part: number, bytes: Buffer, n: number): void {
    let text: string;
    try {
      text = bytes.toString('utf8');
    } catch {
      return this.invalid(
        part,
        n,
        () => `is ${formatCount(bytes.length)} bytes long, more than can be read as one event`,
      );
    }
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      return this.invalid(part, n, () => 'is not JSON');
    }
    const date = checkedEventDate(event);
    if (date === null) return this.invalid(part, n, () => `is not an audit event (${eventCoreProblem(event)})`);
    const id = (event as { id: string }).id;
    this.ids ??= new EventIdSet();
    if (!this.ids.add(id)) this.repeated(id);
    const ms = Date.parse(date);
    if (ms < this.startMs || ms >= this.startMs + MS_PER_DAY)
      this.invalid(part, n, () => `is an event dated ${date}, outside ${this.day} (UTC)`);
  }

  private invalid(part: number, line: number, why: () => string): void {
    this.invalidLines++;
    const list = this.firstInvalid;
    const before = (a: { part: number; line: number }, b: InvalidLine) =>
      a.part < b.part || (a.part === b.part && a.line < b.line);
    if (list.length === EVENT_FINDINGS_PER_DAY && !before({ part, line }, list.at(-1) as InvalidLine)) return;
    insertSorted(list, { part, line, why: why() }, before);
  }

  private repeated(id: string): void {
    this.repeatedLines++;
    this.repeatedIds ??= new EventIdSet();
    if (!this.repeatedIds.add(id)) return;
    const list = this.firstRepeated;
    if (list.length === EVENT_FINDINGS_PER_DAY && id >= (list.at(-1) as string)) return;
    insertSorted(list, id, (a, b) => a < b);
  }

  /**
   * Part `index` is done. Once every part of the day is, the day's sets are dropped and its problems
   * returned (before that: none).
   */
  async partDone(index: number, outcome: PartOutcome): Promise<VerifyProblem[]> {
    this.outcomes[index] = outcome;
    if (--this.pending > 0) return [];
    const distinctRepeated = this.repeatedIds?.size ?? 0;
    this.ids = null;
    this.repeatedIds = null;
    if (this.outcomes.includes('mismatched')) return [];
    return [...this.invalidProblems(), ...(await this.duplicateProblems(distinctRepeated))];
  }

  private invalidProblems(): VerifyProblem[] {
    const total = this.invalidLines;
    const tally =
      total > 1
        ? ` ${formatCount(total)} lines of the parts of ${this.day} are not audit events of the day${total > this.firstInvalid.length ? `; the first ${this.firstInvalid.length} are named` : ''}.`
        : '';
    return this.firstInvalid.map((l) => {
      const key = (this.parts[l.part] as DayPart).object.key;
      return { day: this.day, kind: 'event-invalid', key, detail: bounded(`${key} line ${l.line} ${l.why}.${tally}`) };
    });
  }

  /** The repeated ids named, each with its places (the day's parts read again). */
  private async duplicateProblems(distinct: number): Promise<VerifyProblem[]> {
    if (this.firstRepeated.length === 0) return [];
    const places = await this.placesOf(this.firstRepeated);
    if (!(places instanceof Map)) return [places];
    const tally =
      distinct > 1
        ? ` ${formatCount(distinct)} event ids are repeated on ${this.day} (${formatCount(this.repeatedLines)} lines repeat an id already there)${distinct > this.firstRepeated.length ? `; the first ${this.firstRepeated.length} in sort order are named` : ''}.`
        : '';
    const problems: VerifyProblem[] = [];
    for (const id of this.firstRepeated) {
      const found = places.get(id) as Places;
      if (found.count < 2) continue; // not repeated in the bytes read again (they matched): never so
      const where = found.places.map((p) => `${(this.parts[p.part] as DayPart).object.key} line ${p.line}`);
      const more =
        found.count > found.places.length ? `, and ${formatCount(found.count - found.places.length)} more` : '';
      problems.push({
        day: this.day,
        kind: 'event-duplicated',
        key: (this.parts[(found.places[1] as Place).part] as DayPart).object.key,
        detail: bounded(
          `Event id ${quotedId(id)} is in the parts of ${this.day} ${formatCount(found.count)} times: ${where.join(', ')}${more}.${tally}`,
        ),
      });
    }
    return problems;
  }

  /**
   * Where each of `ids` is: the parts read in the first pass, read again. A part whose bytes no
   * longer match its manifest is a `hash-mismatch` instead (it changed while verify read it).
   */
  private async placesOf(ids: readonly string[]): Promise<Map<string, Places> | VerifyProblem> {
    const places = new Map<string, Places>(ids.map((id) => [id, { count: 0, places: [] }]));
    for (const [index, part] of this.parts.entries()) {
      if (this.outcomes[index] !== 'matched') continue;
      const still = await this.readAgain(part, (bytes, line) => {
        const id = idOfLine(bytes);
        const found = id === null ? undefined : places.get(id);
        if (!found) return;
        if (++found.count <= PLACES_PER_ID) found.places.push({ part: index, line });
      });
      if (!still)
        return {
          day: this.day,
          kind: 'hash-mismatch',
          key: part.object.key,
          detail: `${part.object.key} changed while verify read it: read again to find a repeated event id, it no longer matches ${part.manifestKey}.`,
        };
    }
    return places;
  }
}

interface Place {
  readonly part: number;
  readonly line: number;
}
interface Places {
  count: number;
  readonly places: Place[];
}

/** Inserts `item` in the sorted `list`, keeping at most EVENT_FINDINGS_PER_DAY. */
function insertSorted<T>(list: T[], item: T, before: (a: T, b: T) => boolean): void {
  let i = list.length;
  while (i > 0 && before(item, list[i - 1] as T)) i--;
  list.splice(i, 0, item);
  if (list.length > EVENT_FINDINGS_PER_DAY) list.pop();
}

/** The id of a line that is an event, else null. */
function idOfLine(bytes: Buffer): string | null {
  try {
    const event: unknown = JSON.parse(bytes.toString('utf8'));
    return checkedEventDate(event) === null ? null : (event as { id: string }).id;
  } catch {
    return null;
  }
}

/** UNSAFE in main/engine/genesys/remote-text.ts that JSON.stringify leaves as they are. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/**
 * An id read from the archive, quoted as JSON (so two ids shown differ exactly when they differ),
 * with nothing that could move a terminal's cursor or reorder the text, and at most 120 characters.
 */
function quotedId(id: string): string {
  const quoted = JSON.stringify(id).replace(
    UNSAFE_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (quoted.length <= 120) return quoted;
  // Never split a surrogate pair.
  const cut = isHighSurrogate(quoted.charCodeAt(117)) ? 117 : 118;
  return `${quoted.slice(0, cut)}…"`;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function bounded(detail: string): string {
  return detail.length <= MAX_DETAIL ? detail : `${detail.slice(0, MAX_DETAIL - 1)}…`;
}
