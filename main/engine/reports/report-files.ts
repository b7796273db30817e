/**
 * The files of a report folder, from what prepareReport found: the events (the archive's lines, each
 * line's source, the same events as CSV, the summary), each result's rows and metadata, and the
 * archive's own files (root, manifests, the cited objects when included, the public key).
 */
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Day } from '../../../shared/day';
import type { ArchiveFile } from '../../../shared/reports/report-evidence';
import type { ReportSummary } from '../../../shared/reports/report-contract';
import type { ArchiveStore } from '../archive/archive-store';
import { csvRows, ResultWriter } from '../discovery/result-export';
import { archiveFilesWanted, writeArchiveFiles } from './bundle-archive-files';
import { PUBLIC_KEY_NAME, publicKeyPem } from './bundle-signature';
import { objectId, write, writeEventsNdjson, type EventLineSource } from './event-lines';
import { EventSummary } from './event-summary';
import type { Prepared } from './report-prepare';

export const EVENT_LINES_NAME = 'event-lines.ndjson';

const EVENT_CSV_COLUMNS = [
  'n',
  'id',
  'day',
  'event_date',
  'time_utc',
  'time_local',
  'time_zone',
  'user_name',
  'user_id',
  'service',
  'action',
  'status',
  'entity_type',
  'entity_name',
  'entity_id',
  'property_changes',
  'remote_ip',
  'client_id',
  'application',
  'archive_object',
  'archive_version_id',
  'archive_line',
  'archive_check',
];

/** What the events table says about an event whose check failed (null: it passed). */
export function eventFlagOf(p: Prepared): (source: EventLineSource | null) => string | null {
  const failed = new Set(p.citedObjects.filter((o) => !o.matches).map((o) => objectId(o.key, o.versionId)));
  return (source) => {
    if (!source) return null;
    const flags = [
      failed.has(objectId(source.object, source.versionId)) ? 'its archived object does not match its manifest' : '',
      p.differing.has(source.id) ? "the query engine's row differs from this archived line" : '',
    ].filter(Boolean);
    return flags.length ? flags.join('; ') : null;
  };
}

/** events.ndjson, event-lines.ndjson and events.csv; the summary and the events per day. */
export async function writeEventFiles(
  p: Prepared,
  folder: string,
  timeZone: string,
): Promise<{ summary: ReportSummary; citedByDay: Map<Day, number>; names: string[] }> {
  const summary = new EventSummary();
  const citedByDay = new Map<Day, number>();
  const flagOf = eventFlagOf(p);
  const csv = createWriteStream(path.join(folder, 'events.csv'), { flags: 'wx' });
  await write(csv, EVENT_CSV_COLUMNS.join(',') + '\r\n');
  const files = { ndjson: path.join(folder, 'events.ndjson'), sources: path.join(folder, EVENT_LINES_NAME) };
  await writeEventsNdjson(p.collected, files, p.times, async (row, from, source) => {
    summary.add(row, from.day);
    citedByDay.set(from.day, (citedByDay.get(from.day) ?? 0) + 1);
    // Cells in the order of EVENT_CSV_COLUMNS.
    const cells = [
      row.n,
      row.id,
      from.day,
      row.eventDate,
      row.timeUtc,
      row.timeLocal,
      timeZone,
      row.userName,
      row.userId,
      row.service,
      row.action,
      row.status,
      row.entityType,
      row.entityName,
      row.entityId,
      JSON.stringify(row.changes),
      row.remoteIp.join(', '),
      row.clientId,
      row.application,
      from.key,
      from.versionId,
      source.line,
      flagOf(source) ?? 'ok',
    ];
    await write(csv, csvRows([cells]));
  });
  csv.end();
  await finished(csv);
  return { summary: summary.result(), citedByDay, names: ['events.csv', 'events.ndjson', EVENT_LINES_NAME] };
}

/** Each result's metadata as cited and its rows in their stated order; returns the files and each result's rows file. */
export async function writeResultFiles(
  p: Prepared,
  folder: string,
): Promise<{ names: string[]; rowsFiles: Map<number, string> }> {
  const names: string[] = [];
  const rowsFiles = new Map<number, string>();
  await fs.mkdir(path.join(folder, 'results'));
  for (const r of p.results) {
    const base = `results/result-${r.evidence.index}`;
    await fs.writeFile(path.join(folder, `${base}.query.json`), JSON.stringify(r.evidence.metadata, null, 2) + '\n', {
      flag: 'wx',
    });
    names.push(`${base}.query.json`);
    if (!r.spool) continue;
    const out = createWriteStream(path.join(folder, `${base}.csv`), { flags: 'wx' });
    const writer = new ResultWriter('csv', (text) => write(out, text));
    await writer.columns(r.columns);
    for await (const page of r.spool.pages()) await writer.rows(page);
    out.end();
    await finished(out);
    names.push(`${base}.csv`);
    rowsFiles.set(r.evidence.index, `${base}.csv`);
  }
  return { names, rowsFiles };
}

/** The archive's own files (root, manifests, the cited objects when kept) and its public key. */
export async function writeArchiveCopyFiles(
  p: Prepared,
  store: ArchiveStore,
  folder: string,
  days: readonly Day[],
): Promise<{ files: ArchiveFile[]; findings: string[]; names: string[]; publicKey: string | null }> {
  const written = await writeArchiveFiles(store, archiveFilesWanted(p.assessment, days), folder);
  const files = [...written.files];
  for (const [i, kept] of p.keptObjects) {
    const cited = p.citedObjects[i];
    if (!cited?.file) continue;
    await fs.mkdir(path.join(folder, path.dirname(cited.file)), { recursive: true });
    await fs.rename(kept, path.join(folder, cited.file));
    const { key, versionId, file, lock } = cited;
    files.push({
      role: 'object',
      key,
      versionId,
      file,
      sha256: cited.readBack.sha256,
      size: cited.readBack.size,
      lock,
    });
  }
  const pem = publicKeyPem(p.assessment);
  if (pem) await fs.writeFile(path.join(folder, PUBLIC_KEY_NAME), pem, { flag: 'wx' });
  const names = [...files.map((f) => f.file), ...(pem ? [PUBLIC_KEY_NAME] : [])];
  return { files, findings: written.findings, names, publicKey: pem ? PUBLIC_KEY_NAME : null };
}
