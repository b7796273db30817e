/**
 * The app's legal holds behind the contract's hold channels (shared/holds/hold-contract.ts): whether
 * the archive can hold anything and who a hold is recorded as placed by, and placing or releasing a
 * hold by matter with the engine's own functions (archive/holds/place-hold.ts), the ones
 * `audit-archive hold place | release` calls, so the refusals, the record and its signature are the
 * same from both.
 *
 * A session per request, as the calendar opens one (a target changed in Settings applies at once).
 * Holds need no Genesys credentials; the record is signed with the archive's key where the app keeps
 * it (app-archive.ts), and the legal holds are set with the credentials the archive is reached with.
 */
import type * as z from 'zod';
import type { Day } from '../../../shared/day';
import type { DaySpan, HoldOutcome } from '../../../shared/holds/hold-contract';
import type { Channel, Contract, ResponseOf } from '../../../shared/ipc/contract';
import { TOOL_VERSION, type ArchiveSession } from '../archive/archive-session';
import { holdOfficer } from '../archive/holds/hold-officer';
import { holdRefusal, placeHold, releaseHold, type HoldResult, type HoldWho } from '../archive/holds/place-hold';
import { withSession } from './session-tracking';

/** The contract's hold channels, served here. */
export const HOLD_CHANNELS = ['holds:status', 'holds:place', 'holds:release'] as const satisfies readonly Channel[];
export type HoldChannel = (typeof HOLD_CHANNELS)[number];

/** One plain async function per hold channel, given the request its schema already parsed (dispatch). */
export type HoldService = {
  readonly [C in HoldChannel]: (request: z.output<Contract[C]['request']>) => Promise<ResponseOf<C>>;
};

export interface HoldServiceDeps {
  /** Where the officer's name comes from (AUDIT_ARCHIVE_OFFICER), as the CLI reads it. */
  readonly env: NodeJS.ProcessEnv;
  readonly openSession: (purpose: 'read' | 'write') => Promise<ArchiveSession>;
}

export function createHoldService(deps: HoldServiceDeps): HoldService {
  // 'read': the session brings no Genesys credentials, which a hold does not need.
  const inSession = <T>(use: (session: ArchiveSession) => Promise<T>) =>
    withSession(() => deps.openSession('read'), use);
  return {
    'holds:status': () =>
      inSession(async (session) => {
        const refusal = holdRefusal(session.store);
        return { archiveTarget: session.store.url, canHold: refusal === null, refusal, by: holdOfficer(deps.env) };
      }),

    'holds:place': ({ from, to, matter, reference, reason }) =>
      inSession(async (session) => {
        const who = whoOf(session, deps.env, { matter, reference, reason });
        return outcome(await placeHold(session.archive, { ...who, from, to }));
      }),

    'holds:release': ({ matter }) =>
      inSession(async (session) => {
        const who = whoOf(session, deps.env, { matter, reference: '', reason: '' });
        return outcome(await releaseHold(session.archive, who));
      }),
  };
}

/** The request as the CLI builds it (main/cli/commands/hold.ts): the officer, the tool, the settlement margin. */
function whoOf(
  session: ArchiveSession,
  env: NodeJS.ProcessEnv,
  words: Pick<HoldWho, 'matter' | 'reference' | 'reason'>,
): HoldWho {
  return {
    ...words,
    by: holdOfficer(env),
    toolVersion: TOOL_VERSION,
    settlementMinutes: session.settings.archive.settlementMinutes,
  };
}

function outcome(r: HoldResult): HoldOutcome {
  return {
    matter: r.matter,
    recordKey: r.recordKey,
    days: span(r.days),
    later: span(r.later),
    stillHeld: span(r.stillHeld),
    versions: r.versions,
  };
}

/** Days in order, by their count and ends. */
function span(days: readonly Day[]): DaySpan {
  return { count: days.length, first: days[0] ?? null, last: days.at(-1) ?? null };
}
