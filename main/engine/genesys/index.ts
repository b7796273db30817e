/**
 * The Genesys Cloud connector: endpoints, the shared rate budget, OAuth, the audit client and the
 * simulator used by tests, benchmarks and the demo organisation.
 */
export {
  resolveGenesysEndpoints,
  assertGenesysBaseUrl,
  GENESYS_API_URL_ENV,
  GENESYS_LOGIN_URL_ENV,
  type GenesysEndpoints,
} from './endpoints';
export { RateBudget, sharedRateBudget, type RateBudgetOptions } from './rate-budget';
export {
  ClientCredentialsAuth,
  requestToken,
  renewalMarginMs,
  type TokenProvider,
  type IssuedToken,
  type ClientCredentialsOptions,
} from './auth';
export {
  GenesysAuditClient,
  splitInterval,
  MAX_QUERY_SPAN_MS,
  MAX_PAGE_SIZE,
  DEFAULT_QUERY_ATTEMPTS,
  DEFAULT_QUERY_RETRY_DELAY_MS,
  type GenesysAuditClientOptions,
} from './client';
export { scanResultsPage, scanDownloadPage, PageSyntaxError, type ElementText, type ScannedPage } from './event-text';
export { safeRemoteText, REMOTE_TEXT_MAX } from './remote-text';
export { AUDIT_PERMISSION, type FetchFn, type RetryPolicy } from './transport';
export { type ServiceMapping } from './wire';
export type { AuditEventSource, AuditQueryRun, AuditQueryProgress, QueryAttempt } from './audit-source';
export {
  startGenesysSimulator,
  type GenesysSimulator,
  type SimulatorOptions,
  type SimulatorStats,
} from './simulator/server';
export { realisticDayVolume } from './simulator/organisation';
export {
  startPkceSignIn,
  createCodeVerifier,
  codeChallenge,
  AUDIT_READ_SCOPE,
  type PkceSignIn,
  type PkceSignInOptions,
} from './pkce';
