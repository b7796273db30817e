/**
 * Closing the app runtime (the Electron shell quitting, dev:web stopping, a UI test ending): it
 * waits for what it was asked to do and what it started, and starts nothing new, so nothing of it
 * writes in the userData folder once close() has resolved (a test's clean-up, or an uninstaller,
 * can remove the folder at once).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay } from '../../../shared/day';
import type { DayStatus } from '../../../shared/day-status';
import { SettingsSchema } from '../../../shared/settings';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { settingsPathIn } from '../../../main/engine/archive/app-archive';
import { openAppRuntime, type AppRuntime, type AppRuntimeOptions } from '../../../main/engine/service/app-runtime';
import { dispatch } from '../../../main/engine/service/dispatch';
import { SettingsFile } from '../../../main/engine/settings/settings-file';
import { fillAppArchive } from './archive-status-fixture';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const now = () => NOW;
const LAST = lastSettledDay(NOW, 120);

let userDataDir: string;
let runtime: AppRuntime | null = null;

beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-close-'));
});

afterEach(async () => {
  await runtime?.close();
  runtime = null;
  await rm(userDataDir, { recursive: true, force: true });
});

async function open(options: Partial<AppRuntimeOptions> = {}): Promise<AppRuntime> {
  await new SettingsFile(settingsPathIn(userDataDir)).save(
    SettingsSchema.parse({ archive: { policyStartDate: addDays(LAST, -3) } }),
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
  return runtime;
}

/** A promise with its resolve, to hold a request where the test wants it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('closing the app', () => {
  it('waits for a request in flight, and refuses one that comes while it closes, doing nothing', async () => {
    const held = gate();
    const entered = gate();
    const app = await open({
      archiveStatus: async () => {
        entered.open();
        await held.promise;
        return { days: [] };
      },
    });
    const order: string[] = [];
    const inFlight = dispatch(app.service, 'archive:status', {}).then((r) => (order.push('request'), r));
    await entered.promise;

    const closing = app.close().then(() => order.push('closed'));
    const late = await dispatch(app.service, 'settings:save', {
      settings: SettingsSchema.parse({ archive: { policyStartDate: LAST } }),
    });
    expect(late).toEqual({
      ok: false,
      error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/^Audit Archive is closing; nothing was done/) },
    });
    expect((await new SettingsFile(settingsPathIn(userDataDir)).load()).settings.archive.policyStartDate).toBe(
      addDays(LAST, -3),
    );

    held.open();
    await closing;
    runtime = null;
    expect(order).toEqual(['request', 'closed']);
    expect(await inFlight).toEqual({ ok: true, value: { days: [] } });
  });

  it('a calendar request still reading the archive (and writing its manifest cache) ends before close resolves', async () => {
    await fillAppArchive(userDataDir, { archive: [addDays(LAST, -3), addDays(LAST, -1)] }, now);
    const app = await open();
    const order: string[] = [];
    // The page asks for the calendar, then its window closes at once: the app quits under the request.
    const inFlight = dispatch(app.service, 'archive:status', { from: addDays(LAST, -3), to: LAST }).then(
      (r) => (order.push('request'), r),
    );
    await app.close().then(() => order.push('closed'));
    runtime = null;
    expect(order).toEqual(['request', 'closed']);
    const answer = await inFlight;
    if (!answer.ok) throw new Error(answer.error.message);
    expect((answer.value as { days: DayStatus[] }).days.map((d) => d.state)).toEqual([
      'archived',
      'missing',
      'archived',
      'missing',
    ]);
    // Nothing is left running that could write into the folder while it is removed.
    await rm(userDataDir, { recursive: true });
  });
});
