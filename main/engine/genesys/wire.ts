/**
 * Zod schemas of what Genesys sends back: the only shapes the client trusts.
 *
 * Envelopes are checked strictly enough to page safely; events are checked only for the fields the
 * archive relies on and otherwise kept exactly as received.
 */
import { z } from 'zod';
import { EVENT_DATE_RE } from '../../../shared/audit-event';

export const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
});

export const ErrorBodySchema = z
  .looseObject({
    message: z.string().optional(),
    code: z.string().optional(),
    status: z.number().optional(),
    contextId: z.string().optional(),
    error: z.string().optional(),
    description: z.string().optional(),
  })
  .catch({});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const QUERY_STATES = ['Queued', 'Running', 'Succeeded', 'Failed', 'Cancelled'] as const;

export const QueryStatusSchema = z.looseObject({
  id: z.string().min(1),
  state: z.enum(QUERY_STATES),
});

export const ResultsPageSchema = z.looseObject({
  id: z.string().optional(),
  pageSize: z.number().optional(),
  cursor: z.string().min(1).optional().nullable(),
  entities: z.array(z.unknown()).optional().default([]),
});

export const RedirectPageSchema = z.looseObject({
  id: z.string().optional(),
  pageSize: z.number().optional(),
  cursor: z.string().min(1).optional().nullable(),
  downloadUrl: z.url({ protocol: /^https?$/ }),
});

export const DownloadedPageSchema = z.array(z.unknown());

export const ServiceMappingSchema = z.object({
  services: z.array(
    z.looseObject({
      name: z.string().min(1),
      entities: z.array(z.looseObject({ name: z.string(), actions: z.array(z.string()).optional() })).optional(),
    }),
  ),
});
export type ServiceMapping = z.infer<typeof ServiceMappingSchema>;

/**
 * The fields of an event the archive relies on. Redirect downloads sometimes name the time
 * `eventTime` (an integration reads that); it is accepted for the time only, the event is kept as is.
 */
export const EventCoreSchema = z
  .object({
    id: z.string().min(1, 'id is empty'),
    eventDate: z.string().regex(EVENT_DATE_RE, 'eventDate must be an ISO-8601 UTC instant').optional(),
    eventTime: z.string().regex(EVENT_DATE_RE, 'eventTime must be an ISO-8601 UTC instant').optional(),
  })
  .refine((e) => e.eventDate !== undefined || e.eventTime !== undefined, 'eventDate is missing');
