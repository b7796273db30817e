/**
 * The starter library: what examiners ask most, as SQL a person can read, copy and change. Each one
 * returns one event per row (the same columns as the structured form) in time order.
 *
 * Genesys's catalogue is open (56 services, 260+ entity types), so each starter names the services,
 * entity types and actions that answer its question and matches them without case; the demo
 * organisation (main/engine/genesys/simulator/organisation.ts) has events for every one.
 */
import { EVENT_ROW_ORDER, EVENT_ROW_SELECT } from './compile-query';
import { SavedQuerySchema, type SavedQuery, type SavedQueryInput } from './saved-query';

/** All property changes of an event as lower-case text, for "mentions X" conditions. */
const CHANGES_TEXT = `lower(json_format(CAST("propertychanges" AS JSON)))`;

const sql = (where: string) => `${EVENT_ROW_SELECT}\nWHERE ${where}\n${EVENT_ROW_ORDER}`;

const STARTERS: SavedQueryInput[] = [
  {
    id: 'changes-to-one-queue',
    name: 'Changes to one queue',
    description:
      'Every change to one routing queue (settings, members, name), found by its id or its name at the time.',
    query: {
      kind: 'sql',
      sql: sql(
        `lower("entitytype") = 'queue'\n  AND ("entity"."id" = :queue OR lower("entity"."name") = lower(:queue))`,
      ),
    },
    parameters: [{ name: 'queue', type: 'string', label: 'Queue name or id' }],
  },
  {
    id: 'permission-and-role-grants',
    name: 'Every permission or role grant',
    description:
      'Roles changed, permissions granted to or removed from a role, and roles assigned to or removed from people.',
    query: {
      kind: 'sql',
      sql: sql(
        `lower("entitytype") IN ('role', 'roleassignment', 'grant', 'permissionpolicy')\n` +
          `   OR strpos(lower("action"), 'grant') > 0\n` +
          `   OR strpos(${CHANGES_TEXT}, 'permission') > 0`,
      ),
    },
    parameters: [],
  },
  {
    id: 'deletions',
    name: 'Deletions',
    description: 'Everything deleted, of any kind (users, trunks, evaluations, …).',
    query: { kind: 'sql', sql: sql(`strpos(lower("action"), 'delete') > 0`) },
    parameters: [],
  },
  {
    id: 'password-and-credential-changes',
    name: 'Password and credential changes',
    description: 'Password changes (Genesys records them redacted) and changes to OAuth clients and other credentials.',
    query: {
      kind: 'sql',
      sql: sql(
        `strpos(lower("action"), 'password') > 0\n` +
          `   OR lower("entitytype") IN ('oauthclient', 'credential', 'apikey')\n` +
          `   OR strpos(${CHANGES_TEXT}, 'password') > 0`,
      ),
    },
    parameters: [],
  },
  {
    id: 'logins-and-authorisation-changes',
    name: 'Logins and authorisation changes',
    description:
      'Logins and logouts, changes to roles and permissions (Authorization), role assignments (PeoplePermissions) and OAuth clients.',
    query: {
      kind: 'sql',
      sql: sql(
        `strpos(lower("action"), 'login') > 0\n` +
          `   OR strpos(lower("action"), 'logout') > 0\n` +
          `   OR lower("servicename") IN ('authorization', 'peoplepermissions')\n` +
          `   OR lower("entitytype") = 'oauthclient'`,
      ),
    },
    parameters: [],
  },
  {
    id: 'everything-one-user-did',
    name: 'Everything one user did',
    description: 'Every event one person initiated, found by their user id or their name at the time.',
    query: { kind: 'sql', sql: sql(`"user"."id" = :user OR lower("user"."name") = lower(:user)`) },
    parameters: [{ name: 'user', type: 'string', label: 'User name or id' }],
  },
  {
    id: 'trunks-and-routing-changes',
    name: 'Changes to trunks and routing',
    description: 'Telephony (trunks, edges), routing (queues) and Architect call flows.',
    query: {
      kind: 'sql',
      sql: sql(
        `lower("servicename") IN ('telephony', 'routing', 'architect')\n` +
          `   OR lower("entitytype") IN ('trunk', 'trunkbase', 'edge', 'queue', 'flow')`,
      ),
    },
    parameters: [],
  },
];

/** The starter library, validated like any saved query. */
export const STARTER_QUERIES: readonly SavedQuery[] = STARTERS.map((s) => SavedQuerySchema.parse(s));

export function isStarterId(id: string): boolean {
  return STARTER_QUERIES.some((q) => q.id === id);
}
