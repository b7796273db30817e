/**
 * The Athena engine with its AWS SDK client: loaded by openQueryEngine (open-query-engine.ts) only
 * when an Athena query runs, so the local engine never loads the AWS SDK.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { AthenaQueryEngine, type AthenaQueryEngineOptions } from './athena-engine';

/** An Athena engine on `client`, or on a new client for the options' region. */
export function openAthenaEngine(
  options: Omit<AthenaQueryEngineOptions, 'client'>,
  client: AthenaClient | undefined,
): AthenaQueryEngine {
  return new AthenaQueryEngine({ ...options, client: client ?? new AthenaClient({ region: options.region }) });
}
