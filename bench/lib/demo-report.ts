/**
 * The demo's report, as an officer meets it in the app (issue 17: "a report preview takes 4.8 s"):
 * the app's runtime fills its demo archive as on a first run (about 400 days from the simulator), then
 * the Reports page's default period (the last 30 days) is previewed and generated through the
 * service, as the page asks: `reports:preview`, then `reports:generate` followed to its receipt.
 *
 * Measured: the first preview (Discovery's Parquet cache, which Reports shares, not yet prepared for
 * the period: an officer who never ran Discovery), a second preview (the cache prepared, as after
 * Discovery or an earlier preview), and the full report of the same request. Wall and CPU time each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportJobStatus } from '../../shared/reports/report-contract';
import { defaultRange } from '../../renderer/discovery/discovery-model';
import { MemorySecretStore } from '../../main/engine/secrets/memory-secret-store';
import { openAppRuntime, type AppRuntime } from '../../main/engine/service/app-runtime';
import { dispatch } from '../../main/engine/service/dispatch';

/** The first starter query without parameters: what an officer can preview without typing a value. */
export const DEMO_QUERY = 'permission-and-role-grants';

export interface Timed {
  readonly seconds: number;
  readonly cpuSeconds: number;
}

export interface DemoReportFigures {
  readonly period: { from: string; to: string };
  readonly archivedDays: number;
  readonly fillSeconds: number;
  /** Events the preview's query cites, and the preview's verdict headline. */
  readonly events: number;
  readonly headline: string;
  readonly firstPreview: Timed;
  readonly secondPreview: Timed;
  readonly report: Timed & { readonly events: number; readonly pages: number; readonly verified: boolean };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T } & Timed> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await work();
  const cpu = process.cpuUsage(cpu0);
  return { value, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

async function call<T>(runtime: AppRuntime, channel: Parameters<typeof dispatch>[1], request: unknown): Promise<T> {
  const r = await dispatch(runtime.service, channel, request);
  if (!r.ok) throw new Error(`${String(channel)}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** The report request as the Reports page sends it for the demo query over the default period. */
function demoSpec(period: { from: string; to: string }) {
  return {
    request: {
      reference: 'BENCH-DEMO-0001',
      requester: 'Jordan Examiner, Division of Examinations',
      recipient: 'U.S. Securities and Exchange Commission',
      dueDate: null,
      question: 'Every permission or role grant in the period.',
      preparedBy: 'The reports benchmark',
      timeZone: 'Europe/London',
    },
    period,
    sources: [{ kind: 'query', query: { kind: 'saved', id: DEMO_QUERY, parameters: {}, range: period } }],
  };
}

/** Follows a report job to its end (its events, and the status channel in case one was missed). */
async function reportDone(runtime: AppRuntime, jobId: string): Promise<ReportJobStatus> {
  for (;;) {
    const status = await call<ReportJobStatus>(runtime, 'reports:status', { jobId });
    if (status.state !== 'running') return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Fills the app's demo archive as a first run does; returns the seconds it took. */
async function fillDemo(userDataDir: string): Promise<number> {
  const t0 = performance.now();
  const runtime = openAppRuntime({
    userDataDir,
    transport: 'dev-web',
    appVersion: 'bench',
    secrets: new MemorySecretStore(),
    env: {},
    demoArchive: { fill: true },
  });
  try {
    await runtime.whenStarted();
    await runtime.jobs.whenIdle();
  } finally {
    await runtime.close();
  }
  return (performance.now() - t0) / 1000;
}

/** The whole measurement, in this process (the caller runs it in a child of its own). */
export async function measureDemoReport(): Promise<DemoReportFigures> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'aa-bench-demo-report-'));
  try {
    const fillSeconds = await fillDemo(userDataDir);
    // A new start of the app on the filled demo: the figures are the Reports page's.
    const runtime = openAppRuntime({
      userDataDir,
      transport: 'dev-web',
      appVersion: 'bench',
      secrets: new MemorySecretStore(),
      env: {},
    });
    try {
      const status = await call<{ days: Array<{ state: string }> }>(runtime, 'archive:status', {});
      const period = defaultRange(Date.now());
      const spec = demoSpec(period);
      type Preview = { evidence: { events: { count: number }; verdict: { headline: string } } };
      const first = await timed(() => call<Preview>(runtime, 'reports:preview', spec));
      const second = await timed(() => call<Preview>(runtime, 'reports:preview', spec));
      const report = await timed(async () => {
        const { jobId } = await call<{ jobId: string }>(runtime, 'reports:generate', spec);
        return reportDone(runtime, jobId);
      });
      const receipt = report.value.receipt;
      if (!receipt) throw new Error(`the demo report failed: ${report.value.error?.message ?? 'no receipt'}`);
      return {
        period,
        archivedDays: status.days.filter((d) => d.state === 'archived').length,
        fillSeconds,
        events: first.value.evidence.events.count,
        headline: first.value.evidence.verdict.headline,
        firstPreview: { seconds: first.seconds, cpuSeconds: first.cpuSeconds },
        secondPreview: { seconds: second.seconds, cpuSeconds: second.cpuSeconds },
        report: {
          seconds: report.seconds,
          cpuSeconds: report.cpuSeconds,
          events: receipt.events,
          pages: receipt.pages,
          verified: receipt.verified,
        },
      };
    } finally {
      await runtime.close();
    }
  } finally {
    await rm(userDataDir, { recursive: true, force: true });
  }
}
