/**
 * The live checks of setup and Settings through the contract, against the Genesys simulator and
 * real folders: Test connection (login, organisation, audits:audit:view), "Sign in as myself"
 * (PKCE through a loopback redirect), the archive target, and the signing key. S3 buckets are
 * checked against Ceph RGW in test/integration/ui/s3-setup.test.ts.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent, Channel } from '../../../shared/ipc/contract';
import { SettingsSchema, type Settings } from '../../../shared/settings';
import type { ConnectionCheck, SignInState, StorageCheck } from '../../../shared/setup-checks';
import { generateSigningKey, signingKeyToPem } from '../../../main/engine/archive/signing';
import { signingKeyAccount } from '../../../main/engine/archive/signing-keys';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { MemorySecretStore } from '../../../main/engine/secrets/memory-secret-store';
import { SECRET_ACCOUNTS } from '../../../main/engine/secrets/secret-store';
import { openAppRuntime, type AppRuntime } from '../../../main/engine/service/app-runtime';
import { dispatch } from '../../../main/engine/service/dispatch';

let userDataDir: string;
let sim: GenesysSimulator;
let secrets: MemorySecretStore;
let runtime: AppRuntime;
let events: AppEvent[];

beforeEach(async () => {
  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'aa-setup-'));
  sim = await startGenesysSimulator({ runningPolls: 0 });
  secrets = new MemorySecretStore();
  runtime = openAppRuntime({ userDataDir, transport: 'dev-web', appVersion: 'test', secrets, env: {} });
  events = [];
  runtime.events.subscribe((e) => events.push(e));
});

afterEach(async () => {
  await runtime.close();
  await sim.close();
  await rm(userDataDir, { recursive: true, force: true });
});

async function call(channel: Channel, request: unknown) {
  return dispatch(runtime.service, channel, request);
}

async function value<T>(channel: Channel, request: unknown): Promise<T> {
  const r = await call(channel, request);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** The simulator as a real organisation: its URLs override the region, as a private gateway would. */
function genesys(patch: Partial<Settings['genesys']> = {}): Settings['genesys'] {
  return SettingsSchema.parse({
    genesys: {
      clientId: sim.clientId,
      apiUrl: sim.apiUrl,
      loginUrl: sim.loginUrl,
      statusPollMs: 20,
      signInRedirectPort: 0,
      ...patch,
    },
  }).genesys;
}

describe('Test connection', () => {
  it('proves login, names the organisation and confirms audits:audit:view', async () => {
    await secrets.set(SECRET_ACCOUNTS.genesysClientSecret(sim.clientId), sim.clientSecret);
    const check = await value<ConnectionCheck>('genesys:test-connection', { genesys: genesys() });
    expect(check).toMatchObject({
      ok: true,
      organisation: { id: sim.organisation.orgId, name: sim.organisation.organization.name },
      missingPermission: null,
    });
    expect(check.steps.map((s) => [s.step, s.ok])).toEqual([
      ['login', true],
      ['organisation', true],
      ['permission', true],
    ]);
  });

  it('names the missing permission when the client may not read audits', async () => {
    sim.setOptions({ missingPermission: true });
    await secrets.set(SECRET_ACCOUNTS.genesysClientSecret(sim.clientId), sim.clientSecret);
    const check = await value<ConnectionCheck>('genesys:test-connection', { genesys: genesys() });
    expect(check.ok).toBe(false);
    expect(check.missingPermission).toBe('audits:audit:view');
    expect(check.steps.at(-1)).toEqual({
      step: 'permission',
      ok: false,
      detail: expect.stringContaining(
        'missing the permission audits:audit:view (Admin > Roles: Audits > Audit > View)',
      ),
    });
  });

  it('a wrong secret fails the login step, saying what to check, and never echoes the secret', async () => {
    await secrets.set(SECRET_ACCOUNTS.genesysClientSecret(sim.clientId), 'not-the-secret-123');
    const check = await value<ConnectionCheck>('genesys:test-connection', { genesys: genesys() });
    expect(check.ok).toBe(false);
    expect(check.steps).toEqual([
      { step: 'login', ok: false, detail: expect.stringContaining('Check the OAuth client id and secret') },
    ]);
    expect(JSON.stringify(check)).not.toContain('not-the-secret-123');
  });

  it('without a stored secret says to store it first', async () => {
    const check = await value<ConnectionCheck>('genesys:test-connection', { genesys: genesys() });
    expect(check.steps).toEqual([
      { step: 'login', ok: false, detail: expect.stringContaining('No client secret is stored') },
    ]);
  });
});

describe('Sign in as myself (PKCE)', () => {
  it('completes through the loopback redirect, reports the organisation and the permission, and the test then uses it', async () => {
    const waiting = await value<SignInState>('genesys:sign-in', { genesys: genesys({ authMode: 'pkce' }) });
    expect(waiting).toMatchObject({ state: 'waiting', clientId: sim.clientId });
    const authorize = new URL(waiting.authorizeUrl ?? '');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);

    // The "system browser": follows Genesys's redirect back to the app's loopback listener.
    const page = await fetch(authorize);
    expect(await page.text()).toContain('Signed in');
    await expect.poll(() => events.filter((e) => e.event === 'sign-in').length).toBeGreaterThanOrEqual(2);
    const signedIn = events.filter((e) => e.event === 'sign-in').pop()!.payload as SignInState;
    expect(signedIn).toMatchObject({
      state: 'signed-in',
      organisation: { id: sim.organisation.orgId },
      auditPermission: true,
      expiresAt: expect.any(String),
    });
    expect(await value('genesys:sign-in-state', {})).toEqual(signedIn);

    const check = await value<ConnectionCheck>('genesys:test-connection', { genesys: genesys({ authMode: 'pkce' }) });
    expect(check).toMatchObject({ ok: true, steps: [{ step: 'login', detail: 'Signed in as yourself.' }, {}, {}] });

    expect(await value('genesys:sign-out', {})).toMatchObject({ state: 'signed-out' });
  });

  it('is refused without a client id, naming the field', async () => {
    const r = await call('genesys:sign-in', { genesys: genesys({ authMode: 'pkce', clientId: '' }) });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST', issues: [{ path: ['genesys', 'clientId'] }] },
    });
  });
});

describe('the archive target', () => {
  const archive = (target: string) => SettingsSchema.parse({ archive: { target } }).archive;

  it('a local folder can hold the archive, and is flagged as not WORM', async () => {
    const folder = path.join(userDataDir, 'archive-here');
    const check = await value<StorageCheck>('storage:check', { archive: archive(pathToFileURL(folder).href) });
    expect(check).toMatchObject({ kind: 'local', verdict: 'ready', ok: true, worm: false, canInit: false });
    expect(check.reason).toContain('A local folder is not WORM storage');
  });

  it('a folder that cannot be made (a file is in the way) is refused with the reason', async () => {
    const file = path.join(userDataDir, 'a-file');
    await writeFile(file, 'not a folder');
    const check = await value<StorageCheck>('storage:check', {
      archive: archive(pathToFileURL(path.join(file, 'archive')).href),
    });
    expect(check).toMatchObject({
      verdict: 'not-writable',
      ok: false,
      reason: expect.stringContaining('is a file, not a folder'),
    });
  });

  it('a malformed target is refused before anything is touched', async () => {
    const r = await call('storage:check', { archive: { target: 'ftp://example.com/x' } });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST', issues: [{ path: ['archive', 'target'] }] },
    });
  });

  it('"Create bucket" in COMPLIANCE mode is refused until the officer confirms it, and nothing is created', async () => {
    const r = await call('storage:init-bucket', {
      archive: {
        target: 's3://new-audit-archive/genesys',
        lockMode: 'COMPLIANCE',
        s3: { endpoint: 'http://127.0.0.1:9' },
      },
      confirmCompliance: false,
    });
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_REQUEST',
        message: expect.stringContaining('cannot be shortened or removed by anyone'),
        issues: [{ path: ['confirmCompliance'] }],
      },
    });
  });
});

describe('the signing key', () => {
  const archive = () =>
    SettingsSchema.parse({ archive: { target: pathToFileURL(path.join(userDataDir, 'a')).href } }).archive;

  it('is created straight into the keychain; only its fingerprint comes back', async () => {
    const { fingerprint } = await value<{ fingerprint: string }>('signing-key:create', {});
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const pem = await secrets.get(signingKeyAccount(fingerprint));
    // What the keychain holds is the Ed25519 private key itself (PKCS#8 PEM), usable as it is.
    const key = createPrivateKey(pem as string);
    expect([key.type, key.asymmetricKeyType]).toEqual(['private', 'ed25519']);
    const status = await value('signing-key:status', { archive: { ...archive(), signingKeyFingerprint: fingerprint } });
    expect(status).toEqual({ recorded: { fingerprint, held: true }, archive: null, keptIn: 'the OS keychain' });
    expect(JSON.stringify(status)).not.toContain('PRIVATE');
  });

  it('imports a key exported elsewhere, and refuses text that is not one, naming the field', async () => {
    const key = generateSigningKey();
    expect(await value('signing-key:import', { pem: signingKeyToPem(key) })).toEqual({ fingerprint: key.fingerprint });
    expect(await secrets.get(signingKeyAccount(key.fingerprint))).toBe(signingKeyToPem(key));
    const r = await call('signing-key:import', { pem: 'not a key' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', issues: [{ path: ['pem'] }] } });
  });
});
