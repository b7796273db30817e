/**
 * The app's legal holds behind the contract's hold channels (shared/holds/hold-contract.ts): whether
 * the archive can hold anything and who a hold is recorded as placed by, every matter holding days
 * now, and placing or releasing a hold by matter with the engine's own functions
 * (archive/holds/place-hold.ts, hold-list.ts), the ones `audit-archive hold place | list | release`
 * calls, so the refusals, the records, their checks and their signatures are the same from both.
 *
 * A session per request, as the calendar opens one (a target changed in Settings applies at once).
 * Holds need no Genesys credentials; the record is signed with the archive's key where the app keeps
 * it (app-archive.ts), and the legal holds are set with the credentials the archive is reached with.
 */
import type * as z from 'zod';
import {
  daySpan,
  HOLD_LIST_LIMITS,
  type HoldList as HoldListView,
  type HoldOutcome,
} from '../../../shared/holds/hold-contract';
import type { Channel, Contract, ResponseOf } from '../../../shared/ipc/contract';
import { TOOL_VERSION, type ArchiveSession } from '../archive/archive-session';
import { listHolds, type HoldList } from '../archive/holds/hold-list';
import { holdOfficer } from '../archive/holds/hold-officer';
import { holdRefusal, placeHold, releaseHold, type HoldResult, type HoldWho } from '../archive/holds/place-hold';
import { withSession } from './session-tracking';

/** The contract's hold channels, served here. */
export const HOLD_CHANNELS = [
  'holds:status',
  'holds:list',
  'holds:place',
  'holds:release',
] as const satisfies readonly Channel[];
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

    'holds:list': () =>
      inSession(async (session) =>
        listView(await listHolds(session.archive, { settlementMinutes: session.settings.archive.settlementMinutes })),
      ),

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
    days: daySpan(r.days),
    later: daySpan(r.later),
    stillHeld: daySpan(r.stillHeld),
    versions: r.versions,
  };
}

/** The list within the contract's bounds, by matter name; the totals say how many there are. */
function listView(list: HoldList): HoldListView {
  const matters = [...list.matters].sort((a, b) => a.matter.localeCompare(b.matter));
  return {
    archiveTarget: list.archive,
    refusal: list.refusal,
    matters: matters.slice(0, HOLD_LIST_LIMITS.matters).map((m) => ({
      matter: m.matter,
      periods: m.periods.slice(0, HOLD_LIST_LIMITS.periods).map((p) => ({
        from: p.from,
        to: p.to,
        reference: p.reference,
        reason: p.reason,
        by: p.by,
        placedAt: p.placedAt,
      })),
      periodsTotal: m.periods.length,
      archived: m.archived,
      later: m.later,
      notArchived: m.notArchived,
      shared: m.shared,
    })),
    mattersTotal: matters.length,
    invalidRecords: list.problems
      .slice(0, HOLD_LIST_LIMITS.invalidRecords)
      .map((p) => ({ key: p.key ?? null, detail: p.detail.length > 4000 ? `${p.detail.slice(0, 3999)}…` : p.detail })),
    invalidRecordsTotal: list.problems.length,
  };
}
