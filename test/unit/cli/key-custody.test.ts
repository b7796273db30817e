/**
 * Where the CLI keeps the archive's private signing key, as someone holding the state folder would
 * test it: the key is never written there, a key file others can read or that sits inside the state
 * folder is refused, a key an earlier version left there is never used (`key migrate` moves it), and
 * the officer's key commands (show, rotate, replace-lost) on a machine without a keychain. The OS
 * keychain path runs against a real Secret Service in test/integration/secrets/cli-keychain.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { verify as verifySignature, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay } from '../../../shared/day';
import { ArchiveManifestSchema } from '../../../shared/manifest';
import { openArchiveSession } from '../../../main/engine/archive/archive-session';
import { canonicalJsonBytes, signingKeyFromPem } from '../../../main/engine/archive/signing';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { SettingsSchema } from '../../../shared/settings';
import { cliInProcess as cli, privateKeysUnder } from './cli-in-process';

const yesterday = lastSettledDay(Date.now(), 120);
const dayBefore = addDays(yesterday, -1);

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

let sim: GenesysSimulator;
let base: string;
let n = 0;

beforeAll(async () => {
  sim = await startGenesysSimulator({ eventsPerDay: 20 });
  base = await fs.mkdtemp(path.join(tmpdir(), 'aa-cli-keys-'));
});
afterAll(async () => {
  await sim.close();
  await fs.rm(base, { recursive: true, force: true });
});

/** A fresh machine: its archive folder, state folder and (outside it) key file path. */
async function machine(keyFile?: string) {
  const dir = path.join(base, `m${++n}`);
  await fs.mkdir(dir);
  const archive = path.join(dir, 'archive');
  const state = path.join(dir, 'state');
  const key = keyFile ?? path.join(dir, 'secrets', 'signing-key.pem');
  const env: NodeJS.ProcessEnv = {
    AUDIT_ARCHIVE_TARGET: pathToFileURL(archive).href,
    AUDIT_ARCHIVE_STATE_DIR: state,
    AUDIT_ARCHIVE_SIGNING_KEY_FILE: key,
    AUDIT_ARCHIVE_GENESYS_API_URL: sim.apiUrl,
    AUDIT_ARCHIVE_GENESYS_POLL_MS: '20',
    AUDIT_ARCHIVE_GENESYS_LOGIN_URL: sim.loginUrl,
    AUDIT_ARCHIVE_GENESYS_CLIENT_ID: sim.clientId,
    AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: sim.clientSecret,
  };
  return { dir, archive, state, key, env };
}

describe('the private signing key stays out of the state folder', () => {
  it('the first export keeps it in the key file (mode 0600), and nothing under the state folder holds a private key', async () => {
    const m = await machine();
    const r = await cli(['export', '--day', yesterday], m.env);
    expect(r.code, r.stderr).toBe(0);
    expect(await privateKeysUnder(m.state)).toEqual([]);
    expect(await privateKeysUnder(m.archive)).toEqual([]);
    expect((await fs.stat(m.key)).mode & 0o777).toBe(0o600);
    const key = signingKeyFromPem(await fs.readFile(m.key, 'utf8'), m.key);
    const show = await cli(['key', 'show', '--json'], m.env);
    expect(JSON.parse(show.stdout)).toMatchObject({ fingerprint: key.fingerprint, held: true });
  });

  it('`key show --json` gives the public key an examiner checks a manifest signature with', async () => {
    const m = await machine();
    expect((await cli(['export', '--day', yesterday], m.env)).code).toBe(0);
    const shown = JSON.parse((await cli(['key', 'show', '--json'], m.env)).stdout);
    const name = (await fs.readdir(m.archive, { recursive: true })).find(
      (f) => f.startsWith('manifests/') && f.endsWith('.json'),
    ) as string;
    const manifest = ArchiveManifestSchema.parse(JSON.parse(await fs.readFile(path.join(m.archive, name), 'utf8')));
    const { signature, ...unsigned } = manifest;
    const publicKey = createPublicKey(shown.publicKeyPem);
    expect(verifySignature(null, canonicalJsonBytes(unsigned), publicKey, Buffer.from(signature.value, 'base64'))).toBe(
      true,
    );
    expect(signature.keyFingerprint).toBe(shown.fingerprint);
  });

  it.each([
    ['readable by the group', 0o640],
    ['readable by everyone', 0o644],
    ['writable by everyone', 0o602],
  ])('a key file %s is refused, saying chmod 600, and nothing is written', async (_what, mode) => {
    const m = await machine();
    expect((await cli(['export', '--day', dayBefore], m.env)).code).toBe(0);
    await fs.chmod(m.key, mode);
    const r = await cli(['export', '--day', yesterday], m.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is open to other users (mode 0${mode.toString(8)})`);
    expect(r.stderr).toContain(`chmod 600 ${m.key}`);
    expect(r.stderr).toContain('[INVALID_SETTINGS]');
    const status = JSON.parse((await cli(['status', '--from', yesterday, '--to', yesterday, '--json'], m.env)).stdout);
    expect(status.days[0].state).toBe('missing');
  });

  it('a key file inside the state folder is refused, also when reached through a symbolic link, and no archive root is written', async () => {
    for (const inside of ['direct', 'link'] as const) {
      const m = await machine();
      await fs.mkdir(m.state, { recursive: true });
      let keyFile = path.join(m.state, 'signing-key.pem');
      if (inside === 'link') {
        await fs.symlink(m.state, path.join(m.dir, 'looks-elsewhere'));
        keyFile = path.join(m.dir, 'looks-elsewhere', 'signing-key.pem');
      }
      const r = await cli(['export', '--day', yesterday, '--signing-key-file', keyFile], m.env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`is inside the state folder ${m.state}`);
      expect(await exists(path.join(m.archive, 'archive.json'))).toBe(false);
      expect(await privateKeysUnder(m.state)).toEqual([]);
    }
  });

  it('a named pipe at the key file path is refused at once, not waited on', async () => {
    const m = await machine();
    await fs.mkdir(path.dirname(m.key), { recursive: true });
    execFileSync('mkfifo', ['-m', '600', m.key]);
    const r = await cli(['export', '--day', yesterday], m.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a regular file');
    expect(await exists(path.join(m.archive, 'archive.json'))).toBe(false);
  });

  it('a key file holding anything but PEM private keys is refused, naming the file', async () => {
    const m = await machine();
    await fs.mkdir(path.dirname(m.key), { recursive: true });
    await fs.writeFile(m.key, 'AWS_SECRET_ACCESS_KEY=not-a-key\n', { mode: 0o600 });
    const r = await cli(['export', '--day', yesterday], m.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The signing key file ${m.key}`);
    expect(r.stderr).toContain('holds something other than PEM private keys');
    expect(r.stderr).not.toContain('not-a-key');
  });
});

describe('a key an earlier version kept in the state folder', () => {
  it('is never used: export stops naming `key migrate`; the migration moves it out and deletes it; export then works', async () => {
    const m = await machine();
    // What an earlier version left: the archive's key in <state>/keys/<fingerprint>.pem.
    const settings = SettingsSchema.parse({
      demo: false,
      genesys: { apiUrl: sim.apiUrl, loginUrl: sim.loginUrl, clientId: sim.clientId, statusPollMs: 20 },
      archive: { target: m.env.AUDIT_ARCHIVE_TARGET },
    });
    const earlier = await openArchiveSession(
      settings,
      { genesysClientSecret: sim.clientSecret },
      { env: {}, stateDir: m.state, keys: new FileSigningKeyStore(m.state) },
    );
    await earlier.exportDay(dayBefore);
    await earlier.close();
    const [legacy] = await privateKeysUnder(m.state);
    expect(legacy).toMatch(/keys\/[0-9a-f]{64}\.pem$/);

    const refused = await cli(['export', '--day', yesterday], m.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is in the state folder (${legacy})`);
    expect(refused.stderr).toContain('audit-archive key migrate');
    expect(refused.stderr).toContain('[ARCHIVE_KEY_MISSING]');
    const status = JSON.parse((await cli(['status', '--from', yesterday, '--to', yesterday, '--json'], m.env)).stdout);
    expect(status.days[0].state).toBe('missing');
    expect((await cli(['key', 'show'], m.env)).stdout).toContain(
      'WARNING: the state folder still holds 1 private key file(s)',
    );

    const moved = await cli(['key', 'migrate'], m.env);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toContain(`deleted ${legacy}`);
    expect(moved.stderr).toContain('treat the key as exposed: run `audit-archive key rotate`');
    expect(await privateKeysUnder(m.state)).toEqual([]);
    expect(await exists(path.join(m.state, 'keys'))).toBe(false);
    expect((await fs.stat(m.key)).mode & 0o777).toBe(0o600);

    const exported = await cli(['export', '--day', yesterday], m.env);
    expect(exported.code, exported.stderr).toBe(0);
    expect((await cli(['verify', '--from', dayBefore, '--to', yesterday], m.env)).code).toBe(0);
  });
});

describe('the officer rotates the key, or replaces a lost one, from the command line', () => {
  it('rotate: the key file then holds only the new key; the next export signs with it; verify is OK and names the rotation', async () => {
    const m = await machine();
    expect((await cli(['export', '--day', dayBefore], m.env)).code).toBe(0);
    const before = JSON.parse((await cli(['key', 'show', '--json'], m.env)).stdout).fingerprint as string;

    const rotated = await cli(['key', 'rotate', '--reason', 'yearly rotation'], m.env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const after = JSON.parse((await cli(['key', 'show', '--json'], m.env)).stdout);
    expect(after.fingerprint).not.toBe(before);
    expect(after.rootFingerprint).toBe(before);
    expect(rotated.stdout).toContain('The old private key was removed from this installation');
    const inFile = (await fs.readFile(m.key, 'utf8')).match(/BEGIN PRIVATE KEY/g) ?? [];
    expect(inFile).toHaveLength(1);
    expect(signingKeyFromPem(await fs.readFile(m.key, 'utf8'), m.key).fingerprint).toBe(after.fingerprint);

    expect((await cli(['export', '--day', yesterday], m.env)).code).toBe(0);
    const verified = await cli(['verify', '--from', dayBefore, '--to', yesterday], m.env);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).toMatch(/^OK: /);
    expect(verified.stdout).toContain('key-rotated');
    expect(verified.stdout).toContain(`root key `);
    for (const fp of [before, after.fingerprint])
      expect((await cli(['verify', '--from', dayBefore, '--to', yesterday, '--expect-key', fp], m.env)).code).toBe(0);
  });

  it('replace-lost asks for the lost key by fingerprint, then restarts the chain, and every verify says so in its verdict', async () => {
    const m = await machine();
    expect((await cli(['export', '--day', dayBefore], m.env)).code).toBe(0);
    const lost = JSON.parse((await cli(['key', 'show', '--json'], m.env)).stdout).fingerprint as string;
    const successions = path.join(m.archive, 'key-succession');

    const unconfirmed = await cli(['key', 'replace-lost'], m.env);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('--confirm-lost <fingerprint');
    const held = await cli(['key', 'replace-lost', '--confirm-lost', lost], m.env);
    expect(held.code).toBe(2);
    expect(held.stderr).toContain('so it is not lost: use `audit-archive key rotate`');
    expect(await exists(successions)).toBe(false);

    await fs.rm(m.key); // the key is lost
    const replaced = await cli(['key', 'replace-lost', '--confirm-lost', lost, '--reason', 'disk failed'], m.env);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain('RESTARTED the chain of keys');
    expect((await cli(['export', '--day', yesterday], m.env)).code).toBe(0);

    for (let run = 0; run < 2; run++) {
      const verified = await cli(['verify', '--from', dayBefore, '--to', yesterday], m.env);
      expect(verified.code).toBe(0);
      expect(verified.stdout).toMatch(/^OK, WITH 1 KEY RESTART\(S\) AFTER A LOST KEY \(below\): /);
      expect(verified.stdout).toContain('archive key-restarted');
      expect(verified.stdout).toContain('restarts after sequence 1');
    }
    const json = JSON.parse((await cli(['verify', '--from', dayBefore, '--to', yesterday, '--json'], m.env)).stdout);
    expect(json.problems).toContainEqual(expect.objectContaining({ kind: 'key-restarted' }));
    const pinnedOld = await cli(['verify', '--from', dayBefore, '--to', yesterday, '--expect-key', lost], m.env);
    expect(pinnedOld.code).toBe(1);
    expect(pinnedOld.stdout).toContain('no longer vouches');
  });
});
