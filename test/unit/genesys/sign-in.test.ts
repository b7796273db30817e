/**
 * Logging in: client credentials for the unattended exporter, PKCE for an officer signing in as
 * themself, both against the simulator's real OAuth endpoints.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dayInterval } from '../../../shared/day';
import { codeChallenge, GenesysAuditClient, RateBudget, startPkceSignIn } from '../../../main/engine/genesys';
import { type GenesysSimulator, startGenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { DAY, NOW, collect } from './fixtures';

let sim: GenesysSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('an officer signs in as themself with PKCE', () => {
  it('the browser round trip ends with a token that exports a day', async () => {
    sim = await startGenesysSimulator({ now: () => NOW, eventsPerDay: 40 });
    let browserSaw = '';
    const signIn = await startPkceSignIn({
      loginUrl: sim.loginUrl,
      clientId: sim.clientId,
      openBrowser: async (url) => {
        // The "browser": follows Genesys's redirect back to the app's loopback listener.
        const page = await fetch(url);
        browserSaw = await page.text();
      },
    });
    const auth = await signIn.result;
    const url = new URL(signIn.authorizeUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')).toBe('audits:readonly');
    expect(signIn.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    await expect.poll(() => browserSaw).toContain('Signed in');

    const client = new GenesysAuditClient({
      apiUrl: sim.apiUrl,
      loginUrl: sim.loginUrl,
      auth,
      budget: new RateBudget({ requestsPerMinute: 600 }),
      pollInitialMs: 5,
    });
    const ids = (await collect(client.queryInterval(dayInterval(DAY)).events)).map((r) => r.id);
    expect(ids).toEqual(sim.expectedEventIds(DAY));
  });

  it('each sign-in uses a fresh state and an S256 challenge the login server can verify', async () => {
    sim = await startGenesysSimulator({ now: () => NOW });
    const urls: URL[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await startPkceSignIn({
        loginUrl: sim.loginUrl,
        clientId: sim.clientId,
        openBrowser: async (u) => void (await fetch(u)),
      });
      await s.result;
      urls.push(new URL(s.authorizeUrl));
    }
    expect(urls[0]?.searchParams.get('state')).not.toBe(urls[1]?.searchParams.get('state'));
    expect(urls[0]?.searchParams.get('code_challenge')).not.toBe(urls[1]?.searchParams.get('code_challenge'));
    expect(codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    ); // RFC 7636 appendix B
  });

  it("a redirect carrying someone else's state is refused and the real one still completes", async () => {
    sim = await startGenesysSimulator({ now: () => NOW });
    let forged = 0;
    const signIn = await startPkceSignIn({
      loginUrl: sim.loginUrl,
      clientId: sim.clientId,
      openBrowser: async (url) => {
        const redirect = new URL(url).searchParams.get('redirect_uri') ?? '';
        forged = (await fetch(`${redirect}?code=stolen&state=forged`)).status;
        await fetch(url);
      },
    });
    await expect(signIn.result).resolves.toBeDefined();
    expect(forged).toBe(400);
  });

  it('a refused sign-in ends in GENESYS_AUTH_FAILED', async () => {
    sim = await startGenesysSimulator({ now: () => NOW });
    const signIn = await startPkceSignIn({
      loginUrl: sim.loginUrl,
      clientId: 'an-unknown-client',
      openBrowser: async (url) => {
        // Genesys shows its error page and never redirects; the user gives up and cancels.
        const res = await fetch(url);
        expect(res.status).toBe(400);
        signIn.cancel();
      },
    });
    await expect(signIn.result).rejects.toMatchObject({ code: 'GENESYS_AUTH_FAILED' });
  });
});
