/**
 * Every cited row that names an event is compared, field by field, with that event's line as the
 * archive holds it (read from objects whose SHA-256 the report checks against their manifests), so
 * a report never vouches for a value only a query engine's copy held: a discovery cache someone
 * rewrote (a user's name changed) is named, row by row, instead of printed as evidence.
 *
 * A column is compared when it is named like an event field (the audit_events columns and the names
 * the Discovery form and the starter queries give them); other columns (a count, an expression) are
 * listed as not compared. While the cited rows are read, a digest of each row's comparable values
 * is kept by event id; while the archive's lines are read, the same digest is made from the event.
 * Only rows that differ are looked at again, for the report's examples.
 */
import { createHash } from 'node:crypto';
import type { ResultColumn, ResultRow, ResultValue } from '../../../shared/discovery/result-metadata';

type Extract = (event: Record<string, unknown>) => ResultValue;

function at(event: Record<string, unknown>, ...path: string[]): unknown {
  let v: unknown = event;
  for (const p of path)
    v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

const text =
  (...path: string[]): Extract =>
  (event) => {
    const v = at(event, ...path);
    return typeof v === 'string' ? v : v === undefined || v === null ? null : JSON.stringify(v);
  };

/** Event fields by the column names a result gives them. */
const EVENT_FIELDS: ReadonlyMap<string, Extract> = new Map<string, Extract>([
  ['id', text('id')],
  ['eventdate', text('eventDate')],
  ['event_date', text('eventDate')],
  ['servicename', text('serviceName')],
  ['service', text('serviceName')],
  ['action', text('action')],
  ['entitytype', text('entityType')],
  ['entity_type', text('entityType')],
  ['status', text('status')],
  ['level', text('level')],
  ['application', text('application')],
  ['user_name', text('user', 'name')],
  ['user_id', text('user', 'id')],
  ['entity_name', text('entity', 'name')],
  ['entity_id', text('entity', 'id')],
  ['client_id', text('client', 'id')],
  [
    'remote_ip',
    (event) => {
      const v = at(event, 'remoteIp');
      return Array.isArray(v) ? v.map(String).join(', ') : null;
    },
  ],
]);

/** Scalar values only: a nested value is shown as text by one engine and as JSON by the other. */
function comparable(v: ResultValue): string | null {
  if (v === null) return null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

interface ResultPlan {
  readonly index: number;
  readonly columns: ReadonlyArray<{ readonly position: number; readonly name: string; readonly extract: Extract }>;
}

export interface FieldCheckResult {
  readonly columns: string[];
  readonly notCompared: string[];
  readonly rows: number;
  readonly mismatches: number;
  readonly examples: Array<{ id: string; column: string; result: string; archived: string }>;
}

const EXAMPLES = 20;

/** The field-by-field check of one report: results register their rows, the archive's lines are checked as they are read. */
export class FieldCheck {
  private readonly plans = new Map<number, ResultPlan>();
  /** By event id: each registered row's result and digest of its comparable values. */
  private readonly expected = new Map<string, Array<{ result: number; digest: string }>>();
  private readonly rowsChecked = new Map<number, number>();
  private readonly differing = new Map<number, Set<string>>();
  /** The archived event of ids that differ (for the examples; at most EXAMPLES per result). */
  private readonly archived = new Map<string, Record<string, unknown>>();

  /** A result's columns: which are compared; returns the row callback (null: nothing to compare). */
  register(index: number, columns: readonly ResultColumn[]): ((row: ResultRow) => void) | null {
    const idPosition = columns.findIndex((c) => c.name.toLowerCase() === 'id');
    if (idPosition < 0) return null;
    const compared = columns.flatMap((c, position) => {
      const extract = EVENT_FIELDS.get(c.name.toLowerCase());
      return extract && position !== idPosition ? [{ position, name: c.name, extract }] : [];
    });
    const plan: ResultPlan = { index, columns: compared };
    this.plans.set(index, plan);
    return (row) => {
      const id = row[idPosition];
      if (typeof id !== 'string' || id === '') return;
      const digest = digestOf(compared.map((c) => comparable(row[c.position] ?? null)));
      const list = this.expected.get(id);
      if (list) list.push({ result: index, digest });
      else this.expected.set(id, [{ result: index, digest }]);
    };
  }

  /** Whether any registered row names this id (so its line is worth parsing). */
  wants(id: string): boolean {
    return this.expected.has(id);
  }

  /** The archived event of `id`, as read from a checked object. */
  checkEvent(id: string, event: Record<string, unknown>): void {
    for (const { result, digest } of this.expected.get(id) ?? []) {
      const plan = this.plans.get(result) as ResultPlan;
      this.rowsChecked.set(result, (this.rowsChecked.get(result) ?? 0) + 1);
      if (digestOf(plan.columns.map((c) => comparable(c.extract(event)))) === digest) continue;
      const set = this.differing.get(result) ?? new Set<string>();
      set.add(id);
      this.differing.set(result, set);
      if (set.size <= EXAMPLES) this.archived.set(id, event);
    }
  }

  /** Ids whose cited row differs from the archived line, in any result. */
  differingIds(): ReadonlySet<string> {
    const all = new Set<string>();
    for (const set of this.differing.values()) for (const id of set) all.add(id);
    return all;
  }

  /** The check of one result, its examples taken from its rows (read again, only for ids that differ). */
  async resultOf(
    index: number,
    columns: readonly ResultColumn[],
    rows: () => AsyncIterable<readonly ResultRow[]>,
  ): Promise<FieldCheckResult> {
    const plan = this.plans.get(index);
    const compared = plan?.columns.map((c) => c.name) ?? [];
    const notCompared = columns.map((c) => c.name).filter((n) => n.toLowerCase() !== 'id' && !compared.includes(n));
    const differing = this.differing.get(index) ?? new Set<string>();
    const examples: FieldCheckResult['examples'] = [];
    if (plan && differing.size > 0) {
      const idPosition = columns.findIndex((c) => c.name.toLowerCase() === 'id');
      for await (const page of rows())
        for (const row of page) {
          const id = row[idPosition];
          const event = typeof id === 'string' ? this.archived.get(id) : undefined;
          if (!event || examples.length >= EXAMPLES) continue;
          for (const c of plan.columns) {
            const result = comparable(row[c.position] ?? null);
            const archived = comparable(c.extract(event));
            if (result !== archived)
              examples.push({
                id: id as string,
                column: c.name,
                result: result ?? '(null)',
                archived: archived ?? '(null)',
              });
          }
        }
    }
    return {
      columns: compared,
      notCompared,
      rows: this.rowsChecked.get(index) ?? 0,
      mismatches: differing.size,
      examples: examples.slice(0, EXAMPLES),
    };
  }
}

function digestOf(values: Array<string | null>): string {
  return createHash('sha256').update(JSON.stringify(values)).digest('base64');
}
