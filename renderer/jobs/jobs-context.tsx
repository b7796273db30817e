/**
 * The job running on the archive (catch-up, verify, a day's export, the daily job, the demo fill),
 * as every page sees it: the state main pushes, the last job that ended, a catch-up left
 * unfinished, and the actions that start or cancel one. One provider at the app frame, so a job
 * started on the calendar is still visible from Settings.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { isFinished, type InterruptedCatchUp, type JobState } from '../../shared/archive-jobs';
import type { Day } from '../../shared/day';
import type { Bridge } from '../../shared/ipc/bridge';
import type { Result, ResultError } from '../../shared/result';
import { useAppEvent } from '../app/use-app-events';

export interface Jobs {
  readonly current: JobState | null;
  readonly last: JobState | null;
  readonly interrupted: InterruptedCatchUp | null;
  /** The last refusal to start or cancel a job (another job runs, nothing configured…). */
  readonly refusal: ResultError | null;
  /** Bumped whenever a job ends or changes days (or a hold changed), so views of the archive know to read it again. */
  readonly archiveVersion: number;
  catchUp(range?: { from?: Day; to?: Day }): Promise<void>;
  verify(request: { from?: Day; to?: Day; full: boolean }): Promise<void>;
  exportDay(day: Day, reconcile: boolean): Promise<void>;
  /** Checks the second locked copy against the primary (all days when no range is given). */
  checkCopy(range: { from?: Day; to?: Day }): Promise<void>;
  cancel(): Promise<void>;
  dismissRefusal(): void;
  /** Something other than a job changed the archive (a legal hold placed or released): views read it again. */
  archiveChanged(): void;
}

const JobsContext = createContext<Jobs | null>(null);

export function JobsProvider({ bridge, children }: { bridge: Bridge; children: ReactNode }) {
  const [current, setCurrent] = useState<JobState | null>(null);
  const [last, setLast] = useState<JobState | null>(null);
  const [interrupted, setInterrupted] = useState<InterruptedCatchUp | null>(null);
  const [refusal, setRefusal] = useState<ResultError | null>(null);
  const [archiveVersion, setArchiveVersion] = useState(0);

  const refresh = useCallback(async () => {
    const r = await bridge.jobsState({});
    if (!r.ok) return;
    setCurrent(r.value.current);
    setLast((l) => r.value.last ?? l);
    setInterrupted(r.value.interrupted);
  }, [bridge]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useAppEvent(bridge, 'job', (job) => {
    if (isFinished(job.phase)) {
      setCurrent((c) => (c === null || c.id === job.id ? null : c));
      setLast(job);
      setArchiveVersion((v) => v + 1);
      void refresh();
    } else {
      setCurrent(job);
    }
  });

  const started = useCallback((r: Result<JobState>) => {
    if (r.ok) {
      setRefusal(null);
      setInterrupted(null);
      setCurrent((c) => (c && c.id === r.value.id && c.phase !== 'planning' ? c : r.value));
    } else {
      setRefusal(r.error);
    }
  }, []);

  const value = useMemo<Jobs>(
    () => ({
      current,
      last,
      interrupted,
      refusal,
      archiveVersion,
      catchUp: async (range = {}) => started(await bridge.archiveCatchUp(range)),
      verify: async (request) => started(await bridge.archiveVerify(request)),
      exportDay: async (day, reconcile) => started(await bridge.archiveExportDay({ day, reconcile })),
      checkCopy: async (range) => started(await bridge.archiveVerifyCopy(range)),
      cancel: async () => {
        if (!current) return;
        const r = await bridge.jobsCancel({ id: current.id });
        if (!r.ok) setRefusal(r.error);
      },
      dismissRefusal: () => setRefusal(null),
      archiveChanged: () => setArchiveVersion((v) => v + 1),
    }),
    [bridge, current, last, interrupted, refusal, archiveVersion, started],
  );
  return <JobsContext.Provider value={value}>{children}</JobsContext.Provider>;
}

export function useJobs(): Jobs {
  const jobs = useContext(JobsContext);
  if (!jobs) throw new Error('useJobs outside JobsProvider');
  return jobs;
}
