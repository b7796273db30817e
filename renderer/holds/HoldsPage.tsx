/**
 * Legal holds: every matter holding days of the archive now, read by the engine from the archive's
 * signed hold records with the checks `audit-archive hold list` makes (`holds:list`), each with its
 * periods (reference, who placed it and when, why), the days they cover counted against the archive,
 * a link to each period on the calendar, and "Release…" (the day panel's form: the matter's name typed
 * out). "Place a legal hold…" opens the calendar's form. A record that does not count is named, never
 * listed as a hold; a local folder says it cannot hold anything.
 *
 * The words are holds-model.ts's; the list is read again whenever a hold or a job changed the archive.
 */
import { useCallback, useEffect, useState } from 'react';
import type { HoldList } from '../../shared/holds/hold-contract';
import type { Bridge } from '../../shared/ipc/bridge';
import type { ResultError } from '../../shared/result';
import { formatInstant } from '../app/display-format';
import { HoldNote, PlaceHoldLauncher, ReleaseHold } from '../calendar/HoldForms';
import { useJobs } from '../jobs/jobs-context';
import { holdsPage, type InvalidRecords, type MatterCard } from './holds-model';

export function HoldsPage({ bridge }: { bridge: Bridge }) {
  const { list, error, read } = useHoldList(bridge);
  // A release's outcome outlives the matter it removes from the list.
  const [released, setReleased] = useState<readonly string[] | null>(null);
  return (
    <section className="holds-page" aria-labelledby="holds-title">
      <h2 id="holds-title">Matters holding days now</h2>
      {error && (
        <div className="banner banner-error" role="alert">
          <p>
            <span aria-hidden="true">✗ </span>
            <strong>The archive&apos;s hold records could not be read.</strong> {error.message}
          </p>
          <p className="detail">{error.code}</p>
          <button type="button" onClick={() => void read()}>
            Try again
          </button>
        </div>
      )}
      {!list && !error && <p aria-busy="true">Reading the archive&apos;s hold records…</p>}
      <HoldNote lines={released} />
      {list && <HoldListView bridge={bridge} list={list} onReleased={setReleased} />}
    </section>
  );
}

/** The list, read on opening and again whenever the archive changed (a hold placed or released, a job). */
function useHoldList(bridge: Bridge) {
  const { archiveVersion } = useJobs();
  const [list, setList] = useState<HoldList | null>(null);
  const [error, setError] = useState<ResultError | null>(null);
  const read = useCallback(async () => {
    setError(null);
    const r = await bridge.holdsList({});
    if (r.ok) setList(r.value);
    else setError(r.error);
  }, [bridge]);
  useEffect(() => {
    void read();
  }, [read, archiveVersion]);
  return { list, error, read };
}

function HoldListView({
  bridge,
  list,
  onReleased,
}: {
  bridge: Bridge;
  list: HoldList;
  onReleased: (lines: readonly string[]) => void;
}) {
  const page = holdsPage(list);
  if (page.kind === 'cannot-hold')
    return (
      <div className="hold-cannot" role="status">
        <p>
          <strong>{page.title}</strong> {page.detail}
        </p>
      </div>
    );
  return (
    <>
      <p className="hint">{page.intro}</p>
      <PlaceHoldLauncher bridge={bridge} day={null} />
      {page.invalid && <InvalidRecordsView invalid={page.invalid} />}
      {page.empty && <p className="holds-empty">{page.empty}</p>}
      {page.matters.map((m) => (
        <MatterView key={m.matter} bridge={bridge} card={m} onReleased={onReleased} />
      ))}
      {page.moreMatters && <p className="hint">{page.moreMatters}</p>}
    </>
  );
}

/** One matter: the days it covers, each period it placed with a link to it on the calendar, and "Release…". */
function MatterView({
  bridge,
  card,
  onReleased,
}: {
  bridge: Bridge;
  card: MatterCard;
  onReleased: (lines: readonly string[]) => void;
}) {
  return (
    <article className="held-matter" aria-label={`Legal hold: ${card.matter}`}>
      <h3>
        <span className="swatch swatch-held day-held" aria-hidden="true" /> {card.matter}
      </h3>
      <dl className="facts held-days">
        {card.days.map((f) => (
          <Fact key={f.term} term={f.term} value={f.value} />
        ))}
      </dl>
      <h4>{card.periods.length === 1 ? 'Period' : `Periods (${card.periods.length})`}</h4>
      <ul className="held-periods">
        {card.periods.map((p, i) => (
          <li key={`${i}-${p.placedAt}`}>
            <dl className="facts">
              <Fact term="Period" value={p.period} />
              <Fact term="Reference" value={p.reference} />
              <Fact term="Placed by" value={p.by} />
              <Fact term="Placed" value={formatInstant(p.placedAt)} />
              <Fact term="Reason" value={p.reason} />
            </dl>
            <a href={p.calendarHref}>{p.calendarLink}</a>
          </li>
        ))}
      </ul>
      {card.morePeriods && <p className="hint">{card.morePeriods}</p>}
      <ReleaseHold bridge={bridge} matter={card.matter} inDayPanel={false} onReleased={onReleased} />
    </article>
  );
}

function Fact({ term, value }: { term: string; value: string }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </>
  );
}

/** Records under holds/ that do not count: named, with why, never shown as holds. */
function InvalidRecordsView({ invalid }: { invalid: InvalidRecords }) {
  return (
    <section className="banner banner-error holds-invalid" aria-labelledby="holds-invalid-title">
      <h3 id="holds-invalid-title">
        <span aria-hidden="true">✗ </span>
        {invalid.headline}
      </h3>
      <ul>
        {invalid.records.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      {invalid.more && <p className="detail">{invalid.more}</p>}
    </section>
  );
}
