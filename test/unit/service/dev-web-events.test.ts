/**
 * Events pushed from main reach the page over the dev/test transport as server-sent events, under
 * the same guards as every RPC: the token, the exact Host, no foreign Origin.
 */
import { request, type IncomingMessage } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevWebServer, TOKEN_HEADER, type DevWebServer } from '../../../main/devweb/dev-web-server';
import { AppEventHub } from '../../../main/engine/service/app-events';
import { createTestAppService } from './service-fakes';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { SettingsFile } from '../../../main/engine/settings/settings-file';

let dir: string;
let server: DevWebServer;
const hub = new AppEventHub();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aa-devweb-events-'));
  const rendererDir = path.join(dir, 'renderer');
  await mkdir(rendererDir, { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Audit Archive</title>');
  server = await startDevWebServer({
    userDataDir: dir,
    rendererDir,
    log: () => undefined,
    events: hub,
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

function open(headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, method: 'GET', path: '/events', headers }, resolve);
    req.on('error', reject);
    req.end();
  });
}

const host = () => ({ host: `127.0.0.1:${server.port}` });

describe('the event stream of the dev/test transport', () => {
  it.each([
    ['no token', () => ({})],
    ['a wrong token', () => ({ [TOKEN_HEADER]: 'x'.repeat(43) })],
    ['another origin', () => ({ [TOKEN_HEADER]: server.token, origin: 'http://evil.example' })],
  ])('refuses %s', async (what, headers) => {
    const res = await open({ ...host(), ...headers() });
    expect(res.statusCode).toBe(what === 'another origin' ? 403 : 401);
    res.resume();
  });

  it('refuses another host name (DNS rebinding)', async () => {
    const res = await open({ host: `localhost:${server.port}`, [TOKEN_HEADER]: server.token });
    expect(res.statusCode).toBe(421);
    res.resume();
  });

  it('streams every pushed event, in order, as one data line of JSON each', async () => {
    const res = await open({ ...host(), [TOKEN_HEADER]: server.token });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    let text = '';
    const got = new Promise<string>((resolve) => {
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.split('data: ').length > 2) resolve(text);
      });
    });
    // The server subscribes before it writes its first line: events emitted after it are this stream's.
    await new Promise((resolve) => (text ? resolve(text) : res.once('data', resolve)));
    hub.emit('days', { days: [{ day: '2026-11-20', state: 'archived', events: 3 }] });
    hub.emit('sign-in', {
      state: 'signed-out',
      clientId: null,
      authorizeUrl: null,
      organisation: null,
      auditPermission: null,
      expiresAt: null,
      error: null,
    });
    const frames = (await got)
      .split('\n\n')
      .filter((f) => f.startsWith('data: '))
      .map((f) => JSON.parse(f.slice('data: '.length)) as { event: string });
    expect(frames.map((f) => f.event)).toEqual(['days', 'sign-in']);
    expect(frames[0]).toEqual({
      event: 'days',
      payload: { days: [{ day: '2026-11-20', state: 'archived', events: 3 }] },
    });
    res.destroy();
  });
});
