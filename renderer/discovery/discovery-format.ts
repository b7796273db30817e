/**
 * How a Discovery result reads: its one-line summary, the data Athena scanned and what it cost, and
 * a cell's text.
 */
import type { ResultMetadata, ResultValue } from '../../shared/discovery/result-metadata';
import { formatCount } from '../app/display-format';

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
