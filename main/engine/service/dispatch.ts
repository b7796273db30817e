/**
 * The single door into the service, shared by every transport.
 *
 * Refuses unknown channels, validates the request against the contract (naming the bad field),
 * calls the service, and turns anything thrown into a Result: our own errors keep their code and
 * message, anything else becomes a generic INTERNAL (no stack, nothing that might hold a secret).
 */
import type * as z from 'zod';
import { isAuditArchiveError } from '../../../shared/errors';
import { describeIssues } from '../../../shared/describe-issues';
import { contract, fieldIssues, isChannel } from '../../../shared/ipc/contract';
import { fail, ok, type Result } from '../../../shared/result';
import type { AppService } from './app-service';

export interface DispatchOptions {
  /**
   * Parse each response with the contract's response schema too (catches service bugs before the
   * renderer sees them, and drops any field the contract does not name). Default: on, in every
   * build; the renderer's bridge checks again on its side.
   */
  validateResponses?: boolean;
  /** Called with anything unexpected that was thrown, for the log (never sent to the caller). */
  onInternalError?: (channel: string, error: unknown) => void;
}

const INTERNAL_MESSAGE =
  'Something went wrong inside Audit Archive. Try again; if it keeps happening, send the log to support.';

export async function dispatch(
  service: AppService,
  channel: unknown,
  payload: unknown,
  options: DispatchOptions = {},
): Promise<Result<unknown>> {
  // Whatever happens below, the caller gets a Result: a transport never sees a throw (dev:web would answer 500).
  try {
    return await dispatchChecked(service, channel, payload, options);
  } catch (e) {
    report(options, typeof channel === 'string' ? channel : '(not a channel)', e);
    return fail('INTERNAL', INTERNAL_MESSAGE);
  }
}

async function dispatchChecked(
  service: AppService,
  channel: unknown,
  payload: unknown,
  options: DispatchOptions,
): Promise<Result<unknown>> {
  if (!isChannel(channel)) {
    const name = typeof channel === 'string' ? JSON.stringify(channel.slice(0, 80)) : typeof channel;
    return fail('INVALID_REQUEST', `Unknown channel ${name}: this app version does not offer it.`);
  }
  const entry = contract[channel];
  let request: ReturnType<typeof entry.request.safeParse>;
  try {
    request = entry.request.safeParse(payload);
  } catch (e) {
    // A payload whose reading throws (a getter, a proxy) is refused like any malformed request: nothing was done.
    report(options, channel, e);
    return fail('INVALID_REQUEST', `The request to ${channel} could not be read; nothing was done. Send plain data.`);
  }
  if (!request.success) return fail('INVALID_REQUEST', describeIssues(request.error), fieldIssues(request.error));

  let value: unknown;
  try {
    const handler = service[channel] as (req: unknown) => Promise<unknown>;
    value = await handler(request.data);
  } catch (e) {
    if (isAuditArchiveError(e)) return fail(e.code, e.message, e.issues);
    report(options, channel, e);
    return fail('INTERNAL', INTERNAL_MESSAGE);
  }

  const validate = options.validateResponses ?? true;
  if (validate) {
    const response = (entry.response as z.ZodType).safeParse(value);
    if (!response.success) {
      report(options, channel, new Error(`response broke the contract: ${describeIssues(response.error, 'response')}`));
      return fail('INTERNAL', INTERNAL_MESSAGE);
    }
    return ok(response.data);
  }
  return ok(value);
}

/** The log hook must not turn a Result into a throw either. */
function report(options: DispatchOptions, channel: string, error: unknown): void {
  try {
    options.onInternalError?.(channel, error);
  } catch {
    // Nothing more can be done for the log.
  }
}
