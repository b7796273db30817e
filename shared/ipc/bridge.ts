/**
 * The typed bridge the renderer sees: one named async function per channel, each returning a
 * Result. The preload (Electron) and the dev/test client (browser) both implement it.
 */
import type { Result } from '../result';
import type { Channel, RequestOf, ResponseOf } from './contract';

export type Bridge = {
  readonly [C in Channel as BridgeName<C>]: (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>>;
};

/** `settings:get` -> `settingsGet`, `secrets:set-genesys-client-secret` -> `secretsSetGenesysClientSecret`. */
export type BridgeName<C extends string> = C extends `${infer A}:${infer B}` ? `${A}${Capitalize<Camel<B>>}` : C;
type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;

export function bridgeName(channel: string): string {
  const [a, b = ''] = channel.split(':');
  const camel = b.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  return a + camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** The global name under which the bridge is exposed on `window`. */
export const BRIDGE_GLOBAL = 'auditArchive';
