/**
 * IPC registration, the one file in main that touches ipcMain: thin by design. Each contract channel
 * gets one handler that checks the sender is our own renderer frame and hands the payload to
 * `dispatch` (which validates it and returns a Result); the events main pushes go to our own
 * windows' frames only, on one channel. Nothing else is reachable from the renderer.
 */
import { ipcMain, type WebContents } from 'electron';
import { CHANNELS, EVENT_CHANNEL, IPC_PREFIX, type AppEvent } from '../../shared/ipc/contract';
import type { AppService } from '../engine/service/app-service';
import { callFromRenderer } from '../engine/service/renderer-call';
import { isTrustedRendererUrl } from '../engine/service/trusted-origin';

/** One handler per contract channel; each call is checked and handed on by `callFromRenderer` (tested there). */
export function registerIpc(service: AppService): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(IPC_PREFIX + channel, (event, payload: unknown) =>
      callFromRenderer(service, channel, event, payload, {
        onInternalError: (ch, e) => console.error(`[ipc] ${ch} failed:`, e instanceof Error ? e.message : e),
      }),
    );
  }
}

/**
 * Forwards every pushed event to the windows `targets()` returns, while their main frame is our own
 * renderer (a frame that navigated elsewhere gets nothing). Returns the unsubscribe.
 */
export function forwardEvents(
  events: { subscribe(listener: (event: AppEvent) => void): () => void },
  targets: () => readonly WebContents[],
): () => void {
  return events.subscribe((event) => {
    for (const contents of targets()) {
      if (contents.isDestroyed() || !isTrustedRendererUrl(contents.getURL())) continue;
      contents.send(EVENT_CHANNEL, event);
    }
  });
}
