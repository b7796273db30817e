/**
 * A deterministic synthetic Genesys organisation: its service mapping and its audit events.
 *
 * Events are computed on demand from (seed, day, index) and never materialised as a whole day: the
 * exporter's benchmark pushes a million events through the simulator, so generating one must be a
 * handful of integer hashes and one string concatenation. Within a day, event `i` of `n` falls in the
 * time slot `[i * 24h / n, (i + 1) * 24h / n)`, so events are ascending, event 0 sits exactly on
 * 00:00:00.000Z and the last one on 23:59:59.999Z (the edges where archivers lose data).
 */
import { type Day, dayStartMs } from '../../../../shared/day';

const MS_PER_DAY = 86_400_000;

/** Murmur3's finaliser: a cheap, well-mixed 32-bit hash step. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A deterministic 32-bit hash of up to four integers. */
export function hash4(a: number, b: number, c = 0, d = 0): number {
  let h = fmix((a ^ 0x9e3779b9) >>> 0);
  h = fmix((h ^ Math.imul(b | 0, 0x27d4eb2d)) >>> 0);
  h = fmix((h ^ Math.imul(c | 0, 0x165667b1)) >>> 0);
  return fmix((h ^ Math.imul(d | 0, 0x2545f491)) >>> 0);
}

/** A number in [0, 1) from a hash. */
export function unitFromHash(h: number): number {
  return h / 4_294_967_296;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 8 hex digits of a 32-bit number (table-driven: this runs several times per generated event). */
function hex8(n: number): string {
  return (
    (HEX_BYTE[(n >>> 24) & 255] as string) +
    (HEX_BYTE[(n >>> 16) & 255] as string) +
    (HEX_BYTE[(n >>> 8) & 255] as string) +
    (HEX_BYTE[n & 255] as string)
  );
}

/** A UUID-shaped id from four hashes (version 4 and RFC 4122 variant bits, so it looks real). */
function uuidFrom(h1: number, h2: number, h3: number, h4: number): string {
  const a = hex8(h1);
  const b = hex8(h2);
  const c = hex8(h3);
  const d = hex8(h4);
  const variant = ((parseInt(c[0] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
}

/** A stable id for an entity of the organisation. */
function entityId(seed: number, kind: number, index: number): string {
  return uuidFrom(
    hash4(seed, kind, index, 1),
    hash4(seed, kind, index, 2),
    hash4(seed, kind, index, 3),
    hash4(seed, kind, index, 4),
  );
}

/**
 * The event id of (day, index): UUID-shaped, deterministic, and unique within a seed by construction
 * (the day number and the index are written into it, the rest is hashed so it looks random).
 */
export function eventId(seed: number, dayNumber: number, index: number): string {
  const h1 = hash4(seed, dayNumber, index, 11);
  const h2 = hash4(seed, dayNumber, index, 12);
  const variant = (((h2 >>> 28) & 0x3) | 0x8).toString(16);
  const tail = hex8(index);
  return `${hex8(h1)}-${(dayNumber & 0xffff).toString(16).padStart(4, '0')}-4${hex8(h2).slice(0, 3)}-${variant}${hex8(h2).slice(3, 6)}-${hex8(h2).slice(6, 8)}${hex8(h1).slice(0, 2)}${tail}`;
}

/** Days since 1970-01-01 of a day. */
export function dayNumber(day: Day): number {
  return Math.round(dayStartMs(day) / MS_PER_DAY);
}

/** Event time (ms since the epoch) of event `index` of `count` on the day starting at `dayStart`. */
export function eventTimeMs(seed: number, dayNum: number, dayStart: number, index: number, count: number): number {
  if (index === 0) return dayStart;
  if (count > 1 && index === count - 1) return dayStart + MS_PER_DAY - 1;
  const slotStart = Math.floor((index * MS_PER_DAY) / count);
  const slotEnd = Math.floor(((index + 1) * MS_PER_DAY) / count);
  const width = Math.max(1, slotEnd - slotStart);
  return dayStart + slotStart + (hash4(seed, dayNum, index, 21) % width);
}

/** JSON text of a string (with the quotes), computed once per organisation entity. */
const q = (s: string): string => JSON.stringify(s);

interface NamedEntity {
  readonly id: string;
  readonly name: string;
  /** `{"id":…,"name":…,"selfUri":…}` ready to paste. */
  readonly ref: string;
}

interface EventTemplate {
  readonly serviceName: string;
  readonly entityType: string;
  readonly actions: readonly string[];
  readonly entities: readonly NamedEntity[];
  readonly weight: number;
  /** Builds the `propertyChanges` array (JSON text) for an event; `h` is a per-event hash. */
  readonly propertyChanges: (h: number, entity: NamedEntity) => string;
  readonly system?: boolean;
}

/** What the simulator can filter and split on without building the event text. */
interface EventDescriptor {
  readonly serviceName: string;
  readonly action: string;
  readonly entityType: string;
  readonly userId: string;
  readonly entityId: string;
  readonly clientId: string;
}

const FIRST_NAMES = [
  'Zoë',
  'José',
  'Ørjan',
  'Renée',
  'Amélie',
  'Łukasz',
  'Søren',
  'Chloé',
  'Björn',
  'Noémie',
  'Dmitri',
  'Aoife',
  'Siobhán',
  'Ngozi',
  'Mateo',
  'Priya',
  '美咲',
  'Hiroshi',
  'Ayşe',
  'Mehmet',
  'Fatima',
  'Zoltán',
  'Jürgen',
  'Inés',
];
const LAST_NAMES = [
  'Åkesson',
  'Núñez',
  'Lindqvist',
  "O'Brien",
  'Müller',
  'Kowalski',
  'Ødegaard',
  'Dubois',
  'Ström',
  'Fernández',
  '佐藤',
  'Tanaka',
  'Yılmaz',
  'Øvrebø',
  'Nakamura',
  'Okafor',
  'Ibáñez',
  'Gruß',
];
const QUEUE_NAMES = [
  'Retail Banking – Tier 1',
  'Wealth Desk',
  'Fraud Hotline',
  'Mortgages',
  'Brokerage Support',
  'Cartes & Paiements',
  'Kundenservice DE',
  'Collections',
  'VIP Clients ★',
  'Complaints (FCA)',
  'After-hours Overflow',
  'Trading Desk',
];
const ROLE_NAMES = [
  'Supervisor',
  'Agent',
  'Compliance Officer',
  'Admin',
  'Quality Evaluator',
  'Telephony Admin',
  'Architect Developer',
  'Reporting Analyst',
];
const TRUNK_NAMES = ['SIP Trunk – London', 'SIP Trunk – Frankfurt', 'BYOC Cloud NYC', 'PSTN Failover'];
const FLOW_NAMES = [
  'Main IVR',
  'Card Activation',
  'Fraud Triage',
  'Callback Flow',
  'Après-vente IVR',
  'In-queue Music',
];
const CLIENT_NAMES = ['Audit Archive', 'Salesforce Connector', 'WFM Sync', 'HR Provisioning (SCIM)'];
const ORGANISATION_NAMES = [
  'Example Bank plc',
  'Northwind Savings',
  'Banque Exemple SA',
  'Beispielbank AG',
  'Contoso Trust & Securities',
  'Fabrikam Wealth',
];
const REMOTE_IPS = ['203.0.113.7', '198.51.100.23', '192.0.2.54', '2001:db8::1f', '203.0.113.88', '10.20.30.40'];

function namedEntities(seed: number, kind: number, names: readonly string[], uriBase: string): NamedEntity[] {
  return names.map((name, i) => {
    const id = entityId(seed, kind, i);
    return { id, name, ref: `{"id":"${id}","name":${q(name)},"selfUri":"${uriBase}/${id}"}` };
  });
}

function change(property: string, oldValues: readonly string[], newValues: readonly string[]): string {
  return `{"property":${q(property)},"oldValues":${JSON.stringify(oldValues)},"newValues":${JSON.stringify(newValues)}}`;
}

/** The kinds of entity an event template acts on. */
type EntityKind = 'users' | 'queues' | 'roles' | 'trunks' | 'flows' | 'clients';

/** The organisation's event kinds: services, entity types, actions, how often, and what changes. */
const TEMPLATE_TABLE: ReadonlyArray<Omit<EventTemplate, 'entities'> & { readonly entities: EntityKind }> = [
  {
    serviceName: 'Directory',
    entityType: 'User',
    actions: ['Update', 'Update', 'Create', 'Delete'],
    entities: 'users',
    weight: 18,
    propertyChanges: (h, e) =>
      h % 3 === 0
        ? change('title', ['Agent'], ['Senior Agent'])
        : change('email', [], [`${e.id.slice(0, 8)}@example-bank.com`]),
  },
  {
    serviceName: 'Directory',
    entityType: 'User',
    actions: ['PasswordChange'],
    entities: 'users',
    weight: 4,
    // Genesys never writes a password into the audit trail: the value is redacted.
    propertyChanges: () => change('password', ['[REDACTED]'], ['[REDACTED]']),
  },
  {
    serviceName: 'Routing',
    entityType: 'Queue',
    actions: ['Update', 'MemberAdd', 'MemberRemove', 'Create'],
    entities: 'queues',
    weight: 22,
    propertyChanges: (h, e) =>
      h % 2 === 0
        ? change('name', [e.name], [`${e.name} (new)`])
        : change('acwSettings.timeoutMs', ['30000'], [String(15000 + (h % 4) * 15000)]),
  },
  {
    serviceName: 'Authorization',
    entityType: 'Role',
    actions: ['Update', 'GrantAdd', 'GrantRemove'],
    entities: 'roles',
    weight: 10,
    propertyChanges: (h) => change('permissionPolicies', [], [h % 2 ? 'routing:queue:edit' : 'audits:audit:view']),
  },
  {
    serviceName: 'Telephony',
    entityType: 'Trunk',
    actions: ['Update', 'Create', 'Delete'],
    entities: 'trunks',
    weight: 6,
    propertyChanges: (h) => change('state', ['active'], [h % 2 ? 'inactive' : 'active']),
  },
  {
    serviceName: 'Architect',
    entityType: 'Flow',
    actions: ['Publish', 'CheckIn', 'CheckOut', 'Update', 'Revert'],
    entities: 'flows',
    weight: 16,
    propertyChanges: (h) => (h % 4 === 0 ? change('version', [String(h % 40)], [String((h % 40) + 1)]) : ''),
  },
  {
    serviceName: 'Integrations',
    entityType: 'OAuthClient',
    actions: ['Update', 'Create'],
    entities: 'clients',
    weight: 4,
    propertyChanges: (_h, e) => change('name', [e.name], [e.name]),
  },
  {
    serviceName: 'PeoplePermissions',
    entityType: 'RoleAssignment',
    actions: ['Add', 'Remove'],
    entities: 'roles',
    weight: 12,
    propertyChanges: () => '',
  },
  {
    serviceName: 'Quality',
    entityType: 'Evaluation',
    actions: ['Create', 'Update', 'Delete'],
    entities: 'queues',
    weight: 6,
    propertyChanges: () => '',
    system: true,
  },
  {
    serviceName: 'Outbound',
    entityType: 'Campaign',
    actions: ['Update', 'Start', 'Stop'],
    entities: 'queues',
    weight: 2,
    propertyChanges: (h) => change('campaignStatus', ['off'], [h % 2 ? 'on' : 'off']),
  },
];

/** The organisation's own description (a bank's name picked by the seed). */
function describeOrganisation(s: number, orgId: string): OrganizationDescription {
  const orgName = ORGANISATION_NAMES[hash4(s, 200) % ORGANISATION_NAMES.length] ?? 'Example Bank plc';
  const shortName = `${orgName.toLowerCase().replace(/[^a-z]+/g, '')}-${s}`;
  return {
    id: orgId,
    name: orgName,
    thirdPartyOrgName: shortName,
    domain: shortName,
    version: 1,
    state: 'active',
    selfUri: `/api/v2/organizations/${orgId}`,
  };
}

/** Forty users' names, picked by the seed. */
function userNamesOf(s: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < 40; i++) {
    const f = FIRST_NAMES[hash4(s, 100, i) % FIRST_NAMES.length] ?? 'Alex';
    const l = LAST_NAMES[hash4(s, 101, i) % LAST_NAMES.length] ?? 'Smith';
    names.push(`${f} ${l}`);
  }
  return names;
}

/** Cumulative weights scaled to 2^32, the last exactly 2^32 - 1. */
function cumulativeWeights(templates: readonly EventTemplate[]): Uint32Array {
  const total = templates.reduce((a, t) => a + t.weight, 0);
  const cumulative = new Uint32Array(templates.length);
  let acc = 0;
  templates.forEach((t, i) => {
    acc += t.weight;
    cumulative[i] = i === templates.length - 1 ? 0xffffffff : Math.floor((acc / total) * 0xffffffff);
  });
  return cumulative;
}

/**
 * The mapping lists every service the organisation answers for, including some that stay quiet:
 * per-service mode must query them too and cope with empty results.
 */
function serviceMappingOf(templates: readonly EventTemplate[]): ServiceMapping {
  const byService = new Map<string, Map<string, Set<string>>>();
  for (const t of templates) {
    const entities = byService.get(t.serviceName) ?? new Map<string, Set<string>>();
    const actions = entities.get(t.entityType) ?? new Set<string>();
    t.actions.forEach((a) => actions.add(a));
    entities.set(t.entityType, actions);
    byService.set(t.serviceName, entities);
  }
  byService.set('Webhooks', new Map([['Webhook', new Set(['Create', 'Delete'])]]));
  byService.set('WorkforceManagement', new Map([['ManagementUnit', new Set(['Create', 'Update', 'Delete'])]]));
  return {
    services: [...byService.entries()].map(([name, entities]) => ({
      name,
      entities: [...entities.entries()].map(([en, actions]) => ({ name: en, actions: [...actions] })),
    })),
  };
}

/** The catalogue of services, entity types and actions the organisation answers in `/servicemapping`. */
/** What `GET /api/v2/organizations/me` answers (the SDK's `Organization`, the fields an org always has). */
interface OrganizationDescription {
  readonly id: string;
  readonly name: string;
  /** The org's short name (what people type at login). */
  readonly thirdPartyOrgName: string;
  readonly domain: string;
  /** The SDK's model declares it required. */
  readonly version: number;
  readonly state: 'active';
  readonly selfUri: string;
}

export interface ServiceMapping {
  readonly services: readonly {
    readonly name: string;
    readonly entities: readonly { readonly name: string; readonly actions: readonly string[] }[];
  }[];
}

/**
 * A synthetic organisation: users, queues, roles, trunks, flows and OAuth clients derived from a seed,
 * and the audit events they produce.
 */
export class SyntheticOrganisation {
  readonly seed: number;
  readonly orgId: string;
  readonly organization: OrganizationDescription;
  readonly users: readonly NamedEntity[];
  private readonly templates: readonly EventTemplate[];
  /** Cumulative weights scaled to 2^32 for a single-hash template pick. */
  private readonly cumulative: Uint32Array;
  private readonly clients: readonly NamedEntity[];
  readonly serviceMapping: ServiceMapping;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    const s = this.seed;
    this.orgId = entityId(s, 0, 0);
    this.organization = describeOrganisation(s, this.orgId);
    this.users = namedEntities(s, 1, userNamesOf(s), '/api/v2/users');
    this.clients = namedEntities(s, 6, CLIENT_NAMES, '/api/v2/oauth/clients');
    const entities: Record<EntityKind, readonly NamedEntity[]> = {
      users: this.users,
      queues: namedEntities(s, 2, QUEUE_NAMES, '/api/v2/routing/queues'),
      roles: namedEntities(s, 3, ROLE_NAMES, '/api/v2/authorization/roles'),
      trunks: namedEntities(s, 4, TRUNK_NAMES, '/api/v2/telephony/providers/edges/trunks'),
      flows: namedEntities(s, 5, FLOW_NAMES, '/api/v2/flows'),
      clients: this.clients,
    };
    this.templates = TEMPLATE_TABLE.map((t) => ({ ...t, entities: entities[t.entities] }));
    this.cumulative = cumulativeWeights(this.templates);
    this.serviceMapping = serviceMappingOf(this.templates);
  }

  private template(h: number): EventTemplate {
    const c = this.cumulative;
    for (let i = 0; i < c.length; i++) if (h <= (c[i] as number)) return this.templates[i] as EventTemplate;
    return this.templates[this.templates.length - 1] as EventTemplate;
  }

  /** The fields a query can filter on, without building the event. */
  describe(dayNum: number, index: number): EventDescriptor {
    const h = hash4(this.seed, dayNum, index, 31);
    const t = this.template(h);
    const h2 = hash4(this.seed, dayNum, index, 32);
    const entity = t.entities[h2 % t.entities.length] as NamedEntity;
    const user = t.system ? null : (this.users[(h2 >>> 8) % this.users.length] as NamedEntity);
    const client = h2 % 5 === 0 ? (this.clients[(h2 >>> 4) % this.clients.length] as NamedEntity) : null;
    return {
      serviceName: t.serviceName,
      action: t.actions[(h2 >>> 16) % t.actions.length] as string,
      entityType: t.entityType,
      userId: user?.id ?? '',
      entityId: entity.id,
      clientId: client?.id ?? '',
    };
  }

  /** The service name of an event (cheaper than `describe`, for per-service queries). */
  serviceOf(dayNum: number, index: number): string {
    return this.template(hash4(this.seed, dayNum, index, 31)).serviceName;
  }

  /**
   * The JSON text of one AuditLogMessage, shaped as Genesys writes it (empty values kept), about
   * 700-1000 bytes. `timeField` is `eventTime` for the variant some redirect downloads use.
   */
  eventJson(dayNum: number, index: number, timeMs: number, timeField: 'eventDate' | 'eventTime' = 'eventDate'): string {
    const s = this.seed;
    const h = hash4(s, dayNum, index, 31);
    const t = this.template(h);
    const h2 = hash4(s, dayNum, index, 32);
    const h3 = hash4(s, dayNum, index, 33);
    const entity = t.entities[h2 % t.entities.length] as NamedEntity;
    const user = t.system ? null : (this.users[(h2 >>> 8) % this.users.length] as NamedEntity);
    const client = h2 % 5 === 0 ? (this.clients[(h2 >>> 4) % this.clients.length] as NamedEntity) : null;
    const action = t.actions[(h2 >>> 16) % t.actions.length] as string;
    const iso = new Date(timeMs).toISOString();
    // Genesys writes milliseconds only when there are some: `yyyy-MM-ddTHH:mm:ss[.mmm]Z`.
    const eventDate = timeMs % 1000 === 0 && index % 2 === 1 ? `${iso.slice(0, 19)}Z` : iso;
    const failed = h3 % 53 === 0;
    const txId = uuidFrom(h3, h2, h, hash4(s, dayNum, index, 34));
    const userJson = user ? user.ref : '{"id":""}';
    const clientJson = client ? `{"id":"${client.id}","selfUri":"/api/v2/oauth/clients/${client.id}"}` : '{"id":""}';
    const remoteIp = user ? `[${q(REMOTE_IPS[h3 % REMOTE_IPS.length] as string)}]` : '[]';
    const level = t.system ? 'SYSTEM' : 'USER';
    const message = failed
      ? `{"localizableMessageCode":"AUDIT_FAILURE","message":"The change was rejected.","messageWithParams":"The change to {0} was rejected.","messageParams":{"0":${q(entity.name)}}}`
      : '{"localizableMessageCode":"","message":"","messageWithParams":"","messageParams":{}}';
    const context = client ? `{"oauthClientName":${q(client.name)}}` : '{}';
    return (
      `{"id":"${eventId(s, dayNum, index)}","userHomeOrgId":"${this.orgId}","user":${userJson},"client":${clientJson},` +
      `"remoteIp":${remoteIp},"serviceName":"${t.serviceName}","level":"${level}","${timeField}":"${eventDate}",` +
      `"message":${message},"action":"${action}","entity":${entity.ref},"entityType":"${t.entityType}",` +
      `"status":"${failed ? 'FAILURE' : 'SUCCESS'}","application":"${t.system ? 'Genesys Cloud' : 'Genesys Cloud Admin UI'}",` +
      `"initiatingAction":{"transactionId":"${txId}","actionContext":"${t.serviceName}.${action}"},` +
      `"transactionInitiator":${h3 % 3 === 0},"propertyChanges":[${t.propertyChanges(h3, entity)}],` +
      `"context":${context},"entityChanges":[]}`
    );
  }
}

/**
 * The default volume of a day: a seeded working-week pattern with quiet weekends, a few quiet days
 * (no events at all) and a rare heavy day (ten times the usual), as real organisations show.
 */
export function realisticDayVolume(seed: number, base = 400): (day: Day) => number {
  return (day: Day): number => {
    const n = dayNumber(day);
    const h = hash4(seed, n, 0, 41);
    if (h % 37 === 0) return 0;
    if (h % 151 === 1) return base * 10;
    const weekday = (n + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    const factor = weekday === 0 || weekday === 6 ? 0.2 : 1;
    return Math.round(base * factor * (0.7 + 0.6 * unitFromHash(hash4(seed, n, 0, 42))));
  };
}
