/**
 * The sentences a report states, shared by the PDF and the Reports page's preview so both say the
 * same thing: the population statement (what there was to find, against what each result returned)
 * and how the organisation is named.
 */
import type { ReportEvidence } from './report-evidence';

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
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
