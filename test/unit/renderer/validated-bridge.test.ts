/**
 * The renderer's bridge checks every answer and every pushed event against the contract, in every
 * build: what does not match never reaches a page.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UncheckedBridge } from '../../../shared/ipc/bridge';
import { validatedBridge } from '../../../renderer/bridge/validated-bridge';

/** A transport that answers every channel with `answer` and lets the test push events. */
function transport(answer: unknown) {
  const listeners = new Set<(e: unknown) => void>();
  const raw = new Proxy(
    {},
    {
      get: (_t, name) =>
        name === 'subscribe'
          ? (l: (e: unknown) => void) => {
              listeners.add(l);
              return () => listeners.delete(l);
            }
          : async () => answer,
    },
  ) as UncheckedBridge;
  return { raw, push: (e: unknown) => listeners.forEach((l) => l(e)) };
}

afterEach(() => vi.unstubAllEnvs());

describe('the renderer bridge', () => {
  it('passes an answer that matches the contract', async () => {
    const bridge = validatedBridge(transport({ ok: true, value: { cancelled: true } }).raw, () => undefined);
    expect(await bridge.jobsCancel({ id: 'x' })).toEqual({ ok: true, value: { cancelled: true } });
  });

  it('turns an answer that breaks the contract into INTERNAL and reports it, even in a production build', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const reports: string[] = [];
    const bridge = validatedBridge(
      transport({ ok: true, value: { days: [{ day: 'yesterday', state: 'archived' }] } }).raw,
      (m) => reports.push(m),
    );
    const result = await bridge.archiveStatus({});
    expect(result).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: expect.stringContaining('in a shape this window does not know') },
    });
    expect(reports).toEqual([expect.stringContaining('archive:status')]);
  });

  it('keeps the structured field issues of a refusal', async () => {
    const refusal = {
      ok: false,
      error: {
        code: 'INVALID_REQUEST',
        message: 'request.settings.archive.retentionDays: Too small',
        issues: [{ path: ['settings', 'archive', 'retentionDays'], message: 'Too small' }],
      },
    };
    const bridge = validatedBridge(transport(refusal).raw, () => undefined);
    expect(await bridge.settingsGet({})).toEqual(refusal);
  });

  it('delivers pushed events that match the contract and drops the rest', () => {
    const t = transport(null);
    const reports: string[] = [];
    const bridge = validatedBridge(t.raw, (m) => reports.push(m));
    const seen: unknown[] = [];
    const unsubscribe = bridge.subscribe((e) => seen.push(e));
    t.push({ event: 'days', payload: { days: [{ day: '2026-11-20', state: 'archived', events: 4 }] } });
    t.push({ event: 'days', payload: { days: [{ day: 'not a day', state: 'archived' }] } });
    t.push({ event: 'shell', payload: {} });
    t.push('junk');
    expect(seen).toEqual([{ event: 'days', payload: { days: [{ day: '2026-11-20', state: 'archived', events: 4 }] } }]);
    expect(reports).toHaveLength(3);
    unsubscribe();
    t.push({ event: 'days', payload: { days: [] } });
    expect(seen).toHaveLength(1);
  });
});
