/**
 * Which organisation the events came from: the client asks Genesys (`organizations/me`), and when a
 * role may not ask, it still says what it knows (API host, region, client id) and why no more.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dayInterval } from '../../../shared/day';
import { SourceIdentitySchema } from '../../../shared/source-identity';
import { ClientCredentialsAuth, GenesysAuditClient, RateBudget } from '../../../main/engine/genesys';
import { type GenesysSimulator, startGenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { DAY, NOW, clientFor, collect } from './fixtures';

let sim: GenesysSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('the simulator answers organizations/me', () => {
  it('with the organisation its events belong to, the same for the same seed', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, seed: 4, eventsPerDay: 3 });
    const { client, auth } = clientFor(sim);
    const res = await fetch(`${sim.apiUrl}/api/v2/organizations/me`, {
      headers: { authorization: `Bearer ${await auth.getToken()}` },
    });
    const org = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(org).sort()).toEqual([
      'domain',
      'id',
      'name',
      'selfUri',
      'state',
      'thirdPartyOrgName',
      'version',
    ]);
    expect(org).toMatchObject({
      id: sim.organisation.orgId,
      state: 'active',
      selfUri: `/api/v2/organizations/${sim.organisation.orgId}`,
    });
    const events = await collect(client.queryInterval(dayInterval(DAY)).events);
    expect(events.every((e) => (JSON.parse(e.json) as { userHomeOrgId: string }).userHomeOrgId === org.id)).toBe(true);

    const again = await startGenesysSimulator({ now: () => NOW, seed: 4 });
    const other = await startGenesysSimulator({ now: () => NOW, seed: 5 });
    expect(again.organisation.organization).toEqual(org);
    expect(other.organisation.organization.id).not.toBe(org.id);
    await Promise.all([again.close(), other.close()]);
  });

  it('without a token it answers 401, like every API call', async () => {
    sim = await startGenesysSimulator({ now: () => NOW });
    expect((await fetch(`${sim.apiUrl}/api/v2/organizations/me`)).status).toBe(401);
  });
});

describe('identify()', () => {
  it('names the organisation, the API host and the client id, and asks Genesys only once', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, seed: 9 });
    const { client } = clientFor(sim);
    const identity = await client.identify();
    expect(SourceIdentitySchema.parse(identity)).toEqual({
      organisationId: sim.organisation.orgId,
      organisationName: sim.organisation.organization.name,
      apiHost: new URL(sim.apiUrl).host,
      regionHost: null,
      clientId: sim.clientId,
      note: null,
    });
    expect(await client.identify()).toBe(identity);
    expect(sim.stats.byEndpoint.organization).toBe(1);
  });

  it('gives the region of a regional API host (api.<region>)', async () => {
    sim = await startGenesysSimulator({ now: () => NOW });
    const simulator = sim;
    // The client believes it talks to api.mypurecloud.ie; the requests go to the simulator.
    const client = new GenesysAuditClient({
      apiUrl: 'https://api.mypurecloud.ie',
      loginUrl: 'https://login.mypurecloud.ie',
      auth: new ClientCredentialsAuth({
        loginUrl: simulator.loginUrl,
        clientId: simulator.clientId,
        clientSecret: simulator.clientSecret,
      }),
      budget: new RateBudget({ requestsPerMinute: 600 }),
      fetch: (input, init) => fetch(String(input).replace('https://api.mypurecloud.ie', simulator.apiUrl), init),
    });
    expect(await client.identify()).toMatchObject({
      apiHost: 'api.mypurecloud.ie',
      regionHost: 'mypurecloud.ie',
      organisationId: simulator.organisation.orgId,
    });
  });

  it('a role refused organizations/me still gets an identity, by API host and client id, with a note saying so', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, organizationRefused: true, eventsPerDay: 4 });
    const { client } = clientFor(sim);
    expect(await client.identify()).toEqual({
      organisationId: null,
      organisationName: null,
      apiHost: new URL(sim.apiUrl).host,
      regionHost: null,
      clientId: sim.clientId,
      note: 'organizations/me was refused (403 missing.permissions): the organisation is identified by API host and client id',
    });
    // The audit calls themselves are not affected.
    expect(await collect(client.queryInterval(dayInterval(DAY)).events)).toHaveLength(4);
  });

  it('wrong credentials fail as GENESYS_AUTH_FAILED, an outage as GENESYS_UNAVAILABLE, and neither is remembered', async () => {
    sim = await startGenesysSimulator({ now: () => NOW });
    const bad = new GenesysAuditClient({
      apiUrl: sim.apiUrl,
      loginUrl: sim.loginUrl,
      auth: new ClientCredentialsAuth({
        loginUrl: sim.loginUrl,
        clientId: sim.clientId,
        clientSecret: 'wrong-secret',
        retryBaseMs: 1,
      }),
      budget: new RateBudget({ requestsPerMinute: 600 }),
    });
    await expect(bad.identify()).rejects.toMatchObject({ code: 'GENESYS_AUTH_FAILED' });

    sim.setOptions({ failureRates: { http429: 0, http5xx: 1, dropConnection: 0 } });
    const { client } = clientFor(sim, { maxRetries: 1 });
    await expect(client.identify()).rejects.toMatchObject({ code: 'GENESYS_UNAVAILABLE' });
    sim.setOptions({ failureRates: { http429: 0, http5xx: 0, dropConnection: 0 } });
    expect((await client.identify()).organisationId).toBe(sim.organisation.orgId);
  });
});
