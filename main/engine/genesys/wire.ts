/**
 * Zod schemas of what Genesys sends back: the only shapes the client trusts.
 *
 * Envelopes are checked strictly enough to page safely; events are checked only for the fields the
 * archive relies on (shared/audit-event.ts) and otherwise kept exactly as received.
 */
import * as z from 'zod';
import { downloadUrlProblem } from '../../../shared/genesys-url';
import { safeRemoteText } from './remote-text';

export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
});

/** A field of an error body, made safe to show (see remote-text.ts); a non-string is dropped. */
const shownText = (max: number) =>
  z
    .string()
    .transform((t) => safeRemoteText(t, max) || undefined)
    .optional()
    .catch(undefined);

/** What an error body may tell us, every text already stripped of control characters and bounded. */
export const ErrorBodySchema = z
  .object({
    message: shownText(300),
    code: shownText(100),
    status: z.number().optional().catch(undefined),
    contextId: shownText(100),
    error: shownText(100),
    description: shownText(300),
  })
  .catch({});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

const QUERY_STATES = ['Queued', 'Running', 'Succeeded', 'Failed', 'Cancelled'] as const;

/**
 * Ids Genesys hands back that we repeat in messages and manifests (transaction ids, service names):
 * printable, bounded. Real ones are UUIDs and names like `Directory`.
 */
const GenesysName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]*$/, 'holds control characters');

export const QueryStatusSchema = z.looseObject({
  id: GenesysName,
  state: z.enum(QUERY_STATES),
});

/** The envelope of a results page (its `entities` are scanned as text, see event-text.ts). */
export const ResultsPageSchema = z.looseObject({
  id: z.string().optional(),
  pageSize: z.number().optional(),
  cursor: z.string().min(1).optional().nullable(),
  entities: z.array(z.unknown()).optional(),
});

/** `GET /api/v2/organizations/me`: the fields the source identity uses. */
export const OrganizationSchema = z.looseObject({
  id: GenesysName,
  name: z.string().optional().nullable(),
});

export const RedirectPageSchema = z.looseObject({
  id: z.string().optional(),
  pageSize: z.number().optional(),
  cursor: z.string().min(1).optional().nullable(),
  downloadUrl: z
    .string()
    .refine((u) => downloadUrlProblem(u) === null, 'downloadUrl must be an https URL without credentials'),
});

export const ServiceMappingSchema = z.object({
  services: z.array(
    z.looseObject({
      name: GenesysName,
      entities: z.array(z.looseObject({ name: z.string(), actions: z.array(z.string()).optional() })).optional(),
    }),
  ),
});
export type ServiceMapping = z.infer<typeof ServiceMappingSchema>;
