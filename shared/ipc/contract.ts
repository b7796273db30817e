/**
 * The one IPC contract: channel name -> request schema -> response schema.
 *
 * Main validates every request against it (Electron IPC and the dev/test transport alike); the
 * preload exposes one named function per channel; the renderer calls only those. Types come from
 * `z.infer`, so a change here is a compile error everywhere it matters.
 */
import { z } from 'zod';
import { DaySchema } from '../day';
import { DayStatusSchema } from '../day-status';
import { SettingsSchema } from '../settings';
import { discoveryContract } from '../discovery/discovery-contract';
import { reportsContract } from '../reports/report-contract';

const Empty = z.object({}).strict();

export const contract = {
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
    request: Empty,
    /** Whether each secret is present; never the secret itself. */
    response: z.object({ genesysClientSecret: z.boolean() }),
  },
  'secrets:set-genesys-client-secret': {
    request: z.object({ secret: z.string().min(1, 'must not be empty').max(4096) }).strict(),
    response: z.object({ stored: z.literal(true) }),
  },
  'secrets:clear-genesys-client-secret': {
    request: Empty,
    response: z.object({ cleared: z.boolean() }),
  },
  'archive:status': {
    request: z.object({ from: DaySchema.optional(), to: DaySchema.optional() }).strict(),
    response: z.object({ days: z.array(DayStatusSchema) }),
  },
  // Discovery (issue 9): queries, their results and the saved-query library.
  ...discoveryContract,
  // Reports (issue 10): audit response reports, generated as jobs, listed and re-checked.
  ...reportsContract,
} as const;

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

/** Turns zod issues into one message naming the field, e.g. `settings.archive.retentionDays: …`. */
export function describeIssues(error: z.ZodError, root = 'request'): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}
