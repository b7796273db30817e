/**
 * Which Genesys organisation an export's events came from, as the client could establish it.
 *
 * `GET /api/v2/organizations/me` names the organisation the token belongs to. A role may be refused
 * it (403): then the API host and the OAuth client id are all there is, and `note` says so.
 */
import * as z from 'zod';

export const SourceIdentitySchema = z.object({
  /** Genesys organisation id (organizations/me `id`); null when that call was refused. */
  organisationId: z.string().min(1).nullable(),
  /** Its display name (organizations/me `name`), for people; null when refused. */
  organisationName: z.string().nullable(),
  /** Host (and port, if any) of the API base URL, e.g. `api.mypurecloud.ie`. Never credentials. */
  apiHost: z.string().min(1),
  /** Region host, e.g. `mypurecloud.ie`, when the API host is `api.<region>` of a known region; else null. */
  regionHost: z.string().min(1).nullable(),
  /** The OAuth client id used (not a secret); null when unknown. */
  clientId: z.string().min(1).nullable(),
  /** Why the organisation is not named, or anything else a reader must know; null when nothing. */
  note: z.string().nullable(),
});
export type SourceIdentity = z.infer<typeof SourceIdentitySchema>;
