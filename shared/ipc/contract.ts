/**
 * The one IPC contract: channel name -> request schema -> response schema, and the events main
 * pushes to the renderer (event name -> payload schema).
 *
 * Main validates every request against it (Electron IPC and the dev/test transport alike); the
 * preload exposes one named function per channel and one subscription to events; the renderer's
 * bridge validates every response and every event against it too, in every build. Types come from
 * `z.infer`, so a change here is a compile error everywhere it matters.
 *
 * Channels come in blocks, one per part of the app, so each part's additions stay together.
 */
import * as z from 'zod';
import type { FieldIssue } from '../errors';
import { InterruptedCatchUpSchema, JobStateSchema } from '../archive-jobs';
import { CopyCheckSummarySchema } from '../copy-check';
import { CheckpointUseSchema } from '../checkpoint';
import { DaySchema } from '../day';
import { DayDetailsSchema } from '../day-details';
import { DayStatusSchema } from '../day-status';
import { ERROR_CODES } from '../errors';
import { ScheduleStatusSchema } from '../schedule-status';
import { ArchiveSettingsSchema, GenesysSettingsSchema, SettingsSchema } from '../settings';
import { discoveryContract } from '../discovery/discovery-contract';
import { holdsContract } from '../holds/hold-contract';
import { ReportJobEventSchema, reportsContract } from '../reports/report-contract';
import {
  BucketInitResultSchema,
  ConnectionCheckSchema,
  SignInStateSchema,
  SigningKeyStatusSchema,
  StorageCheckSchema,
} from '../setup-checks';

const Empty = z.object({}).strict();
/** An OAuth client id as typed (the secret is kept under it). */
const ClientId = z.string().trim().min(1, 'must not be empty').max(200);

/** The app frame, settings, secrets and the calendar. */
const appChannels = {
  'app:info': {
    request: Empty,
    response: z.object({
      name: z.string(),
      version: z.string(),
      /** How the renderer reaches the engine. */
      transport: z.enum(['electron', 'dev-web']),
      demo: z.boolean(),
      /** Where the archive lives, e.g. `file:///…` or `s3://bucket/prefix`. */
      archiveTarget: z.string(),
      /** True when the archive target is not WORM storage (a plain local folder). */
      archiveIsWorm: z.boolean(),
    }),
  },
  'settings:get': {
    request: Empty,
    response: z.object({ settings: SettingsSchema, warnings: z.array(z.string()) }),
  },
  'settings:save': {
    request: z.object({ settings: SettingsSchema }).strict(),
    response: z.object({ settings: SettingsSchema, warnings: z.array(z.string()) }),
  },
  'secrets:status': {
    /** For this client id (as entered, saved or not); default: the saved one. */
    request: z.object({ clientId: ClientId.optional() }).strict(),
    /** Whether each secret is present; never the secret itself. */
    response: z.object({ genesysClientSecret: z.boolean() }),
  },
  'secrets:set-genesys-client-secret': {
    request: z
      .object({ secret: z.string().min(1, 'must not be empty').max(4096), clientId: ClientId.optional() })
      .strict(),
    response: z.object({ stored: z.literal(true) }),
  },
  'secrets:clear-genesys-client-secret': {
    request: z.object({ clientId: ClientId.optional() }).strict(),
    response: z.object({ cleared: z.boolean() }),
  },
  'archive:status': {
    request: z
      .object({
        from: DaySchema.optional(),
        to: DaySchema.optional(),
        /** A first look: manifests not yet checked here may come from the signed monthly checkpoints. */
        checkpoints: z.boolean().optional(),
      })
      .strict(),
    response: z.object({
      days: z.array(DayStatusSchema),
      /** The app's last check of the second locked copy set now (null: none yet; absent: no copy set). */
      copyCheck: CopyCheckSummarySchema.nullable().optional(),
      /** What came from the signed monthly checkpoints (absent or null: nothing). */
      checkpoints: CheckpointUseSchema.nullable().optional(),
    }),
  },
  // Discovery (issue 9): queries, their results and the saved-query library.
  ...discoveryContract,
  // Reports (issue 10): audit response reports, generated as jobs, listed and re-checked.
  ...reportsContract,
  // Legal holds (issue 18): placed and released by matter from the calendar and the day panel.
  ...holdsContract,
} as const;

const JobResponse = JobStateSchema;

/**
 * The officer's desk: catch-up, verify, one day's evidence and actions, the daily job, and the live
 * checks of setup (Genesys connection and sign-in, the archive target, the signing key).
 */
const deskChannels = {
  'jobs:state': {
    request: Empty,
    response: z.object({
      /** The job running now. */
      current: JobStateSchema.nullable(),
      /** The last one that finished in this app session. */
      last: JobStateSchema.nullable(),
      /** A catch-up that stopped before its end (cancelled, or the app quit): offer to resume it. */
      interrupted: InterruptedCatchUpSchema.nullable(),
    }),
  },
  'jobs:cancel': {
    request: z.object({ id: z.string().min(1).max(64) }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  'archive:catch-up': {
    request: z.object({ from: DaySchema.optional(), to: DaySchema.optional() }).strict(),
    response: JobResponse,
  },
  'archive:verify': {
    request: z.object({ from: DaySchema.optional(), to: DaySchema.optional(), full: z.boolean() }).strict(),
    response: JobResponse,
  },
  'archive:export-day': {
    /** Export a missing or failed day, or (reconcile) add late events to an archived one. */
    request: z.object({ day: DaySchema, reconcile: z.boolean() }).strict(),
    response: JobResponse,
  },
  'archive:day': {
    request: z.object({ day: DaySchema }).strict(),
    response: DayDetailsSchema,
  },
  'schedule:status': {
    request: Empty,
    response: ScheduleStatusSchema,
  },
  'genesys:test-connection': {
    /** The Genesys settings as entered (saved or not); the client secret comes from the keychain. */
    request: z.object({ genesys: GenesysSettingsSchema }).strict(),
    response: ConnectionCheckSchema,
  },
  'genesys:sign-in': {
    /** Starts "Sign in as myself" (PKCE) with these settings; the outcome arrives as a `sign-in` event. */
    request: z.object({ genesys: GenesysSettingsSchema }).strict(),
    response: SignInStateSchema,
  },
  'genesys:sign-out': {
    request: Empty,
    response: SignInStateSchema,
  },
  'genesys:sign-in-state': {
    request: Empty,
    response: SignInStateSchema,
  },
  'storage:check': {
    /** The archive settings as entered (saved or not). */
    request: z.object({ archive: ArchiveSettingsSchema }).strict(),
    response: StorageCheckSchema,
  },
  'storage:init-bucket': {
    /** COMPLIANCE cannot be undone: refused unless the officer confirmed it. */
    request: z.object({ archive: ArchiveSettingsSchema, confirmCompliance: z.boolean() }).strict(),
    response: BucketInitResultSchema,
  },
  'signing-key:status': {
    request: z.object({ archive: ArchiveSettingsSchema }).strict(),
    response: SigningKeyStatusSchema,
  },
  'signing-key:create': {
    request: Empty,
    /** The new key's fingerprint (its private half went straight to the keychain). */
    response: z.object({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/) }),
  },
  'signing-key:import': {
    /** A private key exported on another machine (`audit-archive key export`), as PEM text. */
    request: z.object({ pem: z.string().min(1, 'must not be empty').max(10_000) }).strict(),
    response: z.object({ fingerprint: z.string().regex(/^[0-9a-f]{64}$/) }),
  },
  // The second locked copy (issue 18): its check as a job, and setup's check of its bucket.
  'archive:verify-copy': {
    request: z.object({ from: DaySchema.optional(), to: DaySchema.optional() }).strict(),
    response: JobResponse,
  },
  'storage:check-copy': {
    /** The archive settings as entered (saved or not): the copy in `archive.copy`, checked against the primary. */
    request: z.object({ archive: ArchiveSettingsSchema }).strict(),
    response: StorageCheckSchema,
  },
} as const;

export const contract = { ...appChannels, ...deskChannels } as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type RequestOf<C extends Channel> = z.input<Contract[C]['request']>;
export type ResponseOf<C extends Channel> = z.infer<Contract[C]['response']>;

export const CHANNELS = Object.keys(contract) as Channel[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** Prefix of every channel as registered with Electron's ipcMain (keeps ours apart from others). */
export const IPC_PREFIX = 'audit-archive:';

/** Pushed from main to the renderer: event name -> payload schema. */
export const events = {
  /** A job's state changed (throttled; the final state is always sent). */
  job: JobStateSchema,
  /** Days whose state a running job changed (archived, failed), so the calendar follows at once. */
  days: z.object({ days: z.array(DayStatusSchema).max(100) }),
  /** The daily job's status changed (a run started or ended, settings moved it). */
  schedule: ScheduleStatusSchema,
  /** "Sign in as myself" finished, failed or was cancelled. */
  'sign-in': SignInStateSchema,
  /** A report job's progress, and its receipt or error when it ends (issue 10). */
  report: ReportJobEventSchema,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventOf<E extends EventName> = z.infer<Events[E]>;
export type AppEvent = { [E in EventName]: { readonly event: E; readonly payload: EventOf<E> } }[EventName];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** The IPC channel (Electron) and the dev/test stream both carry `{event, payload}` on this name. */
export const EVENT_CHANNEL = 'audit-archive:event';

const FieldIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])).max(20),
  message: z.string().max(1000),
});

const ResultErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  issues: z.array(FieldIssueSchema).max(100).optional(),
});

/** What a channel's caller receives: the response, or a coded error. */
export function resultSchemaOf<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: ResultErrorSchema }),
  ]);
}

/** zod issues as field issues: each path as given (relative to the request), the message as is. */
export function fieldIssues(error: z.ZodError, prefix: readonly (string | number)[] = []): FieldIssue[] {
  return error.issues.slice(0, 100).map((i) => ({
    path: [...prefix, ...i.path.map((p) => (typeof p === 'number' ? p : String(p)))],
    message: i.message,
  }));
}
