/**
 * The typed bridge the renderer sees: one named async function per channel, each returning a
 * Result, and one subscription to the events main pushes. The preload (Electron) and the dev/test
 * client (browser) both implement it; the renderer wraps either in a validating bridge that checks
 * every response and event against the contract.
 */
import type { Result } from '../result';
import type { AppEvent, Channel, RequestOf, ResponseOf } from './contract';

type ChannelFunctions = {
  readonly [C in Channel as BridgeName<C>]: (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>>;
};

export type Bridge = ChannelFunctions & {
  /** Calls `listener` with every event main pushes; returns the unsubscribe. */
  readonly subscribe: (listener: (event: AppEvent) => void) => () => void;
};

/** What a transport hands over before validation: the same shape, nothing trusted yet. */
export type UncheckedBridge = {
  readonly [C in Channel as BridgeName<C>]: (request: RequestOf<C>) => Promise<unknown>;
} & { readonly subscribe: (listener: (event: unknown) => void) => () => void };

/** `settings:get` -> `settingsGet`, `secrets:set-genesys-client-secret` -> `secretsSetGenesysClientSecret`. */
type BridgeName<C extends string> = C extends `${infer A}:${infer B}` ? `${Camel<A>}${Capitalize<Camel<B>>}` : C;
type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;

export function bridgeName(channel: string): string {
  const [a = '', b = ''] = channel.split(':');
  const camel = (s: string) => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  const tail = camel(b);
  return camel(a) + tail.charAt(0).toUpperCase() + tail.slice(1);
}

/** The global name under which the bridge is exposed on `window`. */
export const BRIDGE_GLOBAL = 'auditArchive';
