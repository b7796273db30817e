/**
 * The archive calendar: years at a glance, one square per UTC day coloured by its state, today and
 * the Genesys retention horizon marked, a summary strip, the problems listed; "Catch up now" and
 * "Verify" with their progress; a day opens its evidence beside the calendar.
 *
 * One `archive:status` call covers every shown year (the engine answers from one listing); days a
 * running job archives or fails arrive as events and are painted at once; when a job ends the
 * calendar is read again (verify's findings land on it at once). The keyboard moves across days
 * (arrows: a day or a month, Page Up/Down: a year, Home/End: the month's ends, Enter: open). A route
 * naming a day (`#/calendar?day=2026-03-01`) opens that day's panel.
 */
import {
  memo,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
  type MouseEvent,
  type ReactNode,
} from 'react';
import type { CheckpointUse } from '../../shared/checkpoint';
import type { Day } from '../../shared/day';
import type { DayState, DayStatus } from '../../shared/day-status';
import type { CopyCheckSummary } from '../../shared/copy-check';
import type { Bridge } from '../../shared/ipc/bridge';
import type { ResultError } from '../../shared/result';
import type { Settings } from '../../shared/settings';
import { formatDay } from '../app/display-format';
import { useBatchedAppEvent } from '../app/use-app-events';
import { JobPanel } from '../jobs/JobPanel';
import { useJobs } from '../jobs/jobs-context';
import {
  calendarRange,
  cellLabel,
  countCopyWrong,
  countHeld,
  HELD_MEANING,
  isHeld,
  copyWrong,
  pushedDay,
  countStates,
  countsLine,
  dayOf,
  daysByYear,
  daysInMonth,
  foldedYears,
  formatNumber,
  LEGEND_ORDER,
  MONTH_NAMES,
  moveDay,
  problemRanges,
  problemRangeText,
  retentionHorizon,
  STATE_LABELS,
  STATE_MEANINGS,
  summaryStrip,
  utcToday,
  type YearDays,
  type ProblemRange,
} from './calendar-model';
import { DayPanel } from './DayPanel';
import { CopyCheckButton, copyCheckedText, CopyLegendEntry, CopyProblems, type CalendarCopy } from './CopyCheck';
import { PlaceHoldLauncher } from './HoldForms';
import './calendar.css';
import { UTC_DAY_INPUT } from '../app/utc-day-input';
import { dayInRoute } from '../app/routes';

type Loaded = {
  years: number[];
  today: Day;
  first: Day;
  horizon: Day;
  retentionDays: number;
  demo: boolean;
  days: DayStatus[];
  /** The second locked copy set in Settings, and the app's last check of it. */
  copy: CalendarCopy;
  copyCheck: CopyCheckSummary | null;
  /** What this read took from the archive's signed monthly checkpoints (null: every manifest was read or known). */
  checkpoints: CheckpointUse | null;
};
type View =
  { kind: 'loading' } | { kind: 'error'; error: ResultError } | { kind: 'ready'; data: Loaded; refreshing: boolean };

/** Genesys's own retention, until the settings are read. */
const DEFAULT_GENESYS_RETENTION_DAYS = 365;

const DAY_COLUMNS = Array.from({ length: 31 }, (_, i) => i + 1);

/**
 * The calendar as last read, kept in memory for the app's life: a revisit paints it at once and
 * reads the archive again in the background ("Refreshing…" until the new answer replaces it).
 * Forgotten when the settings change (another archive, another policy).
 */
let lastRead: Loaded | null = null;

/** Drops the remembered calendar (after settings are saved or an organisation is connected). */
export function forgetCalendar(): void {
  lastRead = null;
}

export function CalendarPage({ bridge }: { bridge: Bridge }) {
  const jobs = useJobs();
  const { view, load } = useCalendarData(bridge, jobs.archiveVersion);
  // A link to a day (`#/calendar?day=…`, the Legal holds page's) opens it in the panel at once.
  const [openDay, setOpenDay] = useState<Day | null>(() => dayInRoute(window.location.hash));

  const running = jobs.current !== null;
  return (
    <section className="calendar" aria-labelledby="calendar-title">
      <header className="calendar-head">
        <h2 id="calendar-title">Archive calendar · UTC days</h2>
        <p className="hint">
          Every square is one <strong>UTC day</strong> (00:00 to 24:00 UTC), the unit in which audit events are
          archived. Click a day, or move with the arrow keys and press Enter, for its evidence.
        </p>
      </header>
      <Toolbar
        running={running}
        resumable={jobs.interrupted !== null}
        onCatchUp={() => void jobs.catchUp()}
        onVerify={(r) => void jobs.verify(r)}
        copy={view.kind === 'ready' ? view.data.copy : null}
      />
      <PlaceHoldLauncher bridge={bridge} day={openDay} />
      <JobPanel calendar={view.kind === 'ready' ? view.data.days : undefined} />
      {view.kind === 'loading' && (
        <p className="calendar-loading" aria-busy="true">
          Reading the archive…
        </p>
      )}
      {view.kind === 'error' && <CalendarError error={view.error} onRetry={load} />}
      {view.kind === 'ready' && (
        <CalendarView data={view.data} refreshing={view.refreshing} onRefresh={load} onOpenDay={setOpenDay} />
      )}
      {openDay && (
        <DayPanel
          bridge={bridge}
          day={openDay}
          retentionDays={view.kind === 'ready' ? view.data.retentionDays : DEFAULT_GENESYS_RETENTION_DAYS}
          onClose={() => closeDay(openDay, setOpenDay)}
        />
      )}
    </section>
  );
}

/**
 * The calendar's data: the remembered read painted at once, then the archive read again (on mount,
 * whenever a job changed the archive, and on Refresh); days a running job changes painted as they come.
 */
function useCalendarData(bridge: Bridge, archiveVersion: number) {
  const [view, setView] = useState<View>(() =>
    lastRead ? { kind: 'ready', data: lastRead, refreshing: true } : { kind: 'loading' },
  );

  /**
   * Days a job changed since the current read of the calendar started: the read may have been
   * answered before they changed, so they are applied over its answer.
   */
  const changedSinceRead = useRef(new Map<Day, DayStatus>());

  /** One read of the calendar; true when it came from checkpoints and must be read again in full. */
  const read = useCallback(
    async (checkpoints: boolean): Promise<boolean> => {
      const settings = await bridge.settingsGet({});
      if (!settings.ok) {
        setView({ kind: 'error', error: settings.error });
        return false;
      }
      const today = utcToday(Date.now());
      const { from, to, years } = calendarRange(today, settings.value.settings.ui.calendarYears);
      const status = await bridge.archiveStatus({ from, to, ...(checkpoints ? { checkpoints } : {}) });
      if (!status.ok) {
        setView({ kind: 'error', error: status.error });
        return false;
      }
      performance.mark('calendar-data-received');
      lastRead = loadedFrom(settings.value.settings, status.value, { today, from, years }, changedSinceRead.current);
      const used = lastRead.checkpoints;
      const partial = used !== null && used.manifests > 0;
      setView({ kind: 'ready', data: lastRead, refreshing: partial });
      return partial;
    },
    [bridge],
  );

  const load = useCallback(async () => {
    performance.mark('calendar-load-start');
    changedSinceRead.current = new Map();
    // A refresh keeps the calendar on screen until the new answer arrives (no flash of "loading").
    setView((v) => (v.kind === 'ready' ? { ...v, refreshing: true } : { kind: 'loading' }));
    // Nothing in memory (a first open): the signed monthly checkpoints may paint it first; then every
    // manifest is read and the answer replaces it (engine: main/engine/archive/checkpoints.ts).
    if (await read(lastRead === null)) await read(false);
  }, [read]);

  useEffect(() => {
    void load();
  }, [load, archiveVersion]);

  // Days a running job archived or failed, painted as they come: at most DAYS_WINDOW_MS apart, so a
  // catch-up landing many days a second draws the years once per window, not once per day.
  useBatchedAppEvent(
    bridge,
    'days',
    (batches) => {
      const changed = new Map(batches.flatMap(({ days }) => days.map((d) => [d.day, d] as const)));
      for (const [day, d] of changed) changedSinceRead.current.set(day, d);
      lastRead = lastRead && withPushedDays(lastRead, changed);
      setView((v) => (v.kind === 'ready' ? { ...v, data: withPushedDays(v.data, changed) } : v));
    },
    DAYS_WINDOW_MS,
  );
  return { view, load };
}

/** How long days a job pushes are gathered before the calendar draws them. */
const DAYS_WINDOW_MS = 250;

/** The calendar's data with the days a job pushed applied over it. */
function withPushedDays(data: Loaded, changed: ReadonlyMap<Day, DayStatus>): Loaded {
  return {
    ...data,
    days: data.days.map((d) => {
      const pushed = changed.get(d.day);
      return pushed ? pushedDay(d, pushed) : d;
    }),
  };
}

/** The calendar's data from one answer (days a job changed since the read began applied over it). */
function loadedFrom(
  settings: Settings,
  answer: { days: DayStatus[]; copyCheck?: CopyCheckSummary | null; checkpoints?: CheckpointUse | null },
  range: { today: Day; from: Day; years: Loaded['years'] },
  changed: ReadonlyMap<Day, DayStatus>,
): Loaded {
  const retentionDays = settings.genesys.retentionDays;
  return {
    years: range.years,
    today: range.today,
    first: range.from,
    horizon: retentionHorizon(range.today, retentionDays),
    retentionDays,
    demo: settings.demo,
    days: answer.days.map((d) => changed.get(d.day) ?? d),
    copy: copyOf(settings.archive.copy),
    copyCheck: answer.copyCheck ?? null,
    checkpoints: answer.checkpoints ?? null,
  };
}

function copyOf(copy: { target: string; mode: 'write' | 'check' }): CalendarCopy {
  return copy.target ? { target: copy.target, mode: copy.mode } : null;
}

/** Closing the panel gives the keyboard back to the day it came from. */
function closeDay(day: Day, setOpenDay: (day: Day | null) => void): void {
  setOpenDay(null);
  requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-day="${day}"]`)?.focus());
}

function Toolbar({
  running,
  resumable,
  onCatchUp,
  onVerify,
  copy,
}: {
  running: boolean;
  /** A catch-up stopped before its end: its own box offers "Resume catch-up", the one way on. */
  resumable: boolean;
  onCatchUp: () => void;
  onVerify: (request: { from?: Day; to?: Day; full: boolean }) => void;
  copy: CalendarCopy;
}) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [mode, setMode] = useState<'fast' | 'full'>('fast');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onVerify({ ...(from ? { from } : {}), ...(to ? { to } : {}), full: mode === 'full' });
  };
  return (
    <div className="calendar-toolbar">
      {!resumable && (
        <button
          type="button"
          className="primary"
          disabled={running}
          onClick={onCatchUp}
          title="Archive every missing or failed day Genesys still holds, oldest first"
        >
          Catch up now
        </button>
      )}
      <form className="verify-form" onSubmit={submit} aria-label="Verify the archive">
        <label>
          From{' '}
          <input {...UTC_DAY_INPUT} value={from} onChange={(e) => setFrom(e.target.value)} aria-label="Verify from" />
        </label>
        <label>
          to <input {...UTC_DAY_INPUT} value={to} onChange={(e) => setTo(e.target.value)} aria-label="Verify to" />
        </label>
        <select
          value={mode}
          onChange={(e) => setMode(e.target.value as 'fast' | 'full')}
          aria-label="Verification mode"
        >
          <option value="fast">Fast (listing, locks, signatures)</option>
          <option value="full">Full (also hash every part and read every event)</option>
        </select>
        <button type="submit" disabled={running}>
          Verify
        </button>
      </form>
      <CopyCheckButton copy={copy} running={running} range={{ ...(from ? { from } : {}), ...(to ? { to } : {}) }} />
    </div>
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
  onOpenDay,
}: {
  data: Loaded;
  refreshing: boolean;
  onRefresh: () => Promise<void>;
  onOpenDay: (day: Day) => void;
}) {
  const previousYears = useRef<ReadonlyMap<number, YearDays>>(new Map());
  const byYear = useMemo(() => (previousYears.current = daysByYear(data.days, previousYears.current)), [data.days]);
  const counts = useMemo(() => countStates(data.days), [data.days]);
  const problems = useMemo(() => problemRanges(data.days), [data.days]);
  const folded = useMemo(() => foldedYears(data.years, data.days), [data.years, data.days]);
  const [unfolded, setUnfolded] = useState(false);
  const shownYears = unfolded ? data.years : data.years.filter((y) => !folded.includes(y));
  const from = data.days[0]?.day ?? data.first;
  // The keyboard stays on the years shown.
  const oldestShown = `${String(shownYears[shownYears.length - 1] ?? data.years[0]).padStart(4, '0')}-01-01`;
  const days = useDayKeyboard(
    from > oldestShown ? from : oldestShown,
    data.today,
    (day) => byYear.get(Number(day.slice(0, 4)))?.has(day) ?? false,
    onOpenDay,
  );

  useEffect(() => {
    performance.mark('calendar-rendered');
  }, [data]);

  return (
    <>
      <CalendarSummary data={data} from={from} counts={counts} refreshing={refreshing} onRefresh={onRefresh} />
      <div className="calendar-layout">
        <div
          className="calendar-years"
          data-rendered-days={data.days.length}
          onClick={days.onClick}
          onKeyDown={days.onKeyDown}
        >
          {shownYears.map((year) => (
            <YearBlock
              key={year}
              year={year}
              days={byYear.get(year) ?? NO_DAYS}
              today={data.today}
              horizon={data.horizon}
              copyChecked={copyCheckedText(data.copyCheck)}
              focused={days.focused.startsWith(`${year}-`) ? days.focused : null}
            />
          ))}
          {folded.length > 0 && !unfolded && <FoldedYears years={folded} onShow={() => setUnfolded(true)} />}
        </div>
        <Problems ranges={problems} unrecoverable={counts.unrecoverable} demo={data.demo}>
          {data.copy && <CopyProblems days={data.days} check={data.copyCheck} />}
        </Problems>
      </div>
    </>
  );
}

/**
 * The day that holds the keyboard (one tab stop for the whole calendar), moved by the arrow keys
 * inside `[from, today]`; Enter, Space or a click opens a day.
 */
function useDayKeyboard(from: Day, today: Day, isShown: (day: Day) => boolean, onOpenDay: (day: Day) => void) {
  const [focused, setFocused] = useState<Day>(today);
  const moved = useRef(false);

  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    document.querySelector<HTMLElement>(`[data-day="${focused}"]`)?.focus();
  }, [focused]);

  const dayOfEvent = (target: EventTarget): Day | null =>
    target instanceof HTMLElement ? (target.closest<HTMLElement>('[data-day]')?.dataset.day ?? null) : null;

  const onClick = (e: MouseEvent) => {
    const day = dayOfEvent(e.target);
    if (day && isShown(day)) {
      setFocused(day);
      onOpenDay(day);
    }
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const day = dayOfEvent(e.target);
    if (!day) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpenDay(day);
      return;
    }
    const next = moveDay(day, e.key, from, today);
    if (next === null) return;
    e.preventDefault();
    moved.current = true;
    setFocused(next);
  };
  return { focused, onClick, onKeyDown };
}

/** Old years with no required day, in one line (they are all "not required"), with a way to show them. */
function FoldedYears({ years, onShow }: { years: readonly number[]; onShow: () => void }) {
  const span = years.length === 1 ? `${years[0]}` : `${years[0]} – ${years[years.length - 1]}`;
  return (
    <p className="years-folded">
      <span>
        <strong>{span}</strong>: no day required (every day is before the policy start date).
      </span>{' '}
      <button type="button" className="link-button" onClick={onShow}>
        Show {years.length === 1 ? 'this year' : `these ${years.length} years`}
      </button>
    </p>
  );
}

/** The summary strip, the counts, the range and the legend above the years. */
function CalendarSummary({
  data,
  from,
  counts,
  refreshing,
  onRefresh,
}: {
  data: Loaded;
  from: Day;
  counts: Record<DayState, number>;
  refreshing: boolean;
  onRefresh: () => Promise<void>;
}) {
  const jobs = useJobs();
  const filling = jobs.current?.kind === 'demo-archive' || jobs.current?.kind === 'catch-up';
  const strip = useMemo(() => summaryStrip(data.days, data.retentionDays, formatDay), [data.days, data.retentionDays]);
  const copyWrongDays = useMemo(() => countCopyWrong(data.days), [data.days]);
  const clear = counts.missing + counts.failed + counts.tampered + copyWrongDays === 0;
  const held = useMemo(() => countHeld(data.days), [data.days]);
  return (
    <div className="calendar-summary">
      <p className={`summary-strip${clear ? ' summary-clear' : filling ? ' summary-filling' : ''}`} role="status">
        {filling && !clear && counts.tampered === 0 ? fillingStrip(counts) : strip}
      </p>
      <p className="calendar-counts">{countsLine(counts) || 'No days in range.'}</p>
      <p className="hint">
        {from} to {data.today} (today, UTC) · Genesys keeps audit events {formatNumber(data.retentionDays)} days: days
        before {data.horizon} can no longer be exported ·{' '}
        <button type="button" className="link-button" disabled={refreshing} onClick={() => void onRefresh()}>
          {refreshing ? 'Refreshing…' : 'Refresh'}
        </button>
      </p>
      <CheckpointSource used={data.checkpoints} refreshing={refreshing} />
      <Legend counts={counts} held={held}>
        {data.copy && <CopyLegendEntry days={data.days} check={data.copyCheck} />}
      </Legend>
    </div>
  );
}

/**
 * Where a first look came from, when it came from the archive's signed monthly checkpoints: said
 * until every manifest has been read and the full answer replaced it.
 */
function CheckpointSource({ used, refreshing }: { used: CheckpointUse | null; refreshing: boolean }) {
  if (!used || (used.manifests === 0 && used.refused === 0)) return null;
  const refused =
    used.refused > 0
      ? ` ${formatNumber(used.refused)} ${used.refused === 1 ? 'checkpoint does' : 'checkpoints do'} not count (not signed by the archive's key, or not valid) and ${used.refused === 1 ? 'was' : 'were'} not used: run Verify to see ${used.refused === 1 ? 'it' : 'them'}.`
      : '';
  const from =
    used.manifests > 0
      ? `${formatNumber(used.manifests)} manifests were taken from the archive's signed monthly checkpoints (${formatNumber(used.months)} months${used.newestWritten ? `, the newest written ${used.newestWritten.slice(0, 10)}` : ''}), each checked against the archive's signing key. ${refreshing ? 'Every manifest is being read from the archive now; this calendar is replaced when that is done.' : 'Refresh reads every manifest from the archive.'}`
      : '';
  return (
    <p className="hint calendar-source" role="note" data-source="checkpoints">
      {from}
      {refused}
    </p>
  );
}

/** While a catch-up or the demo's fill runs, the days it is archiving are work in progress, not an alarm. */
function fillingStrip(counts: Record<DayState, number>): string {
  const left = counts.missing + counts.failed;
  return `${formatNumber(left)} ${left === 1 ? 'day' : 'days'} not archived yet: being archived now (see the progress above)${
    counts.unrecoverable > 0 ? ` · ${formatNumber(counts.unrecoverable)} unrecoverable` : ''
  }`;
}

function Legend({ counts, held, children }: { counts: Record<DayState, number>; held: number; children?: ReactNode }) {
  return (
    <ul className="calendar-legend" aria-label="Legend">
      {LEGEND_ORDER.map((state) => (
        <li key={state} title={STATE_MEANINGS[state]} data-state={state}>
          <span className={`swatch day-${state}`} aria-hidden="true" />
          <span className="legend-name">{STATE_LABELS[state]}</span>
          <span className="legend-count">{formatNumber(counts[state])}</span>
        </li>
      ))}
      <li title="Today (UTC)" data-mark="today">
        <span className="swatch swatch-today" aria-hidden="true" />
        <span className="legend-name">today</span>
      </li>
      <li title="The oldest day Genesys still holds" data-mark="horizon">
        <span className="swatch swatch-horizon" aria-hidden="true" />
        <span className="legend-name">retention horizon</span>
      </li>
      <li title={HELD_MEANING} data-mark="held">
        <span className="swatch swatch-held day-held" aria-hidden="true" />
        <span className="legend-name">legal hold</span>
        <span className="legend-count">{formatNumber(held)}</span>
      </li>
      {children}
    </ul>
  );
}

const NO_DAYS: YearDays = new Map();

const YearBlock = memo(function YearBlock({
  year,
  days,
  today,
  horizon,
  copyChecked,
  focused,
}: {
  year: number;
  /** This year's days: the same map while none of them changed, so the block is not drawn again. */
  days: YearDays;
  today: Day;
  horizon: Day;
  /** When the last copy check ran, for the label of a day it found wrong. */
  copyChecked: string | undefined;
  focused: Day | null;
}) {
  const summary = useMemo(() => countsLine(countStates([...days.values()])), [days]);
  return (
    <table className="year" role="grid" aria-label={`${year} (UTC days)`}>
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
              {/* Every column is named for a screen reader; only 1, 5, 10… are printed. */}
              <span className={d === 1 || d % 5 === 0 ? undefined : 'visually-hidden'}>{d}</span>
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
                const day = dayOf(year, month, d);
                const status = days.get(day);
                if (!status) return <td key={d} className="day day-future" aria-hidden="true" />;
                const isToday = day === today;
                const isHorizon = day === horizon;
                const label = cellLabel(status, { today: isToday, horizon: isHorizon, copyChecked });
                return (
                  <td
                    key={d}
                    role="gridcell"
                    data-day={day}
                    tabIndex={day === focused ? 0 : -1}
                    className={`day day-${status.state}${isHeld(status) ? ' day-held' : ''}${copyWrong(status) ? ' day-copy' : ''}${isToday ? ' day-today' : ''}${isHorizon ? ' day-horizon' : ''}`}
                    title={label}
                    aria-label={label}
                    aria-current={isToday ? 'date' : undefined}
                  />
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
});

function Problems({
  ranges,
  unrecoverable,
  demo,
  children,
}: {
  ranges: readonly ProblemRange[];
  unrecoverable: number;
  demo: boolean;
  /** More problems below the days' (the second locked copy's). */
  children?: ReactNode;
}) {
  const total = ranges.reduce((n, r) => n + r.days, 0);
  return (
    <aside className="problems" aria-labelledby="problems-title">
      <h2 id="problems-title">
        Problems{' '}
        <span className="problems-total">
          {total === 0 ? 'none' : `${formatNumber(total)} ${total === 1 ? 'day' : 'days'}`}
        </span>
      </h2>
      {ranges.length === 0 ? (
        <p className="hint">No missing, failed or tampered day in the shown years.</p>
      ) : (
        <>
          <p className="hint">
            Newest first. Missing and failed days can be caught up while Genesys still holds them ("Catch up now"); a
            tampered day needs investigating: open it for what verify found.
            {demo ? ' These gaps are part of the demo: catch them up to see how it works.' : ''}
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
      {children}
    </aside>
  );
}
