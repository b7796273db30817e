/**
 * The audit API's endpoints: the organisation and the service mapping, submitting a query, polling
 * its status, paging its results (some pages as a 302 to a presigned-style download URL) and the
 * download URL itself. Queries take their visibility snapshot when submitted, as a real index would.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import * as z from 'zod';
import { type Day, addDays, dayFromMs, dayStartMs, firstRecoverableDay } from '../../../../shared/day';
import { EVENT_DATE_RE } from '../../../../shared/audit-event';
import { MS_PER_DAY } from './day-events';
import { HttpFault, readBody, send } from './http';
import { buildPage, decodeCursor, encodeCursor } from './pages';
import { type AuditQuery, type CursorState, type SimulatorState } from './state';

const MAX_INTERVAL_DAYS = 31;
const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 25;
/** Lifetime of a download URL (X-Amz-Expires). */
const DOWNLOAD_LIFETIME_MS = 15 * 60_000;

const QueryRequestSchema = z.object({
  interval: z.string(),
  serviceName: z.string().optional(),
  filters: z
    .array(
      z.object({
        property: z.enum(['UserId', 'TrusteeOrganizationId', 'ClientId', 'Action', 'EntityType', 'EntityId']),
        value: z.string(),
      }),
    )
    .optional(),
  sort: z
    .array(z.object({ name: z.literal('Timestamp'), sortOrder: z.enum(['ascending', 'descending']).optional() }))
    .optional(),
});
type QueryRequest = z.infer<typeof QueryRequestSchema>;

/** `GET /api/v2/organizations/me` (the caller is authorised already). */
export function handleOrganization(s: Pick<SimulatorState, 'opts' | 'org'>, res: ServerResponse): void {
  if (s.opts.organizationRefused) {
    throw new HttpFault(
      403,
      'missing.permissions',
      "Unable to perform the requested action. The OAuth client's roles do not allow reading the organization.",
    );
  }
  send(res, 200, JSON.stringify(s.org.organization));
}

/** Only the audit endpoints need audits:audit:view. */
export function requireAuditPermission(s: Pick<SimulatorState, 'opts'>): void {
  if (s.opts.missingPermission) {
    throw new HttpFault(
      403,
      'missing.permissions',
      'Unable to perform the requested action. You are missing the following permission(s): [audits:audit:view]',
    );
  }
}

/** `POST /api/v2/audits/query`: checks the request as Genesys does, then queues the query. */
export async function handleQuery(s: SimulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readQueryRequest(req);
  const { startMs, endMs } = parseInterval(body.interval);
  const spanDays = (endMs - startMs) / MS_PER_DAY;
  s.stats.maxIntervalDays = Math.max(s.stats.maxIntervalDays, spanDays);
  if (spanDays > MAX_INTERVAL_DAYS) {
    throw new HttpFault(
      400,
      'invalid.date',
      'You must specify a search interval as part of your query that does not exceed 31 days',
    );
  }
  if (s.opts.requireServiceName && !body.serviceName)
    throw new HttpFault(400, 'invalid.value', 'serviceName is required.');
  if (body.serviceName && !s.org.serviceMapping.services.some((x) => x.name === body.serviceName)) {
    throw new HttpFault(400, 'invalid.value', `Unknown serviceName ${body.serviceName}.`);
  }
  const q = newQuery(s, body, startMs, endMs);
  s.queries.set(q.id, q);
  s.stats.queries++;
  send(res, 202, statusBody(q));
}

async function readQueryRequest(req: IncomingMessage): Promise<QueryRequest> {
  try {
    return QueryRequestSchema.parse(JSON.parse(await readBody(req)));
  } catch {
    throw new HttpFault(400, 'invalid.value', 'The request body is not a valid AuditQueryRequest.');
  }
}

function parseIso(s: string): number {
  if (!EVENT_DATE_RE.test(s)) return NaN;
  return Date.parse(s);
}

function parseInterval(interval: string): { startMs: number; endMs: number } {
  const [a, b, extra] = interval.split('/');
  const startMs = parseIso(a ?? '');
  const endMs = parseIso(b ?? '');
  if (extra !== undefined || Number.isNaN(startMs) || Number.isNaN(endMs) || endMs <= startMs) {
    throw new HttpFault(
      400,
      'invalid.date',
      'The interval must be two ISO-8601 instants, start/end, with start before end.',
    );
  }
  return { startMs, endMs };
}

function newQuery(s: SimulatorState, body: QueryRequest, startMs: number, endMs: number): AuditQuery {
  const { opts } = s;
  const firstDay = dayFromMs(startMs);
  const days = Math.round((dayStartMs(dayFromMs(endMs - 1)) - dayStartMs(firstDay)) / MS_PER_DAY) + 1;
  const outcome = drawOutcome(s, firstDay, days);
  const now = opts.now();
  return {
    id: randomUUID(),
    startMs,
    endMs,
    firstDay,
    days,
    serviceName: body.serviceName,
    filters: body.filters ?? [],
    sort: body.sort,
    interval: body.interval,
    startDate: new Date().toISOString(),
    outcome,
    visibleUntilMs: now - opts.settlementLagMinutes * 60_000,
    retainedFromMs: dayStartMs(firstRecoverableDay(now, opts.retentionDays)),
    pollsLeft: opts.runningPolls,
    state: 'Queued',
  };
}

/** How the query will end: Failed for a failing day or `failNextQueries`, then Cancelled for `cancelNextQueries`. */
function drawOutcome(s: Pick<SimulatorState, 'opts'>, firstDay: Day, days: number): AuditQuery['outcome'] {
  const { opts } = s;
  let outcome: AuditQuery['outcome'] = 'Succeeded';
  for (let d = 0; d < days; d++) if (opts.failQueryForDays.includes(addDays(firstDay, d))) outcome = 'Failed';
  if (opts.failNextQueries > 0) {
    opts.failNextQueries--;
    outcome = 'Failed';
  } else if (opts.cancelNextQueries > 0) {
    opts.cancelNextQueries--;
    outcome = 'Cancelled';
  }
  return outcome;
}

function statusBody(q: AuditQuery): string {
  return JSON.stringify({
    id: q.id,
    state: q.state,
    startDate: q.startDate,
    interval: q.interval,
    ...(q.serviceName ? { serviceName: q.serviceName } : {}),
    filters: q.filters,
    sort: q.sort ?? [],
  });
}

function queryOf(s: Pick<SimulatorState, 'queries'>, id: string): AuditQuery {
  const q = s.queries.get(id);
  if (!q) throw new HttpFault(404, 'not.found', `No audit query ${id}.`);
  return q;
}

/** `GET /api/v2/audits/query/{id}`: Running for `runningPolls` polls, then the drawn outcome. */
export function handleStatus(s: Pick<SimulatorState, 'queries'>, id: string, res: ServerResponse): void {
  const q = queryOf(s, id);
  if (q.state === 'Queued' || q.state === 'Running') {
    if (q.pollsLeft > 0) {
      q.pollsLeft--;
      q.state = 'Running';
    } else {
      q.state = q.outcome;
    }
  }
  send(res, q.state === 'Running' ? 202 : 200, statusBody(q));
}

/** `GET /api/v2/audits/query/{id}/results`: a page of events, or (every Nth page) a 302 to a download URL. */
export function handleResults(s: SimulatorState, id: string, url: URL, res: ServerResponse): void {
  const q = queryOf(s, id);
  if (q.state !== 'Succeeded')
    throw new HttpFault(
      400,
      'bad.request',
      `The audit query is ${q.state}; results are available once it has Succeeded.`,
    );
  const sizeParam = url.searchParams.get('pageSize');
  const pageSize = sizeParam === null ? DEFAULT_PAGE_SIZE : Number(sizeParam);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new HttpFault(400, 'invalid.value', `pageSize must be between 1 and ${MAX_PAGE_SIZE}.`);
  }
  const cursor = decodeCursor(q, url.searchParams.get('cursor'));
  const allowRedirect = url.searchParams.get('allowRedirect') === 'true';
  s.stats.pages++;
  const nth = s.opts.redirectEveryNthPage;
  if (allowRedirect && nth > 0 && cursor.n % nth === 0) return redirectToDownload(s, q, cursor, pageSize, res);
  const { events, next } = buildPage(s, q, cursor, pageSize, 'eventDate', true);
  const head = `{"id":"${q.id}","pageSize":${pageSize},${next ? `"cursor":"${encodeCursor(q, next)}",` : ''}"entities":[`;
  send(res, 200, `${head}${events.join(',')}]}`);
}

/** The page is prepared now (as Genesys writes it to S3); the download URL is presigned-style. */
function redirectToDownload(
  s: SimulatorState,
  q: AuditQuery,
  cursor: CursorState,
  pageSize: number,
  res: ServerResponse,
): void {
  const { next } = buildPage(s, q, cursor, pageSize, 'eventDate', false);
  const key = randomBytes(16).toString('hex');
  const now = s.opts.clock.now();
  // Forget expired download pages so a long demo or benchmark does not grow without bound.
  if (s.downloads.size > 1000) for (const [k, d] of s.downloads) if (d.expiresAt < now) s.downloads.delete(k);
  s.downloads.set(key, { query: q, from: cursor, pageSize, expiresAt: s.opts.clock.now() + DOWNLOAD_LIFETIME_MS });
  const signature = createHash('sha256').update(key).digest('hex');
  const downloadUrl = `${s.origin}/download/audits/${key}.json?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=${signature}`;
  s.stats.redirects++;
  const body = JSON.stringify({
    id: q.id,
    pageSize,
    ...(next ? { cursor: encodeCursor(q, next) } : {}),
    downloadUrl,
  });
  send(res, 302, body, { location: downloadUrl });
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** `GET /download/audits/{key}.json`: the prepared page as a JSON array, unless expired or sent with auth. */
export function handleDownload(s: SimulatorState, req: IncomingMessage, key: string, res: ServerResponse): void {
  s.stats.downloads++;
  if (req.headers.authorization) {
    // S3 refuses a presigned URL that also carries an Authorization header.
    s.stats.downloadsWithAuth++;
    s3Error(res, 400, 'InvalidArgument', 'Only one auth mechanism allowed');
    return;
  }
  const d = s.downloads.get(key);
  const forcedExpiry = s.opts.expireNextDownloads > 0;
  if (forcedExpiry) s.opts.expireNextDownloads--;
  if (!d || d.expiresAt < s.opts.clock.now() || forcedExpiry) {
    s3Error(res, 403, 'AccessDenied', 'Request has expired');
    return;
  }
  const timeField = s.opts.downloadUsesEventTime ? 'eventTime' : 'eventDate';
  const { events } = buildPage(s, d.query, d.from, d.pageSize, timeField, true);
  send(res, 200, `[${events.join(',')}]`);
}
