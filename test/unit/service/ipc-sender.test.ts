/**
 * The Electron shell's IPC door, against forged senders: a call is handed to the service only when
 * the frame that sent it shows our own renderer (`app://audit-archive/`). Electron cannot run here,
 * so the check is a pure function (main/engine/service/renderer-call.ts) and main/app/ipc.ts is run
 * with `electron` replaced by a recorder of the handlers it registers: the same handlers the shell
 * registers, called as Electron would call them.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS, EVENT_CHANNEL, IPC_PREFIX, type AppEvent } from '../../../shared/ipc/contract';
import type { AppService } from '../../../main/engine/service/app-service';
import { callFromRenderer, UNTRUSTED_SENDER_MESSAGE } from '../../../main/engine/service/renderer-call';

const registered = vi.hoisted(() => new Map<string, (event: unknown, payload: unknown) => unknown>());
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: (event: unknown, payload: unknown) => unknown) =>
      registered.set(channel, handler),
  },
}));
const { forwardEvents, registerIpc } = await import('../../../main/app/ipc');

const INFO = {
  name: 'Audit Archive',
  version: '1.0.0',
  transport: 'electron',
  demo: true,
  archiveTarget: 'file:///tmp/archive',
  archiveIsWorm: false,
};

/** A service that answers app:info and records every channel it was asked for. */
function recordingService(): { service: AppService; called: string[] } {
  const called: string[] = [];
  const service = new Proxy({} as AppService, {
    get: (_target, channel) => async () => {
      called.push(String(channel));
      return channel === 'app:info' ? INFO : {};
    },
  });
  return { service, called };
}

/** Frames a call may come from that are not our renderer. */
const FORGED: Array<[string, { senderFrame: { url: string } | null }]> = [
  ['another web page', { senderFrame: { url: 'https://evil.example/' } }],
  ['our frame after it navigated to a file', { senderFrame: { url: 'file:///home/officer/Downloads/page.html' } }],
  ['a look-alike host', { senderFrame: { url: 'app://audit-archive.evil.example/index.html' } }],
  ['our host on a port', { senderFrame: { url: 'app://audit-archive:8080/index.html' } }],
  ['with credentials', { senderFrame: { url: 'app://user:pw@audit-archive/index.html' } }],
  ['a blank frame', { senderFrame: { url: 'about:blank' } }],
  ['the devtools', { senderFrame: { url: 'devtools://devtools/bundled/inspector.html' } }],
  ['a frame that is gone', { senderFrame: null }],
];
const OURS = { senderFrame: { url: 'app://audit-archive/index.html#/calendar' } };
const REFUSED = { ok: false, error: { code: 'INVALID_REQUEST', message: UNTRUSTED_SENDER_MESSAGE } };

describe('a call from a renderer frame', () => {
  it.each(FORGED)('from %s is refused, and the service is never called', async (_what, sender) => {
    const { service, called } = recordingService();
    expect(await callFromRenderer(service, 'settings:save', sender, { settings: {} })).toEqual(REFUSED);
    expect(await callFromRenderer(service, 'app:info', sender, {})).toEqual(REFUSED);
    expect(called).toEqual([]);
  });

  it('from our own renderer reaches the service, validated', async () => {
    const { service, called } = recordingService();
    expect(await callFromRenderer(service, 'app:info', OURS, {})).toEqual({ ok: true, value: INFO });
    expect(called).toEqual(['app:info']);
    // Still validated after the sender check: a malformed request does not reach the service.
    expect(await callFromRenderer(service, 'app:info', OURS, { extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST' },
    });
    expect(called).toEqual(['app:info']);
  });
});

describe('main/app/ipc.ts, as the shell registers it', () => {
  beforeEach(() => registered.clear());

  it('registers one handler per contract channel, each refusing a forged frame and serving ours', async () => {
    const { service, called } = recordingService();
    registerIpc(service);
    expect([...registered.keys()].sort()).toEqual(CHANNELS.map((c) => IPC_PREFIX + c).sort());
    for (const [, sender] of FORGED) {
      for (const channel of CHANNELS) {
        expect(await registered.get(IPC_PREFIX + channel)!(sender, {}), channel).toEqual(REFUSED);
      }
    }
    expect(called).toEqual([]);
    expect(await registered.get(`${IPC_PREFIX}app:info`)!(OURS, {})).toEqual({ ok: true, value: INFO });
    expect(called).toEqual(['app:info']);
  });

  it('pushes events only to windows still showing our renderer', () => {
    let listener: (event: AppEvent) => void = () => undefined;
    const window = (url: string, destroyed = false) => {
      const sent: unknown[] = [];
      return {
        sent,
        contents: { isDestroyed: () => destroyed, getURL: () => url, send: (...args: unknown[]) => sent.push(args) },
      };
    };
    const ours = window('app://audit-archive/index.html');
    const navigated = window('https://evil.example/');
    const closed = window('app://audit-archive/index.html', true);
    forwardEvents(
      { subscribe: (l) => ((listener = l), () => undefined) },
      () => [ours.contents, navigated.contents, closed.contents] as unknown as Electron.WebContents[],
    );
    const event = { event: 'days', payload: { days: [] } } as AppEvent;
    listener(event);
    expect(ours.sent).toEqual([[EVENT_CHANNEL, event]]);
    expect(navigated.sent).toEqual([]);
    expect(closed.sent).toEqual([]);
  });
});
