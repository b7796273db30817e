/**
 * A careless operator's inputs: malformed days, a bad settings date, a damaged journal or manifest,
 * a target with `..`, a state folder that cannot be written. Each gets one clear line and the exit
 * status the README promises (2 for bad usage, nothing written), never `INTERNAL`.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, lastSettledDay } from '../../../shared/day';
import { main } from '../../../main/cli/main';
import { generateSigningKey, signingKeyToPem } from '../../../main/engine/archive/signing';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';

async function cli(argv: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** Every file under `dir`, relative, for "nothing was written" checks. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

const yesterday = lastSettledDay(Date.now(), 120);

describe('a malformed day on the command line is bad usage, never an internal error', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-bad-day-'));
    env = {
      AUDIT_ARCHIVE_TARGET: pathToFileURL(join(dir, 'archive')).href,
      AUDIT_ARCHIVE_STATE_DIR: join(dir, 'state'),
      AUDIT_ARCHIVE_DEMO: 'true',
    };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [['export', '--day', 'yesterday'], "--day 'yesterday' must be a UTC day written YYYY-MM-DD"],
    [['export', '--day', '2026-13-45'], "--day '2026-13-45' is not a real calendar day"],
    [['export', '--day', '2026-1-5'], "--day '2026-1-5' must be a UTC day written YYYY-MM-DD"],
    [['status', '--from', 'yesterday'], "--from 'yesterday' must be a UTC day written YYYY-MM-DD"],
    [['status', '--to', '2026-13-45'], "--to '2026-13-45' is not a real calendar day"],
    [['verify', '--from', '2026-00-10', '--to', '2026-01-10'], "--from '2026-00-10' is not a real calendar day"],
    [['catch-up', '--to', 'last week'], "--to 'last week' must be a UTC day written YYYY-MM-DD"],
  ])('%j exits 2 with one line saying what is wrong, and writes nothing', async (argv, message) => {
    const r = await cli(argv, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`audit-archive: ${message}`);
    expect(r.stderr).toContain(`--help`);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('INTERNAL');
    expect(await filesUnder(dir)).toEqual([]);
  });

  it('a --config file with an impossible policyStartDate exits 2 naming the field, and writes nothing', async () => {
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ archive: { policyStartDate: '2026-13-45' } }));
    const r = await cli(['status', '--config', config], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/archive\.policyStartDate: is not a real calendar day.*\[INVALID_SETTINGS\]/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('INTERNAL');
    expect(await filesUnder(dir)).toEqual(['config.json']);
    await rm(config);
  });

  it.each(['file:///srv/audit/../elsewhere', 'file:///srv/audit/%2e%2e/elsewhere', 'file:///srv/audit/.%2E'])(
    'a target %s is refused (exit 2) rather than silently resolved to another folder',
    async (target) => {
      const r = await cli(['status', '--target', target], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('without ".."');
      expect(r.stderr).toContain('[INVALID_SETTINGS]');
      expect(await filesUnder(dir)).toEqual([]);
    },
  );
});

describe('damaged local files are reported, and the command still does its work', () => {
  let dir: string;
  let sim: GenesysSimulator;
  const genesysEnv = () => ({
    AUDIT_ARCHIVE_GENESYS_API_URL: sim.apiUrl,
    AUDIT_ARCHIVE_GENESYS_POLL_MS: '20',
    AUDIT_ARCHIVE_GENESYS_LOGIN_URL: sim.loginUrl,
    AUDIT_ARCHIVE_GENESYS_CLIENT_ID: sim.clientId,
    AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: sim.clientSecret,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-damaged-'));
    sim = await startGenesysSimulator({ eventsPerDay: 20 });
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A fresh archive and state folder holding yesterday, exported by the CLI. */
  async function archiveWithYesterday(name: string) {
    const env = {
      ...genesysEnv(),
      AUDIT_ARCHIVE_TARGET: pathToFileURL(join(dir, name, 'archive')).href,
      AUDIT_ARCHIVE_STATE_DIR: join(dir, name, 'state'),
      AUDIT_ARCHIVE_SIGNING_KEY_FILE: join(dir, name, 'signing-key.pem'),
    };
    const exported = await cli(['export', '--day', yesterday], env);
    expect(exported.code).toBe(0);
    return { env, archive: join(dir, name, 'archive'), state: join(dir, name, 'state') };
  }

  it('a run journal with an impossible day in it is started afresh with a warning; status still answers', async () => {
    const { env, state } = await archiveWithYesterday('journal');
    const [name] = (await readdir(state)).filter((n) => n.startsWith('journal-'));
    const file = join(state, name as string);
    const journal = JSON.parse(await readFile(file, 'utf8')) as { days: Record<string, unknown> };
    journal.days['2026-13-45'] = { events: 3 };
    await writeFile(file, JSON.stringify(journal));

    const r = await cli(['status', '--from', yesterday, '--to', yesterday, '--json'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`audit-archive: warning: The run journal ${file} is not in the expected format`);
    expect(r.stderr).not.toContain('INTERNAL');
    expect(JSON.parse(r.stdout)).toMatchObject({ days: [{ day: yesterday, state: 'archived' }], empty: false });
  });

  it("a manifest whose day field is not a real day is reported as manifest-invalid naming its key; verify's report is printed", async () => {
    const { env, archive } = await archiveWithYesterday('manifest');
    const [manifestFile] = (await filesUnder(archive)).filter((f) => f.startsWith('manifests/'));
    const path = join(archive, manifestFile as string);
    const manifest = JSON.parse(await readFile(path, 'utf8')) as { day: string };
    manifest.day = '2026-13-45';
    await chmod(path, 0o644);
    await writeFile(path, JSON.stringify(manifest));

    const r = await cli(['verify', '--from', yesterday, '--to', yesterday], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^PROBLEMS FOUND: /);
    expect(r.stdout).toContain(`${yesterday} manifest-invalid ${manifestFile}`);
    expect(r.stdout + r.stderr).not.toContain('INTERNAL');
  });

  /**
   * A state folder nobody can write: read-only where permissions apply, and for root (who ignores
   * them) a path that runs through a file, which no one can create.
   */
  async function unwritableStateDir(name: string): Promise<string> {
    const folder = join(dir, name, 'state');
    await mkdir(folder, { recursive: true });
    await chmod(folder, 0o555);
    const probe = join(folder, 'probe');
    const writable = await writeFile(probe, '').then(
      () => true,
      () => false,
    );
    if (!writable) return folder;
    await rm(probe);
    await chmod(folder, 0o755);
    await writeFile(join(folder, 'not-a-folder'), '');
    return join(folder, 'not-a-folder', 'state');
  }

  it('a state folder that cannot be written: export exits 0 with one warning naming the journal, and verify still prints its report', async () => {
    const state = await unwritableStateDir('read-only');
    const env: NodeJS.ProcessEnv = {
      ...genesysEnv(),
      AUDIT_ARCHIVE_TARGET: pathToFileURL(join(dir, 'read-only', 'archive')).href,
      AUDIT_ARCHIVE_STATE_DIR: state,
    };

    // A server whose state folder is read-only takes the archive's signing key from its environment.
    const key = generateSigningKey();
    env.AUDIT_ARCHIVE_SIGNING_KEY = signingKeyToPem(key);
    const exported = await cli(['export', '--day', yesterday], env);
    expect(exported.stderr).toContain(`${yesterday}: archived ${sim.expectedEventCount(yesterday)} events`);
    expect(exported.code).toBe(0);
    const written = exported.stderr.split('\n').filter((l) => l.includes('could not be written'));
    expect(written).toEqual([
      expect.stringMatching(
        new RegExp(
          `^audit-archive: warning: The run journal ${state}/journal-\\w+\\.json could not be written \\(E[A-Z]+: `,
        ),
      ),
    ]);
    expect(exported.stderr).not.toContain('INTERNAL');

    // Two journal writes (event counts, problems), still one warning; the report and exit 1 are the verification's.
    const verified = await cli(['verify', '--from', addDays(yesterday, -1), '--to', yesterday], env);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/^PROBLEMS FOUND: /);
    expect(verified.stdout).toContain(`${addDays(yesterday, -1)} day-missing`);
    expect(verified.stderr.split('\n').filter((l) => l.includes('could not be written'))).toHaveLength(1);
    expect(verified.stderr).not.toContain('INTERNAL');

    const clean = await cli(['verify', '--from', yesterday, '--to', yesterday], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^OK: /);
    await chmod(join(dir, 'read-only', 'state'), 0o755);
  });
});
