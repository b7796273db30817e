/**
 * The service as the app and `npm run dev:web` run it, for callers that need only the contract's
 * functions (tests of single channels): the runtime (app-runtime.ts) without its daily job or demo
 * fill. The app itself opens the whole runtime.
 */
import type { AppService } from './app-service';
import { openAppRuntime, type AppRuntimeOptions } from './app-runtime';

export { defaultArchiveDirIn, demoArchiveDirIn, settingsPathIn, stateDirIn } from '../archive/app-archive';

type OpenAppServiceOptions = Pick<
  AppRuntimeOptions,
  | 'userDataDir'
  | 'transport'
  | 'appVersion'
  | 'secrets'
  | 'archiveStatus'
  | 'env'
  | 'now'
  | 'discoveryEngine'
  | 'openFolder'
>;

/** The service, and how to stop what it holds (running queries and their result files, jobs). */
export interface OpenedAppService {
  readonly service: AppService;
  readonly close: () => Promise<void>;
}

export function openAppService(options: OpenAppServiceOptions): OpenedAppService {
  const runtime = openAppRuntime(options);
  return { service: runtime.service, close: () => runtime.close() };
}
