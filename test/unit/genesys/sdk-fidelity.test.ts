/**
 * Fidelity: the official Genesys SDK (purecloud-platform-client-v2), pointed at the simulator with
 * setGateway, logs in, runs an audit query, polls it and pages its results, and every field the
 * simulator sends is one the SDK's models declare. If the simulator drifted from the real API, the
 * SDK would fail here before our client fooled itself against a wrong fake.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayInterval, formatInterval } from '../../../shared/day';
import { type GenesysSimulator, startGenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { DAY, NOW } from './fixtures';

const require = createRequire(import.meta.url);

interface SdkAuditApi {
  getAuditsQueryServicemapping(): Promise<{
    services: { name: string; entities: { name: string; actions: string[] }[] }[];
  }>;
  postAuditsQuery(body: unknown): Promise<Record<string, unknown> & { id: string; state: string }>;
  getAuditsQueryTransactionId(id: string): Promise<Record<string, unknown> & { id: string; state: string }>;
  getAuditsQueryTransactionIdResults(
    id: string,
    opts: { cursor?: string; pageSize?: number },
  ): Promise<{ id: string; pageSize: number; cursor?: string; entities: Record<string, unknown>[] }>;
}
interface Sdk {
  ApiClient: {
    instance: {
      setGateway(g: Record<string, unknown>): void;
      loginClientCredentialsGrant(id: string, secret: string): Promise<{ accessToken: string }>;
    };
  };
  AuditApi: new () => SdkAuditApi;
  OrganizationApi: new () => { getOrganizationsMe(): Promise<Record<string, unknown>> };
}
const sdk = require('purecloud-platform-client-v2') as Sdk;

const models = new Map<string, Set<string>>();
let declarations = '';

/** Field names of a model interface in the SDK's own type declarations. */
function modelFields(model: string): Set<string> {
  const known = models.get(model);
  if (known) return known;
  declarations ||= readFileSync(require.resolve('purecloud-platform-client-v2/index.d.ts'), 'utf8');
  const start = declarations.indexOf(`export interface ${model} {`);
  expect(start, `the SDK declares ${model}`).toBeGreaterThan(0);
  const body = declarations.slice(start, declarations.indexOf('\n\t}', start));
  const fields = new Set([...body.matchAll(/^\t\t"(\w+)"\??:/gm)].map((m) => m[1] as string));
  models.set(model, fields);
  return fields;
}

let sim: GenesysSimulator;
beforeAll(async () => {
  sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 620, runningPolls: 2 });
  const origin = new URL(sim.apiUrl);
  sdk.ApiClient.instance.setGateway({
    host: origin.hostname,
    port: Number(origin.port),
    protocol: 'http',
    path_params_login: new URL(sim.loginUrl).pathname,
  });
});
afterAll(async () => sim.close());

describe('the official Genesys SDK accepts the simulator as Genesys', () => {
  it('logs in, queries, polls and pages a day with the SDK, and every field is one its models declare', async () => {
    const login = await sdk.ApiClient.instance.loginClientCredentialsGrant(sim.clientId, sim.clientSecret);
    expect(login.accessToken).toBeTruthy();
    const api = new sdk.AuditApi();

    const mapping = await api.getAuditsQueryServicemapping();
    expect(mapping.services.length).toBeGreaterThan(5);

    const submitted = await api.postAuditsQuery({
      interval: formatInterval(dayInterval(DAY)),
      sort: [{ name: 'Timestamp', sortOrder: 'ascending' }],
    });
    expect(submitted.state).toBe('Queued');
    let status = submitted;
    const states = [status.state];
    while (status.state === 'Queued' || status.state === 'Running') {
      status = await api.getAuditsQueryTransactionId(submitted.id);
      states.push(status.state);
    }
    expect(states).toEqual(['Queued', 'Running', 'Running', 'Succeeded']);
    const statusFields = modelFields('AuditQueryExecutionStatusResponse');
    expect(Object.keys(status).filter((k) => !statusFields.has(k))).toEqual([]);

    const ids: string[] = [];
    const pageFields = modelFields('AuditQueryExecutionResultsResponse');
    const eventFields = modelFields('AuditLogMessage');
    let cursor: string | undefined;
    do {
      const page = await api.getAuditsQueryTransactionIdResults(submitted.id, {
        pageSize: 500,
        ...(cursor ? { cursor } : {}),
      });
      expect(Object.keys(page).filter((k) => !pageFields.has(k))).toEqual([]);
      for (const e of page.entities) {
        expect(Object.keys(e).filter((k) => !eventFields.has(k))).toEqual([]);
        ids.push(e.id as string);
      }
      cursor = page.cursor;
    } while (cursor);
    expect(ids).toEqual(sim.expectedEventIds(DAY));
  });

  it('nested shapes match the SDK models: user, entity, message, initiating action, property changes', async () => {
    const api = new sdk.AuditApi();
    const q = await api.postAuditsQuery({ interval: formatInterval(dayInterval(DAY)) });
    while ((await api.getAuditsQueryTransactionId(q.id)).state !== 'Succeeded');
    const page = await api.getAuditsQueryTransactionIdResults(q.id, { pageSize: 200 });
    const check = (value: unknown, model: string): void => {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const fields = modelFields(model);
        expect(
          Object.keys(value).filter((k) => !fields.has(k)),
          model,
        ).toEqual([]);
      }
    };
    for (const e of page.entities) {
      check(e.user, 'DomainEntityRef');
      check(e.entity, 'DomainEntityRef');
      check(e.client, 'AddressableEntityRef');
      check(e.message, 'MessageInfo');
      check(e.initiatingAction, 'InitiatingAction');
      for (const c of e.propertyChanges as unknown[]) check(c, 'PropertyChange');
      expect(['USER', 'SYSTEM', 'GENESYS_INTERNAL']).toContain(e.level);
      expect(['SUCCESS', 'FAILURE', 'WARNING']).toContain(e.status);
    }
    expect(page.entities.some((e) => JSON.stringify(e.propertyChanges).includes('"property":"password"'))).toBe(true);
  });

  it('reads the organisation with the SDK, every field one its Organization model declares', async () => {
    const org = await new sdk.OrganizationApi().getOrganizationsMe();
    expect(org.id).toBe(sim.organisation.orgId);
    const fields = modelFields('Organization');
    expect(Object.keys(org).filter((k) => !fields.has(k))).toEqual([]);
  });

  it('the SDK sees the documented error body when the interval is over 31 days', async () => {
    const api = new sdk.AuditApi();
    // The SDK rejects with the error body itself.
    const err = (await api
      .postAuditsQuery({ interval: '2026-09-01T00:00:00.000Z/2026-10-03T00:00:00.000Z' })
      .catch((e: unknown) => e)) as Record<string, unknown>;
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid.date');
    expect(err.message).toContain('does not exceed 31 days');
    const errorFields = modelFields('ErrorBody');
    expect(Object.keys(err).filter((k) => !errorFields.has(k))).toEqual([]);
  });
});
