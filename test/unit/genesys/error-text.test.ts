/**
 * What Genesys writes in an error body ends up in our messages (terminal, journal, the window). A
 * hostile or broken answer must not be able to recolour or clear a terminal, forge a line, reorder
 * text, or flood a log: its text is stripped of control characters and bounded first.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dayInterval } from '../../../shared/day';
import { ClientCredentialsAuth, GenesysAuditClient, RateBudget, safeRemoteText } from '../../../main/engine/genesys';
import { type GenesysSimulator, startGenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { DAY, NOW, collect } from './fixtures';

/** Anything a terminal, a log line or a bidi renderer would act on. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const HOSTILE = {
  message: `\u001b[31mQuery refused\u001b[0m\nFAKE: all days archived\r\n\u001b]0;owned\u0007\u009b2J${'A'.repeat(10_000)}\u202eemit\u2066`,
  code: 'bad.request\u0007\u001b[2K',
  status: 400,
  contextId: 'ctx-1\nInjected-Line: yes',
  details: [],
  errors: [],
};

let sim: GenesysSimulator | undefined;
let hostile: ReturnType<typeof createServer> | undefined;
afterEach(async () => {
  await sim?.close();
  hostile?.close();
  sim = undefined;
  hostile = undefined;
});

/** A server on 127.0.0.1 that answers every request with `status` and the hostile body. */
async function hostileServer(status: number, body: object = HOSTILE): Promise<string> {
  hostile = createServer((_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => hostile?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
}

function expectSafe(message: string): void {
  expect(message).not.toMatch(UNSAFE);
  expect(message).not.toContain('[31m');
  expect(message).not.toContain('owned');
  expect(message.length).toBeLessThan(1200);
}

describe('text from a Genesys error body', () => {
  it('a refused audit query: ANSI escapes, newlines and 10 kB of text become one short, plain line', async () => {
    sim = await startGenesysSimulator({ now: () => NOW });
    const client = new GenesysAuditClient({
      apiUrl: await hostileServer(400),
      loginUrl: sim.loginUrl,
      auth: new ClientCredentialsAuth({
        loginUrl: sim.loginUrl,
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
      }),
      budget: new RateBudget({ requestsPerMinute: 600 }),
    });
    const err = (await collect(client.queryInterval(dayInterval(DAY)).events).catch((e: unknown) => e)) as Error & {
      code: string;
    };
    expect(err.code).toBe('GENESYS_QUERY_FAILED');
    expectSafe(err.message);
    expect(err.message).toContain('HTTP 400 bad.request: Query refused FAKE: all days archived AAAA');
    expect(err.message).toContain('…');
    expect(err.message).toContain('(contextId ctx-1 Injected-Line: yes)');
  });

  it('a refused login says so in plain text too', async () => {
    const loginUrl = await hostileServer(401, {
      error: 'invalid_client\u001b[1m',
      description: `client\nnot found ${'B'.repeat(10_000)}`,
    });
    const auth = new ClientCredentialsAuth({ loginUrl, clientId: 'id', clientSecret: 'secret' });
    const err = (await auth.getToken().catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('GENESYS_AUTH_FAILED');
    expectSafe(err.message);
    expect(err.message).toContain('HTTP 401 invalid_client: client not found BBB');
  });

  it('an outage that never ends reports the last answer safely', async () => {
    sim = await startGenesysSimulator({ now: () => NOW });
    const client = new GenesysAuditClient({
      apiUrl: await hostileServer(503),
      loginUrl: sim.loginUrl,
      auth: new ClientCredentialsAuth({
        loginUrl: sim.loginUrl,
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
      }),
      budget: new RateBudget({ requestsPerMinute: 6000 }),
      maxRetries: 1,
      retryBaseMs: 1,
    });
    const err = (await client.serviceMapping().catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('GENESYS_UNAVAILABLE');
    expectSafe(err.message);
  });
});

describe('safeRemoteText', () => {
  it('removes escape sequences whole, turns other controls into a space, and keeps text readable', () => {
    expect(safeRemoteText('\u001b[1;31mred\u001b[0m and \u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\ done')).toBe(
      'red and link done',
    );
    expect(safeRemoteText('a\tb\r\nc\u0000d\u007fe\u0085f')).toBe('a b c d e f');
    expect(safeRemoteText('abc\u202edcba\u2066x\u2069 y\u2028z')).toBe('abc dcba x y z');
    expect(safeRemoteText('Renée 😀 日本')).toBe('Renée 😀 日本');
  });

  it('bounds the length, without splitting a surrogate pair', () => {
    expect(safeRemoteText('x'.repeat(10_000))).toHaveLength(300);
    expect(safeRemoteText('x'.repeat(10_000), 20)).toBe(`${'x'.repeat(19)}…`);
    const cut = safeRemoteText(`${'x'.repeat(18)}😀😀😀`, 20);
    expect(cut).toBe(`${'x'.repeat(18)}…`);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});
