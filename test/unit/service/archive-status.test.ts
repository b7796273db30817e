/**
 * The calendar channel as the app runs it: `openAppService` over a userData folder whose default
 * archive was filled by real exports from the Genesys simulator.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addDays, eachDay, lastSettledDay, type Day } from '../../../shared/day';
import type { DayStatus } from '../../../shared/day-status';
import { dispatch } from '../../../main/engine/service/dispatch';
import type { AppService } from '../../../main/engine/service/app-service';
import { openAppService, type OpenedAppService } from '../../../main/engine/service/open-app-service';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { fillAppArchive } from './archive-status-fixture';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const now = () => NOW;
const LAST = lastSettledDay(NOW, 120); // 2026-11-27
const ARCHIVED: Day[] = [addDays(LAST, -5), addDays(LAST, -4), addDays(LAST, -2), LAST];
const GAP = addDays(LAST, -3);
const FAILED = addDays(LAST, -1);

let userDataDir: string;

/** Each service a test opened, closed after it. */
const opened: OpenedAppService[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
});

function service() {
  return track(
    openAppService({
      userDataDir,
      transport: 'dev-web',
      appVersion: 'test',
      secrets: new MemorySecretStore(),
      env: {},
      now,
    }),
  );
}

function track(o: OpenedAppService): AppService {
  opened.push(o);
  return o.service;
}

async function status(request: { from?: Day; to?: Day }): Promise<DayStatus[]> {
  const result = await dispatch(service(), 'archive:status', request);
  if (!result.ok) throw new Error(`archive:status failed: ${result.error.code}: ${result.error.message}`);
  return (result.value as { days: DayStatus[] }).days;
}

beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-status-'));
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(userDataDir, { recursive: true, force: true });
});

describe('the archive calendar from the app service', () => {
  it('shows exported days archived with their event counts, the gap missing, the failed day with its error, today pending', async () => {
    const filled = await fillAppArchive(userDataDir, { archive: ARCHIVED, failed: [FAILED] }, now);

    const days = await status({ from: addDays(LAST, -5), to: addDays(LAST, 1) });

    expect(days.map((d) => d.day)).toEqual([...eachDay(addDays(LAST, -5), addDays(LAST, 1))]);
    for (const day of ARCHIVED) {
      expect(days.find((d) => d.day === day)).toEqual({ day, state: 'archived', events: filled.events.get(day) });
      expect(filled.events.get(day)).toBeGreaterThan(0);
    }
    expect(days.find((d) => d.day === GAP)).toEqual({ day: GAP, state: 'missing' });
    const failed = days.find((d) => d.day === FAILED);
    expect(failed?.state).toBe('failed');
    expect(failed?.error).toMatch(/^GENESYS_/);
    expect(days.find((d) => d.day === addDays(LAST, 1))?.state).toBe('pending');
  });

  it('a new user with no archive yet sees the Genesys window missing and older days unrecoverable, not an error', async () => {
    const days = await status({ from: '2025-11-20', to: '2025-12-10' });
    const firstRecoverable = addDays('2026-11-28', -365);
    for (const d of days) expect(d.state).toBe(d.day < firstRecoverable ? 'unrecoverable' : 'missing');
    expect(days.some((d) => d.state === 'unrecoverable')).toBe(true);
    expect(days.some((d) => d.state === 'missing')).toBe(true);
  });

  it('follows the target saved in Settings on the next request, without a restart; the demo archive is only for the demo', async () => {
    await fillAppArchive(userDataDir, { archive: [LAST] }, now);
    expect((await status({ from: LAST, to: LAST }))[0]?.state).toBe('archived');

    const elsewhere = path.join(userDataDir, 'another-archive');
    const saved = await dispatch(service(), 'settings:save', {
      settings: { demo: false, archive: { target: `file://${elsewhere}` } },
    });
    expect(saved.ok).toBe(true);
    expect((await status({ from: LAST, to: LAST }))[0]?.state).toBe('missing');
  });

  it('an S3 archive that cannot be reached is refused with ARCHIVE_UNREACHABLE and what to check, never a crash or the secret', async () => {
    const secretKey = 'not-a-real-secret-' + 'x'.repeat(12);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test-access-key-id');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', secretKey);
    const app = service();
    const saved = await dispatch(app, 'settings:save', {
      settings: {
        demo: false,
        archive: {
          target: 's3://audit-archive-test/acme',
          s3: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', forcePathStyle: true },
        },
      },
    });
    expect(saved.ok).toBe(true);

    const result = await dispatch(app, 'archive:status', { from: LAST, to: LAST });

    expect(result).toEqual({
      ok: false,
      error: { code: 'ARCHIVE_UNREACHABLE', message: expect.stringMatching(/network|endpoint/) },
    });
    expect(JSON.stringify(result)).not.toContain(secretKey);
  });

  it('connecting an organisation leaves demo mode and says which archive the app now writes to', async () => {
    const app = service();
    expect((await dispatch(app, 'app:info', {})) as { value: { demo: boolean } }).toMatchObject({
      ok: true,
      value: { demo: true, archiveTarget: expect.stringContaining('demo-archive') },
    });
    const saved = await dispatch(app, 'settings:save', { settings: { genesys: { clientId: 'my-oauth-client' } } });
    expect(saved).toMatchObject({
      ok: true,
      value: { settings: { demo: false }, warnings: [expect.stringContaining('demo mode is off')] },
    });
    const info = await dispatch(app, 'app:info', {});
    expect(info).toMatchObject({
      ok: true,
      value: { demo: false, archiveTarget: expect.stringMatching(/\/archive$/) },
    });
  });

  it('a range that ends before it starts is refused, saying how to fix it', async () => {
    const result = await dispatch(service(), 'archive:status', { from: LAST, to: addDays(LAST, -3) });
    expect(result).toEqual({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('before it starts') },
    });
  });
});
