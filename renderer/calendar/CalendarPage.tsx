/**
 * The archive calendar: years at a glance, one square per UTC day coloured by its state, so gaps
 * (missing, failed, tampered) jump out, with the counts, a legend and the list of problems.
 *
 * One `archive:status` call covers every shown year (the engine answers from one listing).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Day } from '../../shared/day';
import type { DayStatus } from '../../shared/day-status';
import type { Bridge } from '../../shared/ipc/bridge';
import type { ResultError } from '../../shared/result';
import {
  calendarRange,
  countsLine,
  countStates,
  dayLabel,
  dayOf,
  daysInMonth,
  formatNumber,
  LEGEND_ORDER,
  MONTH_NAMES,
  problemRanges,
  problemRangeText,
  STATE_LABELS,
  STATE_MEANINGS,
  utcToday,
  type ProblemRange,
} from './calendar-model';
import './calendar.css';

type Loaded = { years: number[]; today: Day; days: DayStatus[] };
type View =
  { kind: 'loading' } | { kind: 'error'; error: ResultError } | { kind: 'ready'; data: Loaded; refreshing: boolean };

const DAY_COLUMNS = Array.from({ length: 31 }, (_, i) => i + 1);

export function CalendarPage({ bridge }: { bridge: Bridge }) {
  const [view, setView] = useState<View>({ kind: 'loading' });

  const load = useCallback(async () => {
    // A refresh keeps the calendar on screen until the new answer arrives (no flash of "loading").
    setView((v) => (v.kind === 'ready' ? { ...v, refreshing: true } : { kind: 'loading' }));
    const settings = await bridge.settingsGet({});
    if (!settings.ok) return setView({ kind: 'error', error: settings.error });
    const today = utcToday(Date.now());
    const { from, to, years } = calendarRange(today, settings.value.settings.ui.calendarYears);
    const status = await bridge.archiveStatus({ from, to });
    if (!status.ok) return setView({ kind: 'error', error: status.error });
    setView({ kind: 'ready', data: { years, today, days: status.value.days }, refreshing: false });
  }, [bridge]);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="calendar" aria-labelledby="calendar-title">
      <header className="calendar-head">
        <h2 id="calendar-title">Archive calendar · UTC days</h2>
        <p className="hint">
          Every square is one <strong>UTC day</strong> (00:00 to 24:00 UTC), the unit in which audit events are
          archived. Hover a day for its state and event count.
        </p>
      </header>
      {view.kind === 'loading' && (
        <p className="calendar-loading" aria-busy="true">
          Reading the archive…
        </p>
      )}
      {view.kind === 'error' && <CalendarError error={view.error} onRetry={load} />}
      {view.kind === 'ready' && <CalendarView data={view.data} refreshing={view.refreshing} onRefresh={load} />}
    </section>
  );
}

function CalendarError({ error, onRetry }: { error: ResultError; onRetry: () => Promise<void> }) {
  return (
    <div className="banner banner-error" role="alert">
      <p>
        <strong>The archive calendar could not be read.</strong> {error.message}
      </p>
      <p className="detail">{error.code}</p>
      <p className="calendar-error-actions">
        Check the archive target in <a href="#/settings">Settings</a>, then{' '}
        <button type="button" onClick={() => void onRetry()}>
          Try again
        </button>
      </p>
    </div>
  );
}

function CalendarView({
  data,
  refreshing,
  onRefresh,
}: {
  data: Loaded;
  refreshing: boolean;
  onRefresh: () => Promise<void>;
}) {
  const byDay = useMemo(() => new Map(data.days.map((d) => [d.day, d])), [data.days]);
  const counts = useMemo(() => countStates(data.days), [data.days]);
  const problems = useMemo(() => problemRanges(data.days), [data.days]);
  const from = data.days[0]?.day;

  return (
    <>
      <div className="calendar-summary">
        <p className="calendar-counts">{countsLine(counts) || 'No days in range.'}</p>
        <p className="hint">
          {from} to {data.today} (today, UTC) ·{' '}
          <button type="button" className="link-button" disabled={refreshing} onClick={() => void onRefresh()}>
            {refreshing ? 'Refreshing…' : 'Refresh'}
          </button>
        </p>
        <ul className="calendar-legend" aria-label="Legend">
          {LEGEND_ORDER.map((state) => (
            <li key={state} title={STATE_MEANINGS[state]} data-state={state}>
              <span className={`swatch day-${state}`} aria-hidden="true" />
              <span className="legend-name">{STATE_LABELS[state]}</span>
              <span className="legend-count">{formatNumber(counts[state])}</span>
            </li>
          ))}
        </ul>
      </div>
      <div className="calendar-layout">
        <div className="calendar-years">
          {data.years.map((year) => (
            <YearBlock key={year} year={year} byDay={byDay} />
          ))}
        </div>
        <Problems ranges={problems} unrecoverable={counts.unrecoverable} />
      </div>
    </>
  );
}

function YearBlock({ year, byDay }: { year: number; byDay: ReadonlyMap<Day, DayStatus> }) {
  const yearDays = useMemo(() => [...byDay.values()].filter((d) => d.day.startsWith(`${year}-`)), [byDay, year]);
  const summary = countsLine(countStates(yearDays));
  return (
    <table className="year" aria-label={`${year} (UTC days)`}>
      <caption>
        <span className="year-number">{year}</span>
        <span className="year-summary">{summary || 'not in range'}</span>
      </caption>
      <thead>
        <tr>
          <th scope="col" className="month-name">
            <span className="visually-hidden">Month</span>
          </th>
          {DAY_COLUMNS.map((d) => (
            <th key={d} scope="col" className="day-number">
              {d === 1 || d % 5 === 0 ? d : ''}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {MONTH_NAMES.map((name, month) => {
          const length = daysInMonth(year, month);
          return (
            <tr key={name}>
              <th scope="row" className="month-name">
                {name}
              </th>
              {DAY_COLUMNS.map((d) => {
                if (d > length) return <td key={d} className="day-none" aria-hidden="true" />;
                const status = byDay.get(dayOf(year, month, d));
                if (!status) return <td key={d} className="day day-future" aria-hidden="true" />;
                const label = dayLabel(status);
                return <td key={d} className={`day day-${status.state}`} title={label} aria-label={label} />;
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Problems({ ranges, unrecoverable }: { ranges: readonly ProblemRange[]; unrecoverable: number }) {
  const total = ranges.reduce((n, r) => n + r.days, 0);
  return (
    <aside className="problems" aria-labelledby="problems-title">
      <h2 id="problems-title">
        Problems <span className="problems-total">{total === 0 ? 'none' : `${formatNumber(total)} days`}</span>
      </h2>
      {ranges.length === 0 ? (
        <p className="hint">No missing, failed or tampered day in the shown years.</p>
      ) : (
        <>
          <p className="hint">
            Newest first. Missing and failed days can be caught up while Genesys still holds them; a tampered day needs
            verification (<code>audit-archive verify</code>).
          </p>
          <ul className="problem-list">
            {ranges.map((r) => (
              <li key={`${r.state}-${r.to}`} className={`problem problem-${r.state}`}>
                <span className={`swatch day-${r.state}`} aria-hidden="true" />
                <span className="problem-text">
                  {problemRangeText(r)}
                  {r.error && <span className="problem-error">{r.error}</span>}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {unrecoverable > 0 && (
        <p className="hint problems-unrecoverable">
          {formatNumber(unrecoverable)} unrecoverable {unrecoverable === 1 ? 'day is' : 'days are'} not archived and
          older than Genesys keeps audit events: they can no longer be exported. If they were archived elsewhere, record
          that with your retention policy; otherwise set the policy start date in Settings.
        </p>
      )}
    </aside>
  );
}
