/**
 * GenesysAuditClient: the audit events of an interval, streamed from the Genesys Audit API.
 *
 * The lifecycle is the one the API documents: POST a query (closed-open UTC interval, ascending
 * Timestamp sort), poll its status until Succeeded, then page `/results` 500 at a time with the
 * cursor until none comes back, following 302 download pages without the auth header. Intervals
 * over 31 days are split (the API refuses them; an integration that let its checkpoint drift past
 * the cap silently skipped data). Events come out one at a time through an async iterator, so memory
 * holds one page at most whatever the day's size; each event is kept as the text Genesys sent
 * (event-text.ts), never re-serialised. A query Genesys ends `Failed` is submitted again (a new
 * transaction) a bounded number of times before the interval fails; no page of a failed query is
 * ever read, so a resubmission cannot duplicate events.
 */
import { AuditArchiveError } from '../../../shared/errors';
import { checkedEventDate, eventCoreProblem, type AuditEventRecord } from '../../../shared/audit-event';
import { type UtcInterval, formatInterval } from '../../../shared/day';
import { GENESYS_HOSTS } from '../../../shared/genesys-regions';
import { type Settings } from '../../../shared/settings';
import { type SourceIdentity } from '../../../shared/source-identity';
import { type AuditEventSource, type AuditQueryProgress, type AuditQueryRun, type QueryAttempt } from './audit-source';
import { ClientCredentialsAuth, type TokenProvider } from './auth';
import { assertGenesysBaseUrl, resolveGenesysEndpoints } from './endpoints';
import { type ElementText, PageSyntaxError, scanDownloadPage, scanResultsPage } from './event-text';
import { type RateBudget, sharedRateBudget } from './rate-budget';
import {
  DEFAULT_RETRY_POLICY,
  type FetchFn,
  GenesysTransport,
  type GenesysReply,
  backoffMs,
  parseErrorBody,
} from './transport';
import { fromFetch, nodeHttpSend } from './http-send';
import { SYSTEM_CLOCK, type WireClock } from './wire-clock';
import { safeRemoteText } from './remote-text';
import {
  OrganizationSchema,
  QueryStatusSchema,
  RedirectPageSchema,
  ResultsPageSchema,
  type ServiceMapping,
  ServiceMappingSchema,
} from './wire';

/** The API refuses a query spanning more than 31 days. */
export const MAX_QUERY_SPAN_MS = 31 * 86_400_000;
export const MAX_PAGE_SIZE = 500;
/** Queries per interval (and service) when Genesys ends them `Failed`: the first and two resubmissions. */
export const DEFAULT_QUERY_ATTEMPTS = 3;
/** First wait before resubmitting a failed query; doubles each time, with jitter. */
export const DEFAULT_QUERY_RETRY_DELAY_MS = 5_000;

export interface GenesysAuditClientOptions {
  readonly apiUrl: string;
  readonly loginUrl: string;
  readonly auth: TokenProvider;
  readonly budget: RateBudget;
  /**
   * One query per service name from `/servicemapping` (orgs that still require `serviceName`). Events
   * of a service the mapping does not list are not fetched, so prefer one query when the org allows.
   */
  readonly perServiceQueries?: boolean;
  /** Results per page, 1..500 (default 500: fewest requests). */
  readonly pageSize?: number;
  /** Give up on a query that has not finished after this long (default 15 minutes). */
  readonly pollTimeoutMs?: number;
  /** First wait before polling a query's status, then x1.5 up to `pollMaxMs` (defaults 500 / 5000). */
  readonly pollInitialMs?: number;
  readonly pollMaxMs?: number;
  /** Retries per request for 429/408/5xx/dropped connections (default 8). */
  readonly maxRetries?: number;
  /** First backoff step when no Retry-After is given (default 500 ms; doubles, with jitter). */
  readonly retryBaseMs?: number;
  /** Send API requests through this fetch instead of node:http (to watch or proxy them). */
  readonly fetch?: FetchFn;
  /**
   * Queries submitted for one interval (and service) while Genesys ends them `Failed`, 1..10
   * (default 3). A `Cancelled` query is never resubmitted.
   */
  readonly queryAttempts?: number;
  /** First wait before a resubmission (default 5000 ms; doubles each time, with jitter). */
  readonly queryRetryDelayMs?: number;
  /** The OAuth client id, for the source identity (default: the token provider's, if it has one). */
  readonly clientId?: string;
  /** What retries, backoff and polling wait by (tests: the simulator's virtual clock). Default: the wall clock. */
  readonly clock?: WireClock;
}

/** Split a closed-open interval into consecutive pieces of at most 31 days. */
export function splitInterval(interval: UtcInterval): UtcInterval[] {
  const start = Date.parse(interval.start);
  const end = Date.parse(interval.end);
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
    throw new AuditArchiveError(
      'INVALID_ARGUMENT',
      `The interval ${interval.start}/${interval.end} is not a valid closed-open UTC interval (start before end).`,
    );
  }
  const pieces: UtcInterval[] = [];
  for (let s = start; s < end; s += MAX_QUERY_SPAN_MS) {
    const e = Math.min(end, s + MAX_QUERY_SPAN_MS);
    pieces.push({ start: new Date(s).toISOString(), end: new Date(e).toISOString() });
  }
  return pieces;
}

function notJson(what: string, status: number, detail?: string): AuditArchiveError {
  return new AuditArchiveError(
    'GENESYS_BAD_RESPONSE',
    `Genesys answered ${what} with something that is not JSON (HTTP ${status}${detail ? `; ${detail}` : ''}). Check that the API URL points at Genesys.`,
  );
}

function parseJson(reply: GenesysReply, what: string): unknown {
  try {
    return JSON.parse(reply.text);
  } catch {
    throw notJson(what, reply.status);
  }
}

/**
 * Where JSON.parse stopped, as a character offset, when V8 says (it does not always). Its message is
 * never shown: it quotes the input.
 */
function jsonErrorPosition(e: unknown): number | null {
  const m = e instanceof Error ? /position (\d+)/.exec(e.message) : null;
  return m?.[1] ? Number(m[1]) : null;
}

/** A results or download page, scanned for its events' texts; any syntax problem names its position. */
function scanPage(
  reply: GenesysReply,
  what: string,
  scan: typeof scanResultsPage,
): { elements: ElementText[]; envelope: unknown } {
  let elements: ElementText[];
  let envelope: string;
  try {
    ({ elements, envelope } = scan(reply.body));
  } catch (e) {
    if (e instanceof PageSyntaxError) throw notJson(what, reply.status, e.message);
    throw e;
  } finally {
    // Every event is now a string of its own: the page's buffer serves the next page.
    reply.release();
  }
  try {
    return { elements, envelope: JSON.parse(envelope) };
  } catch (e) {
    const at = jsonErrorPosition(e);
    throw notJson(what, reply.status, at === null ? 'outside its events' : `near character ${at} outside its events`);
  }
}

function badShape(what: string, detail: string): AuditArchiveError {
  return new AuditArchiveError(
    'GENESYS_BAD_RESPONSE',
    `Genesys answered ${what} in an unexpected shape (${detail}). Nothing was archived from it; report it if it persists.`,
  );
}

export class GenesysAuditClient implements AuditEventSource {
  readonly apiUrl: string;
  readonly loginUrl: string;
  readonly perServiceQueries: boolean;
  private readonly o: GenesysAuditClientOptions;
  private readonly pageSize: number;
  private readonly queryAttempts: number;
  private mapping: Promise<ServiceMapping> | null = null;
  private identity: Promise<SourceIdentity> | null = null;

  constructor(options: GenesysAuditClientOptions) {
    // The last guard: whatever path a URL took here, no token goes out in clear or to user:pass@.
    assertGenesysBaseUrl(options.apiUrl, 'The Genesys API URL');
    assertGenesysBaseUrl(options.loginUrl, 'The Genesys login URL');
    this.o = options;
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.loginUrl = options.loginUrl.replace(/\/+$/, '');
    this.perServiceQueries = options.perServiceQueries ?? false;
    this.pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > MAX_PAGE_SIZE) {
      throw new AuditArchiveError('INVALID_ARGUMENT', `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
    }
    this.queryAttempts = options.queryAttempts ?? DEFAULT_QUERY_ATTEMPTS;
    if (!Number.isInteger(this.queryAttempts) || this.queryAttempts < 1 || this.queryAttempts > 10) {
      throw new AuditArchiveError('INVALID_ARGUMENT', 'queryAttempts must be an integer from 1 to 10.');
    }
    const delay = options.queryRetryDelayMs ?? DEFAULT_QUERY_RETRY_DELAY_MS;
    if (!Number.isFinite(delay) || delay < 0) {
      throw new AuditArchiveError('INVALID_ARGUMENT', 'queryRetryDelayMs must be a number of milliseconds, 0 or more.');
    }
  }

  /**
   * A client for the configured organisation: endpoints from settings and environment, a
   * client-credentials login (or the given token provider, e.g. a PKCE sign-in), and the process-wide
   * rate budget.
   */
  static forSettings(
    settings: Settings,
    secret: string | TokenProvider,
    env: NodeJS.ProcessEnv = process.env,
    extra: Partial<GenesysAuditClientOptions> = {},
  ): GenesysAuditClient {
    const { apiUrl, loginUrl } = resolveGenesysEndpoints(settings.genesys, env);
    const auth =
      typeof secret === 'string'
        ? new ClientCredentialsAuth({
            loginUrl,
            clientId: settings.genesys.clientId,
            clientSecret: secret,
            fetch: extra.fetch,
          })
        : secret;
    return new GenesysAuditClient({
      apiUrl,
      loginUrl,
      auth,
      budget: sharedRateBudget(settings.genesys.requestsPerMinute),
      perServiceQueries: settings.genesys.perServiceQueries,
      pollInitialMs: settings.genesys.statusPollMs,
      ...(settings.genesys.clientId ? { clientId: settings.genesys.clientId } : {}),
      ...extra,
    });
  }

  private get clock(): WireClock {
    return this.o.clock ?? SYSTEM_CLOCK;
  }

  private transport(): GenesysTransport {
    return new GenesysTransport({
      auth: this.o.auth,
      budget: this.o.budget,
      send: this.o.fetch ? fromFetch(this.o.fetch) : nodeHttpSend,
      ...(this.o.clock ? { clock: this.o.clock } : {}),
      retry: {
        ...DEFAULT_RETRY_POLICY,
        maxRetries: this.o.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
        retryBaseMs: this.o.retryBaseMs ?? DEFAULT_RETRY_POLICY.retryBaseMs,
      },
    });
  }

  /** The organisation's services, entity types and actions (loaded once, then cached). */
  serviceMapping(options: { signal?: AbortSignal } = {}): Promise<ServiceMapping> {
    this.mapping ??= this.loadServiceMapping(this.transport(), options.signal).catch((e: unknown) => {
      this.mapping = null;
      throw e;
    });
    return this.mapping;
  }

  private async loadServiceMapping(t: GenesysTransport, signal?: AbortSignal): Promise<ServiceMapping> {
    const what = 'the service mapping request';
    const reply = await t.send({
      method: 'GET',
      url: `${this.apiUrl}/api/v2/audits/query/servicemapping`,
      signal,
      what,
    });
    const parsed = ServiceMappingSchema.safeParse(parseJson(reply, what));
    if (!parsed.success) throw badShape(what, parsed.error.issues[0]?.message ?? 'invalid');
    return parsed.data;
  }

  /**
   * Which organisation the token belongs to (`GET /api/v2/organizations/me`), with the API host,
   * region and client id; asked once, then cached. A role refused that call (403) still gets an
   * identity, by API host and client id, with a note saying so; 401 and outages fail as usual.
   */
  identify(options: { signal?: AbortSignal } = {}): Promise<SourceIdentity> {
    this.identity ??= this.loadIdentity(this.transport(), options.signal).catch((e: unknown) => {
      this.identity = null;
      throw e;
    });
    return this.identity;
  }

  private async loadIdentity(t: GenesysTransport, signal?: AbortSignal): Promise<SourceIdentity> {
    const what = 'the organisation request (organizations/me)';
    const reply = await t.send({
      method: 'GET',
      url: `${this.apiUrl}/api/v2/organizations/me`,
      signal,
      what,
      passThrough: [403],
    });
    const host = new URL(this.apiUrl).host;
    const region = host.startsWith('api.') ? host.slice(4) : '';
    const clientId = this.o.clientId || this.o.auth.clientId || null;
    const known = {
      apiHost: host,
      regionHost: (GENESYS_HOSTS as readonly string[]).includes(region) ? region : null,
      clientId,
    };
    if (reply.status === 403) {
      const body = parseErrorBody(reply.text);
      return {
        organisationId: null,
        organisationName: null,
        ...known,
        note: `organizations/me was refused (403${body.code ? ` ${body.code}` : ''}): the organisation is identified by API host and client id`,
      };
    }
    if (reply.status !== 200) throw badShape(what, `HTTP ${reply.status}`);
    const parsed = OrganizationSchema.safeParse(parseJson(reply, what));
    if (!parsed.success)
      throw badShape(what, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const name = parsed.data.name ? safeRemoteText(parsed.data.name, 200) : '';
    return { organisationId: parsed.data.id, organisationName: name || null, ...known, note: null };
  }

  queryInterval(interval: UtcInterval, options: { signal?: AbortSignal } = {}): AuditQueryRun {
    const pieces = splitInterval(interval);
    const queries: QueryAttempt[] = [];
    const transactionIds: string[] = [];
    const t = this.transport();
    const counts = { pages: 0, events: 0 };
    const progress: AuditQueryProgress = {
      get requests() {
        return t.counters.requests;
      },
      get retries() {
        return t.counters.retries;
      },
      get pages() {
        return counts.pages;
      },
      get events() {
        return counts.events;
      },
    };
    const events = this.stream(t, pieces, { queries, transactionIds }, counts, options.signal);
    return { events, transactionIds, queries, progress };
  }

  private async *stream(
    t: GenesysTransport,
    pieces: readonly UtcInterval[],
    made: { queries: QueryAttempt[]; transactionIds: string[] },
    counts: { pages: number; events: number },
    signal?: AbortSignal,
  ): AsyncGenerator<AuditEventRecord> {
    let services: (string | undefined)[] = [undefined];
    if (this.perServiceQueries) {
      const mapping = await this.serviceMapping({ signal });
      services = mapping.services.map((s) => s.name);
    }
    for (const piece of pieces) {
      for (const serviceName of services) {
        const id = await this.succeededQuery(t, piece, serviceName, made, signal);
        // Pages arrive asynchronously, events are handed out synchronously from each page: one
        // async hop per page rather than per event keeps the client far from being the bottleneck.
        for await (const page of this.pages(t, id, signal)) {
          counts.pages++;
          for (let k = 0; k < page.elements.length; k++) {
            // A stopped export stops at once, not at the end of the page already in memory.
            signal?.throwIfAborted();
            const record = toRecord(page.elements[k] as ElementText, {
              query: id,
              page: page.number,
              position: k + 1,
              overall: counts.events + 1,
            });
            counts.events++;
            yield record;
          }
        }
      }
    }
  }

  /**
   * Submit the query until Genesys ends one `Succeeded`, resubmitting (a new transaction, after a
   * backoff) while it ends `Failed`; every query made is recorded in `made`. Returns the transaction
   * id whose results to read. No page of a failed query is read, so nothing is delivered twice.
   */
  private async succeededQuery(
    t: GenesysTransport,
    interval: UtcInterval,
    serviceName: string | undefined,
    made: { queries: QueryAttempt[]; transactionIds: string[] },
    signal?: AbortSignal,
  ): Promise<string> {
    const what = `the audit query for ${formatInterval(interval)}${serviceName ? ` (${serviceName})` : ''}`;
    const ids: string[] = [];
    const base = this.o.queryRetryDelayMs ?? DEFAULT_QUERY_RETRY_DELAY_MS;
    for (let attempt = 1; ; attempt++) {
      const status = await this.submit(t, interval, serviceName, what, signal);
      ids.push(status.id);
      made.transactionIds.push(status.id);
      made.queries.push({
        transactionId: status.id,
        interval: formatInterval(interval),
        serviceName: serviceName ?? null,
        state: status.state,
      });
      if (status.state === 'Succeeded') return status.id;
      const transactions = `transaction${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`;
      if (status.state === 'Cancelled') {
        throw new AuditArchiveError(
          'GENESYS_QUERY_FAILED',
          `${what} was Cancelled in Genesys (${transactions}); a cancelled query is not resubmitted. Nothing was archived for it; retry the day when nobody is cancelling audit queries.`,
        );
      }
      if (attempt >= this.queryAttempts) {
        throw new AuditArchiveError(
          'GENESYS_QUERY_FAILED',
          `${what} ended Failed in Genesys ${ids.length === 1 ? 'once' : `${ids.length} times`} (${transactions}). Nothing was archived for it; retry the day later, and report the transaction ids to Genesys if it keeps failing.`,
        );
      }
      await this.clock.sleep(
        backoffMs({ maxRetries: this.queryAttempts, retryBaseMs: base, maxBackoffMs: base * 8 }, attempt - 1),
        signal,
      );
    }
  }

  /** POST the query and poll it to a final state; returns its transaction id and that state. */
  private async submit(
    t: GenesysTransport,
    interval: UtcInterval,
    serviceName: string | undefined,
    what: string,
    signal?: AbortSignal,
  ): Promise<{ id: string; state: 'Succeeded' | 'Failed' | 'Cancelled' }> {
    const body = JSON.stringify({
      interval: formatInterval(interval),
      ...(serviceName ? { serviceName } : {}),
      sort: [{ name: 'Timestamp', sortOrder: 'ascending' }],
    });
    const reply = await t.send({
      method: 'POST',
      url: `${this.apiUrl}/api/v2/audits/query`,
      body,
      signal,
      what,
      refusedCode: 'GENESYS_QUERY_FAILED',
      refusedHint: serviceName
        ? 'Check the interval and the service name.'
        : 'If Genesys says serviceName is required, turn on per-service queries in the Genesys settings.',
    });
    let status = this.parseStatus(reply, what);
    const deadline = this.clock.now() + (this.o.pollTimeoutMs ?? 15 * 60_000);
    let delay = this.o.pollInitialMs ?? 500;
    while (status.state === 'Queued' || status.state === 'Running') {
      if (this.clock.now() + delay > deadline) {
        throw new AuditArchiveError(
          'GENESYS_QUERY_FAILED',
          `${what} (transaction ${status.id}) was still ${status.state} after ${Math.round((this.o.pollTimeoutMs ?? 900_000) / 1000)} s. Genesys may be busy; retry later.`,
        );
      }
      await this.clock.sleep(delay, signal);
      delay = Math.min(delay * 1.5, this.o.pollMaxMs ?? 5_000);
      const pollWhat = `the status of ${what}`;
      status = this.parseStatus(
        await t.send({
          method: 'GET',
          url: `${this.apiUrl}/api/v2/audits/query/${encodeURIComponent(status.id)}`,
          signal,
          what: pollWhat,
        }),
        pollWhat,
      );
    }
    return { id: status.id, state: status.state };
  }

  private parseStatus(
    reply: GenesysReply,
    what: string,
  ): { id: string; state: 'Queued' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled' } {
    if (reply.status !== 200 && reply.status !== 202) throw badShape(what, `HTTP ${reply.status}`);
    const parsed = QueryStatusSchema.safeParse(parseJson(reply, what));
    if (!parsed.success)
      throw badShape(what, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return parsed.data;
  }

  /**
   * Every page of a finished query, as the texts of the events Genesys sent. The next page is requested as
   * soon as its cursor is known, while the caller works through the current one: the network wait
   * overlaps the exporter's compression and hashing instead of adding to it (two pages in memory at
   * most).
   */
  private async *pages(
    t: GenesysTransport,
    id: string,
    signal?: AbortSignal,
  ): AsyncGenerator<{ number: number; elements: readonly ElementText[] }> {
    const seen = new Set<string>();
    let number = 1;
    let pending: Promise<{ elements: ElementText[]; next: string | undefined }> | null = this.fetchPage(
      t,
      id,
      number,
      undefined,
      signal,
    );
    try {
      while (pending) {
        const page = await pending;
        pending = null;
        if (page.next && seen.has(page.next))
          throw badShape(
            `results page ${number} of audit query ${id}`,
            'a cursor came back twice, which would loop forever',
          );
        if (page.next) {
          seen.add(page.next);
          pending = this.fetchPage(t, id, number + 1, page.next, signal);
          // Its failure is reported when it is awaited, not as an unhandled rejection meanwhile.
          pending.catch(() => undefined);
        }
        yield { number, elements: page.elements };
        number++;
      }
    } finally {
      // A caller that stops early leaves at most one request in flight; its answer is dropped.
      pending?.catch(() => undefined);
    }
  }

  /** One results page (following a 302 to its download); the raw reply is not kept alive. */
  private async fetchPage(
    t: GenesysTransport,
    id: string,
    number: number,
    cursor: string | undefined,
    signal?: AbortSignal,
    renewedDownload = false,
  ): Promise<{ elements: ElementText[]; next: string | undefined }> {
    const what = `results page ${number} of audit query ${id}`;
    const url = `${this.apiUrl}/api/v2/audits/query/${encodeURIComponent(id)}/results?pageSize=${this.pageSize}&allowRedirect=true${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const reply = await t.send({ method: 'GET', url, signal, what, pageBody: true });
    if (reply.status === 200) {
      const { elements, envelope } = scanPage(reply, what, scanResultsPage);
      const parsed = ResultsPageSchema.safeParse(envelope);
      if (!parsed.success) throw badShape(what, parsed.error.issues[0]?.message ?? 'invalid');
      return { elements, next: parsed.data.cursor ?? undefined };
    }
    if (reply.status === 302 || reply.status === 303 || reply.status === 307) {
      // The 302's JSON body carries the next cursor; following Location blindly would lose it.
      const redirect = parseJson(reply, what);
      reply.release();
      const parsed = RedirectPageSchema.safeParse(redirect);
      if (!parsed.success) throw badShape(what, parsed.error.issues[0]?.message ?? 'invalid');
      const elements = await this.download(t, parsed.data.downloadUrl, what, signal);
      // A presigned URL that expired before we used it: ask for the same page again, once, for a fresh one.
      if (elements === null && !renewedDownload) return this.fetchPage(t, id, number, cursor, signal, true);
      if (elements === null)
        throw badShape(`the download of ${what}`, 'the download URL was refused twice (expired or invalid)');
      return { elements, next: parsed.data.cursor ?? undefined };
    }
    reply.release();
    throw badShape(what, `HTTP ${reply.status}`);
  }

  /**
   * GET a presigned download page: no Authorization header (S3 refuses two auth mechanisms).
   * Null when the URL is refused as expired or unknown (403/404).
   */
  private async download(
    t: GenesysTransport,
    downloadUrl: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<ElementText[] | null> {
    const dlWhat = `the download of ${what}`;
    const reply = await t.send({
      method: 'GET',
      url: downloadUrl,
      signal,
      anonymous: true,
      what: dlWhat,
      passThrough: [403, 404],
      pageBody: true,
    });
    if (reply.status === 403 || reply.status === 404) {
      reply.release();
      return null;
    }
    if (reply.status !== 200) {
      reply.release();
      throw badShape(dlWhat, `HTTP ${reply.status}`);
    }
    return scanPage(reply, dlWhat, scanDownloadPage).elements;
  }
}

/**
 * Check the fields we rely on and wrap the event's own text. JSON.parse here is validation only: the
 * archive stores `element.json`, never a re-serialisation.
 */
function toRecord(
  element: ElementText,
  at: { query: string; page: number; position: number; overall: number },
): AuditEventRecord {
  const malformed = (why: string): AuditArchiveError =>
    new AuditArchiveError(
      'GENESYS_BAD_RESPONSE',
      `Event ${at.overall} (page ${at.page}, position ${at.position} of audit query ${at.query}) is malformed: ${why}. The export of this interval stops here rather than skip it silently; report it to Genesys with the query id.`,
    );
  let event: unknown;
  try {
    event = JSON.parse(element.source);
  } catch (e) {
    const offset = jsonErrorPosition(e);
    throw malformed(
      `it is not valid JSON (${offset === null ? '' : `character ${offset} of the event, `}which starts at byte ${element.position} of the page)`,
    );
  }
  const eventDate = checkedEventDate(event);
  if (eventDate === null) throw malformed(eventCoreProblem(event));
  return { id: (event as { id: string }).id, eventTimeMs: Date.parse(eventDate), eventDate, json: element.json };
}
