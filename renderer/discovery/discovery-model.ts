/**
 * The Discovery page's pure helpers: default dates, form fields to a structured query, parameters
 * found in SQL, and how numbers, bytes and cost read.
 */
import { addDays, dayFromMs, type Day } from '../../shared/day';
import { PARAMETER_TYPES, scanNamedParameters, type ParameterType } from '../../shared/discovery/parameters';
import type { ResultMetadata, ResultValue } from '../../shared/discovery/result-metadata';
import type { StructuredQuery, StructuredQueryInput } from '../../shared/discovery/structured-query';

/** The last 30 UTC days up to yesterday (today is not settled yet). */
export function defaultRange(nowMs: number): { from: Day; to: Day } {
  const yesterday = addDays(dayFromMs(nowMs), -1);
  return { from: addDays(yesterday, -29), to: yesterday };
}

export interface FormFields {
  from: string;
  to: string;
  users: string;
  entityType: string;
  entity: string;
  actions: string;
  service: string;
  status: string;
  text: string;
}

/** Several users or actions: one per line, or separated by commas. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function structuredFromForm(f: FormFields): StructuredQueryInput {
  return {
    range: { from: f.from, to: f.to },
    users: splitList(f.users),
    entityType: f.entityType,
    entity: f.entity,
    actions: splitList(f.actions),
    service: f.service,
    status: f.status as StructuredQueryInput['status'],
    text: f.text,
  };
}

export function formFromStructured(s: StructuredQuery): FormFields {
  return {
    from: s.range.from,
    to: s.range.to,
    users: s.users.join(', '),
    entityType: s.entityType ?? '',
    entity: s.entity ?? '',
    actions: s.actions.join(', '),
    service: s.service ?? '',
    status: s.status ?? '',
    text: s.text ?? '',
  };
}

/** The `:name` parameters a SQL text uses, in first-use order (none while the text does not scan). */
export function parametersIn(sql: string): string[] {
  try {
    return [...new Set(scanNamedParameters(sql).names)];
  } catch {
    return [];
  }
}

export const TYPE_LABELS: Record<ParameterType, string> = {
  string: 'text',
  integer: 'whole number',
  number: 'number',
  boolean: 'true/false',
  day: 'UTC day',
  instant: 'UTC instant',
};
export { PARAMETER_TYPES };

/** A saved-query id from its name: `Queue changes (FCA)` -> `queue-changes-fca`. */
export function slugOf(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'query'
  );
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** Athena costs are fractions of a cent to a few dollars: enough digits to see them. */
export function formatUsd(usd: number): string {
  if (usd < 0.0001) return `$${usd.toFixed(6)}`;
  return usd < 1 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** One line saying what a result is: rows, time, engine, what was read and (Athena) what it cost. */
export function resultSummary(m: ResultMetadata): string {
  const rows = `${formatCount(m.rowCount)} row${m.rowCount === 1 ? '' : 's'} in ${(m.runTimeMs / 1000).toFixed(2)} s`;
  const range = m.range ? `${m.range.from} to ${m.range.to}` : 'every day';
  if (m.engine.kind === 'athena') {
    const cost = m.cost ? ` · ${formatBytes(m.cost.bytesScanned)} scanned · ${formatUsd(m.cost.costUsd)}` : '';
    return `${rows} · Athena (${m.engine.workgroup}) · ${range}${cost}`;
  }
  const p = m.population;
  const read = p ? ` · read ${formatCount(p.events)} events in ${formatCount(p.objects)} archived objects` : '';
  return `${rows} · local (${m.engine.version}) · ${range}${read}`;
}

export function cellText(v: ResultValue | undefined): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
