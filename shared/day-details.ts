/**
 * One UTC day's evidence, as the calendar's day panel shows it: its state, every manifest on the
 * chain for it with the objects each one recorded (key, version id, size, SHA-256, lock as read
 * back), where the events came from, what happened to it (exports, reconciliations, failures),
 * the last verification that covered it and what the officer can do next.
 */
import * as z from 'zod';
import { DayCopySchema } from './copy-check';
import { DaySchema } from './day';
import { DayStatusSchema } from './day-status';
import { LockModeSchema, Sha256HexSchema } from './manifest';
import { VerifyProblemSchema } from './verify';

const Instant = z.string().datetime({ offset: false });
const Count = z.number().int().nonnegative();

/** Objects listed per manifest (a day of 16 MiB parts rarely has more than a few). */
export const DAY_OBJECTS_LIMIT = 200;

const DayObjectSchema = z.object({
  key: z.string().max(1100),
  versionId: z.string().max(1024).nullable(),
  size: Count,
  sha256: Sha256HexSchema,
  events: Count,
  lockMode: LockModeSchema.nullable(),
  retainUntil: Instant.nullable(),
});

const DayManifestSchema = z.object({
  key: z.string().max(1100),
  versionId: z.string().max(1024).nullable(),
  sha256: Sha256HexSchema,
  sequence: z.number().int().positive(),
  kind: z.enum(['export', 'reconcile']),
  createdAt: Instant,
  /** Events this run added, and the day's total after it. */
  events: Count,
  dayEventsTotal: Count,
  duplicatesDropped: Count,
  firstEventDate: z.string().max(40).nullable(),
  lastEventDate: z.string().max(40).nullable(),
  queries: Count,
  source: z.object({
    demo: z.boolean(),
    organisationId: z.string().max(200).nullable(),
    organisationName: z.string().max(500).nullable(),
    apiHost: z.string().max(300),
    clientId: z.string().max(200).nullable(),
  }),
  objects: z.array(DayObjectSchema).max(DAY_OBJECTS_LIMIT),
  objectsTotal: Count,
});

const DayHistoryEntrySchema = z.object({
  at: Instant,
  what: z.enum(['exported', 'reconciled', 'failed']),
  detail: z.string().max(1000),
});
export type DayHistoryEntry = z.infer<typeof DayHistoryEntrySchema>;

/** A matter holding the day under a legal hold: one period it placed (a signed hold record). */
const DayHoldSchema = z.object({
  matter: z.string().max(200),
  reference: z.string().max(200),
  reason: z.string().max(500),
  /** Who placed it (the officer's name, else the account that ran the command). */
  by: z.string().max(200),
  placedAt: Instant,
  from: DaySchema,
  to: DaySchema,
});
export type DayHold = z.infer<typeof DayHoldSchema>;

export const DayDetailsSchema = z.object({
  status: DayStatusSchema,
  /** Oldest first (the chain's order). */
  manifests: z.array(DayManifestSchema).max(100),
  /** What the archive shows now and what the last verification found, for this day. */
  problems: z.array(VerifyProblemSchema).max(50),
  /** Newest first. */
  history: z.array(DayHistoryEntrySchema).max(100),
  lastVerification: z
    .object({ at: Instant, from: DaySchema.nullable(), to: DaySchema.nullable(), problems: Count })
    .nullable(),
  /** The matters holding the day now, each period that covers it (from verified hold records). */
  holds: z.array(DayHoldSchema).max(100),
  /** The second locked copy set now and what its last check found on this day (null: no copy is set). */
  copy: DayCopySchema.nullable().optional(),
  /** What the officer can do with the day now. */
  actions: z.object({ export: z.boolean(), reconcile: z.boolean(), verify: z.boolean() }),
});
export type DayDetails = z.infer<typeof DayDetailsSchema>;
