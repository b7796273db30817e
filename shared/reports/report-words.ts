/**
 * The sentences a report states, shared by the PDF and the Reports page's preview so both say the
 * same thing: the population statement (what there was to find, against what each result returned),
 * how the organisation is named, what the storage is and what of its locks was checked, whether the
 * bundle is signed, what the archive's key was checked against and how it changed, and which days
 * are not archived.
 */
import { formatFingerprint } from '../archive-root';
import type { ReportEvidence } from './report-evidence';
import { formatCount } from '../format-count';

export function count(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function organisationText(e: ReportEvidence): string {
  const o = e.archive.organisation;
  if (!o) return 'unknown (the archive has no valid root object)';
  const name = o.name ?? o.apiHost;
  return `${name}${o.id ? ` (organisation id ${o.id})` : ''}, ${o.apiHost}${e.archive.purpose === 'demo' ? ' · DEMO organisation: simulated events, not a real organisation' : ''}`;
}

/** The population statement: what there was to find, against what the results returned. */
export function populationStatement(e: ReportEvidence): string {
  const p = e.population;
  const held = `The period ${e.period.from} to ${e.period.to} spans ${count(p.days, 'UTC day')}; the archive holds ${count(p.archivedDays, 'archived day')} of them, recorded by ${count(p.manifests, 'signed manifest')} naming ${count(p.objects, 'archived object')} with ${count(p.events, 'event')} in all.`;
  const each = e.results.map((r) => {
    const m = r.metadata;
    const pop = r.rerun?.population ?? m.population;
    const read = pop
      ? `read ${count(pop.days, 'day')}, ${count(pop.objects, 'object')} and ${count(pop.events, 'event')}`
      : `read ${m.range ? `${m.range.from} to ${m.range.to}` : 'every day'}`;
    const rows = r.rerun ? r.rerun.rowCount : m.rowCount;
    const named = r.idColumn
      ? `; its ${count(r.ids, 'event id')} name ${count(r.eventsFound, 'archived event')}, ${e.events.notFound.length === 0 ? 'every one of which is' : 'which are'} in this report's table${r.ids > r.eventsFound ? ` (${count(r.ids - r.eventsFound, 'id')} name no archived event of the period)` : ''}`
      : '; it names no events (no id column), and all its rows are printed after the events';
    return `Result ${r.index} ${read} and returned ${count(rows, 'row')}${named}.`;
  });
  const complete =
    e.events.notFound.length === 0 && e.results.every((r) => !r.error)
      ? 'Nothing was left out: every row and every event is in this report, and in its CSV and NDJSON files.'
      : `Not everything could be included: ${e.events.notFound.length ? `${count(e.events.notFound.length, 'cited event')} could not be found in the archived objects of their day` : 'a cited query could not be run'} (see the verdict).`;
  return [held, ...each, complete].join(' ');
}

/**
 * What kind of storage the archive is, and what was checked of its locks: a lock is stated only
 * where it was read back; a local folder is said in words to be no WORM storage.
 */
export function storageStatement(e: ReportEvidence): string {
  const url = e.archive.url;
  if (!e.archive.storage.worm)
    return `The archive is a local folder (${url}). A local folder is not WORM storage: whoever can write to it can change or delete its files, and it has no locks, so no lock was checked. The signatures and hashes in this report show whether its files changed since they were written; they cannot show that nothing could change them.`;
  const files = [...e.bundle.archiveFiles.filter((f) => f.role !== 'object'), ...e.citedObjects];
  const locked = files.flatMap((f) => (f.lock.state === 'locked' ? [f.lock] : []));
  const modes = [...new Set(locked.map((l) => l.mode))].sort().join(' or ');
  const earliest = locked.map((l) => l.retainUntil).sort()[0];
  const without = files.length - locked.length;
  const roots = e.bundle.archiveFiles.filter((f) => f.role === 'root').length;
  const manifests = e.bundle.archiveFiles.filter((f) => f.role === 'manifest' || f.role === 'chain').length;
  const successions = e.bundle.archiveFiles.filter((f) => f.role === 'succession').length;
  const parts = [
    ...(roots ? ['the root object'] : []),
    ...(successions ? [count(successions, 'key-succession record')] : []),
    ...(manifests ? [count(manifests, 'manifest')] : []),
    ...(e.citedObjects.length ? [`${count(e.citedObjects.length, 'archived object')} the events come from`] : []),
  ];
  const what = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? 'none');
  if (files.length === 0)
    return `The archive is in S3 (${url}); no lock of it was read for this report (it reads none of its files).`;
  if (locked.length === 0)
    return `The archive is in S3 (${url}), but none of the files this report relies on (${what}) has a lock now: see Appendix A.`;
  return `The archive is in S3 with Object Lock (${url}). The files this report relies on (${what}) were read back at report time: ${without === 0 ? 'every one is' : `${count(locked.length, 'file')} ${locked.length === 1 ? 'is' : 'are'}`} locked in ${modes} mode, retained until ${earliest?.slice(0, 10)} at the earliest${without === 0 ? '' : `; ${count(without, 'file')} ${without === 1 ? 'has' : 'have'} no lock now (see Appendix A)`}.`;
}

/** Whether the bundle's SHA256SUMS is signed with the archive's key, and if not, why. */
export function signatureStatement(e: ReportEvidence): string {
  const s = e.signature;
  if (s.signed)
    return `The bundle's SHA256SUMS is signed with the archive's own key (fingerprint ${s.keyFingerprint ? formatFingerprint(s.keyFingerprint) : 'unknown'}): SHA256SUMS.sig, which OpenSSL checks against archive-public-key.pem (README.txt gives the command). A file changed after the report was made, even with SHA256SUMS computed again, fails that check.`;
  return `UNSIGNED: the bundle's SHA256SUMS carries no signature, because ${s.reason ?? 'no key was available'}. Anyone can change a file of this bundle and compute SHA256SUMS again; the archive's manifests in it are still signed, and their signatures still check every archived line.`;
}

/**
 * What the archive's key was checked against when the report was made (verify-trust.ts): the
 * fingerprint the officer gave, this installation's record, or nothing (trusted on first use).
 */
export function keyTrustStatement(e: ReportEvidence): string {
  const t = e.verification.trust;
  if (!t) return 'Not checked: the archive has no valid root object, so it names no key.';
  if (t.key === 'expected')
    return 'Checked against the fingerprint the officer recorded and gave for this report (--expect-key): the key in effect is that key, or a key it signed into effect by rotation.';
  if (t.key === 'recorded')
    return "Checked against this installation's own record of the archive (its head record): the key in effect is the one it last saw, or one that key signed into effect by rotation. No fingerprint recorded outside this installation was given (--expect-key).";
  return 'TRUSTED ON FIRST USE: nothing kept outside the archive confirmed this key (no fingerprint was given with --expect-key, and this installation has no record of the archive). Someone able to rewrite the archive could have re-signed it with a key of their own: compare the fingerprint above with the one recorded when the archive was created or its key last changed.';
}

/** The archive's key changes (rotations and lost-key restarts), in words; null when its key never changed. */
export function keyHistoryStatement(e: ReportEvidence): string | null {
  const keys = e.archive.keys;
  if (keys.length < 2) return null;
  const changes = keys.slice(1).map((k, i) => {
    const before = keys[i]?.fingerprint ?? '';
    const at = `on ${k.changedAt ?? 'an unknown date'}, after manifest sequence ${k.afterSequence} (${k.record ?? 'no record'})`;
    return k.via === 'rotation'
      ? `rotated ${at}: ${formatFingerprint(before)} signed its successor ${formatFingerprint(k.fingerprint)}`
      : `RESTARTED ${at}: ${formatFingerprint(before)} was declared lost and replaced by ${formatFingerprint(k.fingerprint)}, which the lost key did not sign (anyone able to write to the archive could have written that record; confirm it with the officer who did)`;
  });
  return `The archive's root named ${formatFingerprint(keys[0]?.fingerprint ?? '')}; its key then changed ${count(changes.length, 'time')}: ${changes.join('; ')}. Each manifest is signed by the key in effect at its sequence; the bundle holds these key-succession records, and verify_bundle.py checks each manifest with its key through them.`;
}

/** The days of the period that are not archived, in runs of consecutive days with the same state. */
export function gapsStatement(e: ReportEvidence): string {
  if (e.gaps.length === 0) return `Every day of the period (${count(e.population.days, 'day')}) is archived.`;
  const runs: Array<{ from: string; to: string; state: string; detail: string; days: number }> = [];
  for (const g of e.gaps) {
    const last = runs.at(-1);
    if (last && last.state === g.state && last.detail === g.detail && nextDay(last.to) === g.day) {
      last.to = g.day;
      last.days += 1;
    } else runs.push({ from: g.day, to: g.day, state: g.state, detail: g.detail, days: 1 });
  }
  const parts = runs.map(
    (r) => `${r.from === r.to ? r.from : `${r.from} to ${r.to} (${count(r.days, 'day')})`}: ${r.state}, ${r.detail}`,
  );
  return `${count(e.gaps.length, 'day')} of the period ${e.gaps.length === 1 ? 'is' : 'are'} not archived (or not as the archive should hold ${e.gaps.length === 1 ? 'it' : 'them'}): ${parts.join('; ')}.`;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

type ResultEvidenceOf = ReportEvidence['results'][number];

/** How a result's rows at report time were set against the rows it was cited with. */
export function comparisonStatement(r: ResultEvidenceOf): string {
  const c = r.comparison;
  if (!c) return '';
  const cited = r.metadata.rowCount;
  const now = r.rerun?.rowCount ?? 0;
  if (c.method === 'count')
    return now === cited
      ? `by row count only (the cited rows themselves were not given): the same ${count(now, 'row')} as cited`
      : `by row count only (the cited rows themselves were not given): ${count(now, 'row')} now, DIFFERENT from the ${count(cited, 'row')} cited`;
  if (c.missing === 0 && c.extra === 0)
    return `every row compared by its content with the cited rows (${c.source ?? 'as cited'}): the same ${count(now, 'row')}`;
  const list = (xs: string[]) => (xs.length ? ` (${xs.join(', ')})` : '');
  return `every row compared by its content with the cited rows (${c.source ?? 'as cited'}): ${count(c.missing, 'cited row')} NOT returned now${list(c.missingExamples)}; ${count(c.extra, 'row')} returned now that ${c.extra === 1 ? 'was' : 'were'} NOT cited${list(c.extraExamples)}`;
}

/** How a result's rows naming events were checked against the archived lines. */
export function fieldCheckStatement(r: ResultEvidenceOf): string {
  const f = r.fieldCheck;
  if (!r.idColumn)
    return "its rows name no archived events (no id column naming one), so they cannot be set against archived lines; the engine's events per day were compared with the manifests";
  const columns = f.columns.length
    ? `columns ${f.columns.join(', ')}`
    : 'the id alone (no other column is an event field)';
  const skipped = f.notCompared.length ? `; not compared (not event fields): ${f.notCompared.join(', ')}` : '';
  const outcome =
    f.mismatches === 0
      ? 'every one matches'
      : `${count(f.mismatches, 'row')} DIFFER: ${f.examples
          .slice(0, 5)
          .map((x) => `${x.id} ${x.column} "${x.result}", archived "${x.archived}"`)
          .join('; ')}`;
  return `${count(f.rows, 'row')} naming archived events compared field by field with their archived lines (${columns}): ${outcome}${skipped}`;
}

/** The order of a result's rows in its rows file and the PDF. */
export function rowOrderStatement(r: ResultEvidenceOf): string {
  switch (r.order) {
    case 'query':
      return "as the query's ORDER BY gives them (rows it leaves tied are in the engine's order)";
    case 'sorted':
      return 'the query states no order, so they are sorted by every column in turn, first column first (nulls, then numbers, then text)';
    case 'engine':
      return 'as the engine returned them: the query states no order, and there are too many rows to sort here, so another run may order them differently';
  }
}
