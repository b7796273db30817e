/**
 * The one way the renderer reaches the engine: the preload's bridge in Electron, the loopback
 * HTTP bridge in a plain browser (dev/test). Both implement the same typed Bridge.
 */
import { BRIDGE_GLOBAL, type Bridge } from '../../shared/ipc/bridge';
import { createDevWebBridge, takeTokenFromLocation } from './dev-web-bridge';

let bridge: Bridge | null = null;

/** Call once at start-up, before the router reads the location (it takes the dev token out of it). */
export function connectBridge(): Bridge {
  if (bridge) return bridge;
  const exposed = (window as unknown as Record<string, unknown>)[BRIDGE_GLOBAL] as Bridge | undefined;
  bridge = exposed ?? createDevWebBridge(takeTokenFromLocation());
  return bridge;
}
