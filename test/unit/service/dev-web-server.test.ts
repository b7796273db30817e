import { request } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAppService } from './service-fakes';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { SettingsFile } from '../../../main/engine/settings/settings-file';
import { startDevWebServer, TOKEN_HEADER, type DevWebServer } from '../../../main/devweb/dev-web-server';

let dir: string;
let server: DevWebServer;

/** node:http rather than fetch, because fetch will not let a test forge the Host header. */
function send(
  method: string,
  urlPath: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method, path: urlPath, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function rpc(channel: string, body: unknown, headers: Record<string, string> = {}) {
  return send('POST', `/rpc/${channel}`, {
    headers: { 'content-type': 'application/json', [TOKEN_HEADER]: server.token, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aa-devweb-'));
  const rendererDir = path.join(dir, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Audit Archive</title>');
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'outside.json'), '{"private":true}');
  server = await startDevWebServer({
    userDataDir: dir,
    rendererDir,
    log: () => undefined,
    service: createTestAppService({
      settingsFile: new SettingsFile(path.join(dir, 'settings.json')),
      secrets: new MemorySecretStore(),
      transport: 'dev-web',
    }),
  });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the dev/test transport only answers the page it served', () => {
  it('listens on 127.0.0.1 and hands out the token in the URL fragment only', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
    expect(Buffer.from(server.token, 'base64url')).toHaveLength(32);
  });

  it('serves the renderer with the strict CSP header', async () => {
    const page = await send('GET', '/', { headers: { host: `127.0.0.1:${server.port}` } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Audit Archive</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const p of [
      '/../outside.json',
      '/%2e%2e/outside.json',
      '/assets/..%2f..%2foutside.json',
      '/..%5coutside.json',
    ]) {
      const res = await send('GET', p, { headers: { host: `127.0.0.1:${server.port}` } });
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('private');
    }
  });

  it('refuses an RPC without the token, or with a wrong one, with 401', async () => {
    const none = await send('POST', '/rpc/settings:get', {
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });

    const wrong = await rpc(
      'settings:get',
      {},
      { [TOKEN_HEADER]: server.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) },
    );
    expect(wrong.status).toBe(401);
  });

  it('refuses another host name (DNS rebinding) and another origin (a web page)', async () => {
    const rebound = await rpc('settings:get', {}, { host: `attacker.example:${server.port}` });
    expect(rebound.status).toBe(421);
    const page = await send('GET', '/', { headers: { host: `localhost:${server.port}` } });
    expect(page.status).toBe(421);

    const foreign = await rpc('settings:get', {}, { origin: 'https://attacker.example' });
    expect(foreign.status).toBe(403);
  });

  it('refuses a body that is not JSON, too large, or sent as a form', async () => {
    expect((await rpc('settings:get', '{not json')).status).toBe(400);
    expect((await rpc('settings:get', { pad: 'x'.repeat(1024 * 1024 + 10) })).status).toBe(413);
    expect((await rpc('settings:get', {}, { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('answers a valid request with the service Result and refuses a malformed one naming the field', async () => {
    const saved = await rpc('settings:save', { settings: { archive: { retentionDays: 3000 } } });
    expect(saved.status).toBe(200);
    expect(JSON.parse(saved.body)).toMatchObject({
      ok: true,
      value: { settings: { archive: { retentionDays: 3000 } } },
    });
    const before = await readFile(path.join(dir, 'settings.json'), 'utf8');

    const refused = await rpc('settings:save', { settings: { archive: { retentionDays: -5 } } });
    expect(JSON.parse(refused.body)).toEqual({
      ok: false,
      error: {
        code: 'INVALID_REQUEST',
        message: expect.stringMatching(/^request\.settings\.archive\.retentionDays: /),
        issues: [{ path: ['settings', 'archive', 'retentionDays'], message: expect.any(String) }],
      },
    });
    expect(await readFile(path.join(dir, 'settings.json'), 'utf8')).toBe(before);

    const unknown = await rpc('shell:exec', { command: 'id' });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });
});
