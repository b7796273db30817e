/**
 * The demo archive's first fill, as the app runtime runs it: on the first start in demo mode the
 * demo archive is filled once (so the calendar has a year to show); an interrupted fill carries on
 * at the next start.
 *
 * Its marker, `<userData>/state/demo-archive.json`, records the demo history's first day (written
 * before the fill starts, so the calendar shows that history while it fills) and when the fill
 * finished (null while it runs). In demo mode days before that first day are "not required"
 * (the demo has no older history), unless a policy start is set.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { DaySchema } from '../../../shared/day';
import type { Settings } from '../../../shared/settings';
import type { CatchUpSummary } from '../archive/catch-up';
import { readRegularFile } from '../files/regular-file';
import { writeFileAtomically } from '../files/write-file-atomically';
import { demoArchiveDirIn, stateDirIn } from '../archive/app-archive';
import type { ArchiveJobsDeps } from './archive-jobs';
import { appDemoPlan, fillDemoArchive } from './demo-archive';

interface DemoFillOptions {
  readonly userDataDir: string;
  /** How many days of history the first fill plans. */
  readonly days: number;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => number;
  readonly onWarning: (message: string) => void;
}

/** How ArchiveJobs asks for the fill (its progress reported like a catch-up's). */
type DemoFillRequest = Parameters<NonNullable<ArchiveJobsDeps['fillDemoArchive']>>[0];

const DemoMarkerSchema = z.object({ first: DaySchema, filledAt: z.string().nullable() });
type DemoMarker = z.infer<typeof DemoMarkerSchema>;
/** The marker is two fields; past this it is not one. */
const MAX_DEMO_MARKER_BYTES = 4096;

function demoFilledMarkerIn(userDataDir: string): string {
  return path.join(stateDirIn(userDataDir), 'demo-archive.json');
}

/** The marker as recorded, or null when there is none (or it cannot be read). */
async function readDemoMarker(userDataDir: string): Promise<DemoMarker | null> {
  try {
    // Only a regular file: a named pipe planted here would hang the app's start.
    const read = await readRegularFile(demoFilledMarkerIn(userDataDir), MAX_DEMO_MARKER_BYTES);
    return read.ok ? (DemoMarkerSchema.safeParse(JSON.parse(read.text)).data ?? null) : null;
  } catch {
    return null; // missing, unreadable or not JSON: no marker
  }
}

async function writeDemoMarker(userDataDir: string, marker: DemoMarker): Promise<void> {
  await writeFileAtomically(demoFilledMarkerIn(userDataDir), `${JSON.stringify(marker)}\n`);
}

export class DemoFill {
  /** The demo history's first day, read once (and set by a fill that plans it). */
  private firstDay: Promise<string | null> | null = null;

  constructor(private readonly options: DemoFillOptions) {}

  /** The first day of the demo archive's history, as its first fill planned it (null: none yet). */
  policyStart(): Promise<string | null> {
    return (this.firstDay ??= readDemoMarker(this.options.userDataDir).then((m) => m?.first ?? null));
  }

  /** The settings as the calendar applies them: the demo's history starts at its first day. */
  async calendarSettings(loaded: Settings): Promise<Settings> {
    const demoStart = loaded.demo && !loaded.archive.policyStartDate ? await this.policyStart() : null;
    return demoStart ? { ...loaded, archive: { ...loaded.archive, policyStartDate: demoStart } } : loaded;
  }

  /** Whether a first fill finished (an interrupted one did not). */
  async isFilled(): Promise<boolean> {
    return (await readDemoMarker(this.options.userDataDir))?.filledAt != null;
  }

  /** Fills the demo archive; the marker says its first day first, and when it finished last. */
  async fill({ signal, onPlan, onProgress }: DemoFillRequest): Promise<CatchUpSummary> {
    const { userDataDir, now, env, onWarning } = this.options;
    const plan = appDemoPlan(now(), this.options.days);
    // Written first: the calendar shows the demo's history from its first day while it fills.
    await mkdir(stateDirIn(userDataDir), { recursive: true, mode: 0o700 });
    await writeDemoMarker(userDataDir, { first: plan.first, filledAt: null });
    this.firstDay = Promise.resolve(plan.first);
    const summary = await fillDemoArchive({
      target: pathToFileURL(demoArchiveDirIn(userDataDir)).href,
      stateDir: stateDirIn(userDataDir),
      plan,
      now,
      env,
      signal,
      onPlan,
      onProgress,
      onWarning,
    });
    if (!summary.cancelled) {
      const filledAt = new Date(now()).toISOString();
      await writeDemoMarker(userDataDir, { first: plan.first, filledAt }).catch(() => undefined);
    }
    return summary;
  }
}

interface FirstFillDeps {
  /** Whether this runtime fills the demo archive at all (the app and dev:web do; tests choose). */
  readonly enabled: boolean;
  readonly demo: () => Promise<boolean>;
  readonly fill: Pick<DemoFill, 'isFilled'>;
  /** Whether a job runs now, or the runtime is closing: either way no fill starts. */
  readonly busy: () => boolean;
  readonly start: () => void;
}

/** First run in demo mode: starts the demo archive's fill once (an interrupted fill carries on). */
export async function fillDemoIfNew(deps: FirstFillDeps): Promise<void> {
  if (!deps.enabled) return;
  if (!(await deps.demo())) return;
  const filled = await deps.fill.isFilled();
  if (filled || deps.busy()) return;
  deps.start();
}
