/**
 * The bridge the pages use: whichever transport carries the calls (Electron's preload, or the
 * dev/test loopback), every response and every pushed event is checked against the contract here,
 * in every build. Something that does not match never reaches a page: a call answers INTERNAL
 * ("the engine answered in a shape this window does not know"), an event is dropped, and both are
 * reported on the console.
 */
import type * as z from 'zod';
import { bridgeName, type Bridge, type UncheckedBridge } from '../../shared/ipc/bridge';
import {
  CHANNELS,
  contract,
  events,
  isEventName,
  resultSchemaOf,
  type AppEvent,
  type Channel,
} from '../../shared/ipc/contract';
import { fail, type Result } from '../../shared/result';

const resultSchemas = new Map<Channel, z.ZodType>(CHANNELS.map((c) => [c, resultSchemaOf(contract[c].response)]));

export function validatedBridge(raw: UncheckedBridge, report: (message: string) => void = defaultReport): Bridge {
  const functions = Object.fromEntries(
    CHANNELS.map((channel) => {
      const call = (raw as unknown as Record<string, (request: unknown) => Promise<unknown>>)[bridgeName(channel)];
      const checked = async (request: unknown): Promise<Result<unknown>> => {
        if (!call) return fail('INTERNAL', `This window cannot reach ${channel}: restart Audit Archive.`);
        let answer: unknown;
        try {
          answer = await call(request);
        } catch {
          return fail(
            'INTERNAL',
            'Audit Archive did not answer. Restart it; if it keeps happening, send the log to support.',
          );
        }
        const parsed = (resultSchemas.get(channel) as z.ZodType).safeParse(answer);
        if (!parsed.success) {
          report(
            `The answer to ${channel} does not match the contract: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
          );
          return fail(
            'INTERNAL',
            `Audit Archive answered ${channel} in a shape this window does not know, so nothing was shown from it. Restart the app; if it keeps happening, report it.`,
          );
        }
        return parsed.data as Result<unknown>;
      };
      return [bridgeName(channel), checked];
    }),
  );
  return {
    ...(functions as unknown as Omit<Bridge, 'subscribe'>),
    subscribe(listener: (event: AppEvent) => void) {
      return raw.subscribe((message) => {
        const event = checkEvent(message);
        if (event) listener(event);
        else report('A pushed event does not match the contract; it was dropped.');
      });
    },
  };
}

/** The event if it is one the contract names, with a payload that matches its schema; else null. */
export function checkEvent(message: unknown): AppEvent | null {
  if (typeof message !== 'object' || message === null) return null;
  const { event, payload } = message as { event?: unknown; payload?: unknown };
  if (!isEventName(event)) return null;
  const parsed = (events[event] as z.ZodType).safeParse(payload);
  return parsed.success ? ({ event, payload: parsed.data } as AppEvent) : null;
}

function defaultReport(message: string): void {
  console.error(`Audit Archive: ${message}`);
}
