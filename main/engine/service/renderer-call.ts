/**
 * A call from a renderer over Electron IPC, as main/app/ipc.ts hands it on: refused unless the frame
 * that sent it is our own renderer (`app://audit-archive/`), else dispatched (validated, then the
 * service). Pure, with no Electron import, so a test can send it a forged frame; Electron itself
 * cannot run in the tests.
 *
 * The sender's frame, not its window: a frame that navigated elsewhere, an embedded page, or any
 * other page in the same window, must not reach the engine.
 */
import type { Channel } from '../../../shared/ipc/contract';
import { fail, type Result } from '../../../shared/result';
import type { AppService } from './app-service';
import { dispatch, type DispatchOptions } from './dispatch';
import { isTrustedRendererUrl } from './trusted-origin';

/** What Electron says of an IPC call's sender (IpcMainInvokeEvent): its frame, null once gone. */
interface RendererCallSender {
  readonly senderFrame: { readonly url: string } | null;
}

export const UNTRUSTED_SENDER_MESSAGE = 'This page is not part of Audit Archive and may not call it.';

/** True only for a frame showing our own renderer. */
function isTrustedSender(sender: RendererCallSender): boolean {
  const frame = sender.senderFrame;
  return frame !== null && isTrustedRendererUrl(frame.url);
}

/** Hands one IPC call to the service, unless its frame is not our own renderer (then nothing is called). */
export function callFromRenderer(
  service: AppService,
  channel: Channel,
  sender: RendererCallSender,
  payload: unknown,
  options: DispatchOptions = {},
): Promise<Result<unknown>> {
  if (!isTrustedSender(sender)) return Promise.resolve(fail('INVALID_REQUEST', UNTRUSTED_SENDER_MESSAGE));
  return dispatch(service, channel, payload, options);
}
