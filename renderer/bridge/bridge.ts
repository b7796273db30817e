/**
 * The one way the renderer reaches the engine: the preload's bridge in Electron, the loopback
 * HTTP bridge in a plain browser (dev/test). Both are wrapped in the validating bridge, so every
 * answer and event is checked against the contract before a page sees it.
 */
import { BRIDGE_GLOBAL, type Bridge, type UncheckedBridge } from '../../shared/ipc/bridge';
import { createDevWebBridge, takeTokenFromLocation } from './dev-web-bridge';
import { validatedBridge } from './validated-bridge';

let bridge: Bridge | null = null;

/** Call once at start-up, before the router reads the location (it takes the dev token out of it). */
export function connectBridge(): Bridge {
  if (bridge) return bridge;
  const exposed = (window as unknown as Record<string, unknown>)[BRIDGE_GLOBAL] as UncheckedBridge | undefined;
  bridge = validatedBridge(exposed ?? createDevWebBridge(takeTokenFromLocation()));
  return bridge;
}
