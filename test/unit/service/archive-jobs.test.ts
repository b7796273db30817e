/**
 * The officer's desk in the engine, as the app runs it (the runtime over a userData folder whose
 * demo archive real exports filled): catch-up with its progress pushed as events, cancel and resume
 * after a restart, one job at a time, waiting for another writer, verify, and a day's evidence.
 */
import { chmod, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobState } from '../../../shared/archive-jobs';
import { dataKey } from '../../../shared/archive-layout';
import { addDays, lastSettledDay, type Day } from '../../../shared/day';
import type { DayDetails } from '../../../shared/day-details';
import type { DayStatus } from '../../../shared/day-status';
import type { AppEvent, Channel } from '../../../shared/ipc/contract';
import { SettingsSchema, type SettingsInput } from '../../../shared/settings';
import { Archive, type ArchiveOptions } from '../../../main/engine/archive/archive';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import { LocalFolderStore } from '../../../main/engine/archive/stores/local-store';
import { acquireWriterLease } from '../../../main/engine/archive/writer-lease';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { demoArchiveDirIn, settingsPathIn, stateDirIn } from '../../../main/engine/archive/app-archive';
import { openAppRuntime, type AppRuntime, type AppRuntimeOptions } from '../../../main/engine/service/app-runtime';
import { dispatch } from '../../../main/engine/service/dispatch';
import { SettingsFile } from '../../../main/engine/settings/settings-file';
import { dayParts, forgeParts } from '../archive/forge-parts';
import { fillAppArchive } from './archive-status-fixture';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const now = () => NOW;
const LAST = lastSettledDay(NOW, 120); // 2026-11-27
const START = addDays(LAST, -9);
const ARCHIVED = [START, addDays(LAST, -7), addDays(LAST, -3), LAST];
const GAPS = [
  addDays(LAST, -8),
  addDays(LAST, -6),
  addDays(LAST, -5),
  addDays(LAST, -4),
  addDays(LAST, -2),
  addDays(LAST, -1),
];

let userDataDir: string;
let runtime: AppRuntime | null = null;
let events: AppEvent[] = [];

beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-jobs-'));
  events = [];
});

afterEach(async () => {
  await runtime?.close();
  runtime = null;
  await rm(userDataDir, { recursive: true, force: true });
});

async function start(settings: SettingsInput, options: Partial<AppRuntimeOptions> = {}): Promise<AppRuntime> {
  await new SettingsFile(settingsPathIn(userDataDir)).save(
    SettingsSchema.parse({ ...settings, archive: { policyStartDate: START, ...settings.archive } }),
  );
  runtime = openAppRuntime({
    userDataDir,
    transport: 'dev-web',
    appVersion: 'test',
    secrets: new MemorySecretStore(),
    env: {},
    now,
    ...options,
  });
  runtime.events.subscribe((e) => events.push(e));
  return runtime;
}

async function call<C extends Channel>(channel: C, request: unknown): Promise<unknown> {
  if (!runtime) throw new Error('no runtime');
  const result = await dispatch(runtime.service, channel, request);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

const jobEvents = () => events.filter((e) => e.event === 'job').map((e) => e.payload as JobState);
const dayEvents = () =>
  events.filter((e) => e.event === 'days').flatMap((e) => (e.payload as { days: DayStatus[] }).days);

async function calendar(): Promise<Map<Day, DayStatus>> {
  const { days } = (await call('archive:status', { from: START, to: LAST })) as { days: DayStatus[] };
  return new Map(days.map((d) => [d.day, d]));
}

async function manifestsOf(day: Day): Promise<string[]> {
  const dir = path.join(demoArchiveDirIn(userDataDir), 'manifests', ...day.split('-'));
  return readdir(dir).catch(() => []);
}

/** Resolves once `check` holds, looking again at each event the app pushes (no polling, no sleep). */
function until(what: string, check: () => boolean): Promise<void> {
  if (!runtime) throw new Error(`no runtime to wait on for ${what}`);
  if (check()) return Promise.resolve();
  const app = runtime;
  return new Promise((resolve) => {
    const unsubscribe = app.events.subscribe(() => {
      if (!check()) return;
      unsubscribe();
      resolve();
    });
  });
}

describe('catch up now', () => {
  it('archives every gap, oldest first, with its progress pushed as events, and the calendar turns archived', async () => {
    await fillAppArchive(userDataDir, { archive: ARCHIVED }, now);
    await start({});
    expect([...(await calendar()).values()].filter((d) => d.state === 'missing').map((d) => d.day)).toEqual(GAPS);

    const started = (await call('archive:catch-up', {})) as JobState;
    expect(started).toMatchObject({ kind: 'catch-up', origin: 'officer', phase: 'planning' });
    await runtime!.jobs.whenIdle();

    const progress = jobEvents().filter((j) => j.id === started.id);
    const running = progress.filter((j) => j.phase === 'running' && j.days.total > 0);
    expect(running.length).toBeGreaterThan(0);
    expect(running[0]!.days.total).toBe(GAPS.length);
    const final = progress[progress.length - 1]!;
    expect(final).toMatchObject({ phase: 'done', days: { total: GAPS.length, done: GAPS.length, failed: 0 } });
    expect(final.events).toBeGreaterThan(0);
    expect(final.summary).toBe(
      `Caught up: ${GAPS.length} of ${GAPS.length} days archived, ${final.events.toLocaleString('en-US')} events.`,
    );

    // Each day was announced as it landed, so the calendar could paint it at once.
    expect(
      dayEvents()
        .map((d) => d.day)
        .sort(),
    ).toEqual(GAPS);
    expect(dayEvents().every((d) => d.state === 'archived' && (d.events ?? 0) > 0)).toBe(true);
    const after = await calendar();
    for (const day of GAPS) expect(after.get(day)?.state).toBe('archived');
    expect(await call('jobs:state', {})).toMatchObject({
      current: null,
      last: { id: started.id, phase: 'done' },
      interrupted: null,
    });
  });

  it('can be cancelled, and resumes after the app restarts without writing a day twice', async () => {
    await fillAppArchive(userDataDir, { archive: ARCHIVED }, now);
    // One day at a time; cancelled the moment the first day lands, from inside the job's own
    // announcement of it, so the job is provably mid-flight (one day archived, five to go).
    await start({ schedule: { concurrency: 1 } });
    let cancelled: Promise<unknown> | null = null;
    let atCancel: JobState | null = null;
    runtime!.events.subscribe((e) => {
      if (e.event !== 'days' || cancelled) return;
      atCancel = runtime!.jobs.state().current;
      cancelled = call('jobs:cancel', { id: atCancel!.id });
    });
    const started = (await call('archive:catch-up', {})) as JobState;
    await runtime!.jobs.whenIdle();
    expect(atCancel).toMatchObject({ id: started.id, phase: 'running', days: { total: GAPS.length } });
    expect(await cancelled).toEqual({ cancelled: true });
    const final = jobEvents()
      .filter((j) => j.id === started.id)
      .pop()!;
    expect(final.phase).toBe('cancelled');
    expect(final.summary).toMatch(/^Cancelled after \d of 6 days; the rest can be resumed\.$/);
    const archivedBefore = dayEvents().length;
    expect(archivedBefore).toBeLessThan(GAPS.length);
    const state = (await call('jobs:state', {})) as { interrupted: { days: number; done: number } | null };
    expect(state.interrupted).toMatchObject({ days: GAPS.length, done: archivedBefore });

    // The app restarts: the unfinished catch-up is still offered, and Resume finishes it.
    await runtime!.close();
    events = [];
    await start({ schedule: { concurrency: 1 } });
    expect(((await call('jobs:state', {})) as { interrupted: unknown }).interrupted).toMatchObject({
      days: GAPS.length,
    });
    await call('archive:catch-up', {});
    await runtime!.jobs.whenIdle();
    expect(jobEvents().pop()).toMatchObject({ phase: 'done', days: { done: GAPS.length - archivedBefore } });
    const after = await calendar();
    for (const day of GAPS) {
      expect(after.get(day)?.state).toBe('archived');
      expect(await manifestsOf(day)).toHaveLength(1);
    }
    expect(((await call('jobs:state', {})) as { interrupted: unknown }).interrupted).toBeNull();
  });

  it('runs one job at a time: another is refused while one runs, naming it', async () => {
    await fillAppArchive(userDataDir, { archive: ARCHIVED }, now);
    await start({ schedule: { concurrency: 1 } }, { demoSimulator: { latencyMs: 50 } });
    const started = (await call('archive:catch-up', {})) as JobState;
    const second = await dispatch(runtime!.service, 'archive:verify', { full: false });
    expect(second).toEqual({
      ok: false,
      error: {
        code: 'ARCHIVE_BUSY',
        message: expect.stringMatching(/^The catch-up is running; wait for it to finish or cancel it/),
      },
    });
    await call('jobs:cancel', { id: started.id });
    await runtime!.jobs.whenIdle();
  });

  it('waits for another writer of the archive (a cron job) and says whom it waits for', async () => {
    await fillAppArchive(userDataDir, { archive: ARCHIVED }, now);
    await start({ archive: { lease: { staleSeconds: 4, waitSeconds: 120 } } });
    const store = new LocalFolderStore({ root: demoArchiveDirIn(userDataDir) });
    const cron = await acquireWriterLease(store.writerLease(), {
      program: 'the audit-archive CLI (cron)',
      ttlMs: 4_000,
      waitMs: 0,
      archiveUrl: store.url,
    });
    await call('archive:catch-up', {});
    await until('the job to say it waits', () => jobEvents().some((j) => j.phase === 'waiting-for-writer'));
    const waiting = jobEvents().find((j) => j.phase === 'waiting-for-writer')!;
    expect(waiting.waitingFor).toMatch(/^the audit-archive CLI \(cron\) \(pid \d+ on /);
    expect(waiting.summary).toMatch(/^Waiting for the audit-archive CLI \(cron\)/);
    await cron.release();
    await runtime!.jobs.whenIdle();
    expect(jobEvents().pop()).toMatchObject({ phase: 'done', waitingFor: null, days: { done: GAPS.length } });
  });
});

describe('verify from the app', () => {
  it('a range that ends before it starts is refused naming the field, and no job starts', async () => {
    await start({});
    const r = await dispatch(runtime!.service, 'archive:verify', { from: LAST, to: START, full: false });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', issues: [{ path: ['to'] }] } });
    expect(jobEvents()).toEqual([]);
  });

  it('a day whose bytes were changed turns tampered after a full verify, and the finding is listed and on the day', async () => {
    await fillAppArchive(userDataDir, { archive: ARCHIVED }, now);
    const victim = ARCHIVED[1] as Day;
    const part = path.join(demoArchiveDirIn(userDataDir), ...dataKey('', victim, 1).split('/'));
    await chmod(part, 0o644);
    const handle = await open(part, 'r+');
    await handle.write(Buffer.from([0x42]), 0, 1, 20);
    await handle.close();
    await start({});
    // The listing alone cannot see a changed byte of the same size.
    expect((await calendar()).get(victim)?.state).toBe('archived');

    const job = (await call('archive:verify', { full: true })) as JobState;
    await runtime!.jobs.whenIdle();
    const final = jobEvents()
      .filter((j) => j.id === job.id)
      .pop()!;
    expect(final.phase).toBe('done');
    expect(final.verify).toMatchObject({ phase: 'objects' });
    expect(final.problems?.listed).toContainEqual(
      expect.objectContaining({ day: victim, kind: 'hash-mismatch', key: dataKey('', victim, 1) }),
    );
    expect(final.summary).toMatch(/^Verified 2026-11-18 to 2026-11-27: \d+ problem\(s\) on \d+ day\(s\)\.$/);

    expect((await calendar()).get(victim)).toMatchObject({
      state: 'tampered',
      error: expect.stringMatching(/^hash-mismatch /),
    });
    const details = (await call('archive:day', { day: victim })) as DayDetails;
    expect(details.problems).toContainEqual(expect.objectContaining({ kind: 'hash-mismatch' }));
    expect(details.lastVerification).toMatchObject({ problems: 1 });
  });

  it('a day re-signed with the key in the state folder, holding two events twice, turns tampered after a full verify only, each repeat on the day', async () => {
    await fillAppArchive(userDataDir, { archive: ARCHIVED }, now);
    const victim = ARCHIVED[2] as Day;
    const store = new LocalFolderStore({ root: demoArchiveDirIn(userDataDir) });
    const stateDir = stateDirIn(userDataDir);
    const holder = { store, stateDir, archive: new Archive(archiveOptions(store, stateDir)) };
    const [part] = await dayParts(holder, victim);
    // The third and fourth lines become copies of the first two: the count stays, the manifests are re-signed.
    await forgeParts(holder, { [part!.key]: (l) => [l[0]!, l[1]!, l[0]!, l[1]!, ...l.slice(4)] });
    await start({});
    // Only the gaps left between the archived days are found, fast.
    const onlyGaps = (job: JobState) => job.problems?.listed.filter((p) => p.kind !== 'day-missing');
    expect(onlyGaps(await verifyJobOf(false))).toEqual([]);
    expect((await calendar()).get(victim)?.state).toBe('archived');

    const full = await verifyJobOf(true);
    expect(onlyGaps(full)?.map((p) => [p.day, p.kind, p.key])).toEqual([
      [victim, 'event-duplicated', part!.key],
      [victim, 'event-duplicated', part!.key],
    ]);
    expect((await calendar()).get(victim)).toMatchObject({
      state: 'tampered',
      error: expect.stringMatching(/^event-duplicated /),
    });
    const details = (await call('archive:day', { day: victim })) as DayDetails;
    // Two repeats in one part are two findings on the day, not one.
    expect(details.problems.map((p) => p.detail)).toEqual(onlyGaps(full)?.map((p) => p.detail));
  });
});

async function verifyJobOf(full: boolean): Promise<JobState> {
  const job = (await call('archive:verify', { full })) as JobState;
  await runtime!.jobs.whenIdle();
  return jobEvents()
    .filter((j) => j.id === job.id)
    .pop()!;
}

/** An Archive over the app's demo folder, as its holder could open it (the key is in the state folder). */
function archiveOptions(store: LocalFolderStore, stateDir: string): ArchiveOptions {
  return {
    store,
    stateDir,
    keys: new FileSigningKeyStore(stateDir),
    policy: { lockMode: 'COMPLIANCE', retentionDays: 2557 },
    lease: { ttlMs: 5_000, waitMs: 0, program: 'a forger' },
    toolVersion: 'test',
    now,
  };
}

describe('what the app verifies its archive against', () => {
  async function verifyJob(): Promise<JobState> {
    const job = (await call('archive:verify', { full: false })) as JobState;
    await runtime!.jobs.whenIdle();
    return jobEvents()
      .filter((j) => j.id === job.id)
      .pop()!;
  }

  it('says when its head record is gone for an archive that has content: the head and key were then trusted on first use', async () => {
    await fillAppArchive(userDataDir, { archive: ARCHIVED }, now);
    await start({});
    const recorded = await verifyJob();
    expect(recorded.phase).toBe('done');
    expect(recorded.summary).not.toContain('first use');

    const state = stateDirIn(userDataDir);
    for (const name of await readdir(state)) if (name.startsWith('head-')) await rm(path.join(state, name));
    const forgotten = await verifyJob();
    expect(forgotten.summary).toContain(
      "This app had no record of the archive's head (a new installation, or its state folder was reset): the head, sequence 4, was trusted on first use",
    );
    expect(forgotten.summary).toContain('Its signing key was not checked');
  });
});

describe('the day panel', () => {
  it("shows the day's manifest, its objects with key, SHA-256 and events, first and last event, source and history", async () => {
    const filled = await fillAppArchive(userDataDir, { archive: ARCHIVED }, now);
    await start({});
    const day = ARCHIVED[0] as Day;
    const details = (await call('archive:day', { day })) as DayDetails;
    expect(details.status).toEqual({ day, state: 'archived', events: filled.events.get(day) });
    expect(details.manifests).toHaveLength(1);
    const [m] = details.manifests;
    expect(m).toMatchObject({
      kind: 'export',
      key: expect.stringMatching(new RegExp(`^manifests/${day.replaceAll('-', '/')}/\\d{10}\\.json$`)),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      dayEventsTotal: filled.events.get(day),
      firstEventDate: expect.stringMatching(new RegExp(`^${day}T`)),
      lastEventDate: expect.stringMatching(new RegExp(`^${day}T`)),
      source: { demo: true, organisationId: expect.any(String), apiHost: expect.stringMatching(/^127\.0\.0\.1:/) },
    });
    expect(m!.objects).toEqual([
      {
        key: dataKey('', day, 1),
        versionId: null,
        size: expect.any(Number),
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        events: filled.events.get(day),
        lockMode: null,
        retainUntil: null,
      },
    ]);
    expect(details.history).toEqual([
      { at: m!.createdAt, what: 'exported', detail: expect.stringMatching(/^Exported \d+ event/) },
    ]);
    expect(details.actions).toEqual({ export: false, reconcile: true, verify: true });

    const gap = (await call('archive:day', { day: GAPS[0] })) as DayDetails;
    expect(gap).toMatchObject({
      status: { state: 'missing' },
      manifests: [],
      actions: { export: true, reconcile: false, verify: false },
    });
  });

  it('"Export this day" archives a missing day on its own', async () => {
    await fillAppArchive(userDataDir, { archive: ARCHIVED }, now);
    await start({});
    const day = GAPS[2] as Day;
    const job = (await call('archive:export-day', { day, reconcile: false })) as JobState;
    expect(job).toMatchObject({ kind: 'export-day', range: { from: day, to: day } });
    await runtime!.jobs.whenIdle();
    expect(jobEvents().pop()).toMatchObject({
      phase: 'done',
      summary: expect.stringMatching(new RegExp(`^Archived ${day}: [\\d,]+ events\\.$`)),
    });
    expect(dayEvents()).toEqual([{ day, state: 'archived', events: expect.any(Number) }]);
    expect((await calendar()).get(day)?.state).toBe('archived');
  });
});

describe('the first run', () => {
  it('fills the demo archive with its gaps and a failed day, and days before it are not required', async () => {
    await start({ archive: { policyStartDate: undefined } }, { demoArchive: { fill: true, days: 30 } });
    await runtime!.whenStarted();
    expect(jobEvents()).toContainEqual(expect.objectContaining({ kind: 'demo-archive', phase: 'planning' }));
    await runtime!.jobs.whenIdle();
    const final = jobEvents().pop()!;
    expect(final).toMatchObject({ kind: 'demo-archive', origin: 'first-run', phase: 'done' });
    const { days } = (await call('archive:status', { from: addDays(LAST, -31), to: LAST })) as { days: DayStatus[] };
    const state = new Map(days.map((d) => [d.day, d.state]));
    expect(state.get(addDays(LAST, -30))).toBe('not-required');
    expect(state.get(addDays(LAST, -29))).toBe('archived');
    expect(state.get(addDays(LAST, -4))).toBe('missing');
    expect(state.get(addDays(LAST, -16))).toBe('missing');
    expect(state.get(addDays(LAST, -9))).toBe('failed');
    expect(state.get(LAST)).toBe('archived');
    // Filled once: a restart does not fill it again.
    await runtime!.close();
    events = [];
    await start({ archive: { policyStartDate: undefined } }, { demoArchive: { fill: true, days: 30 } });
    // Start-up has decided: a fill it started would be a job by now.
    await runtime!.whenStarted();
    expect(runtime!.jobs.state().current).toBeNull();
    expect(jobEvents()).toEqual([]);
  });
});
