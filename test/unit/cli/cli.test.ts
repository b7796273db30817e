import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayFromMs, eachDay, lastSettledDay } from '../../../shared/day';
import { StatusReportSchema } from '../../../shared/day-status';
import { VerifyReportSchema } from '../../../shared/verify';
import { main } from '../../../main/cli/main';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';

/** Runs the CLI in-process as a user would from a shell, capturing what it prints. */
async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe('audit-archive command line', () => {
  it('prints its help with every command and every settings variable', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const word of [
      'export',
      'catch-up',
      'status',
      'verify',
      'checkpoint',
      'bucket init',
      'demo',
      'AUDIT_ARCHIVE_TARGET',
      'AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET',
    ]) {
      expect(r.stdout).toContain(word);
    }
  });

  it.each(['export', 'catch-up', 'status', 'verify', 'checkpoint', 'bucket init', 'demo'])(
    '`%s --help` explains the command and exits 0',
    async (command) => {
      const r = await cli([...command.split(' '), '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: audit-archive ${command}`);
    },
  );

  it.each([
    [[], /Usage: audit-archive <command>/],
    [['archive-everything'], /unknown command 'archive-everything'.*--help/],
    [['status', '--colour'], /unknown option '--colour'.*status --help/],
    [['export'], /--day YYYY-MM-DD is required.*export --help/],
    [['export', '--day', '2026-02-30'], /--day '2026-02-30' is not a real calendar day/],
    [['status', '--from', '2026-11-10', '--to', '2026-11-01'], /--to 2026-11-01 is before --from 2026-11-10/],
    [['catch-up', '--concurrency', '50'], /--concurrency must be a whole number from 1 to 8/],
    [['status', 'extra'], /unexpected argument 'extra'/],
    [['bucket', 'destroy'], /unknown bucket command 'destroy'/],
    [['checkpoint', '--wait', 'soon'], /--wait must be a whole number from 0 to 86400/],
  ])('bad usage %j exits 2 saying what is wrong', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(message);
  });

  it('a bad settings variable exits 2 naming the variable, before touching anything', async () => {
    const r = await cli(['status'], {
      AUDIT_ARCHIVE_TARGET: 'file:///nonexistent-archive',
      AUDIT_ARCHIVE_RETENTION_DAYS: 'seven years',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AUDIT_ARCHIVE_RETENTION_DAYS');
    expect(r.stderr).toContain('[INVALID_SETTINGS]');
  });

  it('catch-up with a client id but no client secret exits 2 once, and marks no day failed', async () => {
    const state = await mkdtemp(join(tmpdir(), 'cli-state-'));
    const env = {
      AUDIT_ARCHIVE_TARGET: pathToFileURL(join(state, 'archive')).href,
      AUDIT_ARCHIVE_STATE_DIR: state,
      AUDIT_ARCHIVE_GENESYS_CLIENT_ID: 'abc',
    };
    const yesterday = lastSettledDay(Date.now(), 120);
    const r = await cli(['catch-up', '--from', addDays(yesterday, -2), '--to', yesterday], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[GENESYS_NOT_CONFIGURED]');
    expect(r.stderr).toContain('AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET');
    const status = await cli(['status', '--from', addDays(yesterday, -2), '--to', yesterday, '--json'], env);
    expect(JSON.parse(status.stdout).days.map((d: { state: string }) => d.state)).toEqual([
      'missing',
      'missing',
      'missing',
    ]);
    await rm(state, { recursive: true, force: true });
  });

  it('without an archive target it says how to set one', async () => {
    const r = await cli(['status', '--state-dir', tmpdir()], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('AUDIT_ARCHIVE_TARGET');
  });
});

describe('audit-archive demo', () => {
  it('builds a calendar with archived days, recent gaps, an unrecoverable gap and a failed day, and a rerun adds nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-'));
    try {
      const first = await cli(['demo', '--dir', dir, '--days', '370']);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(
        /Calendar \S+ to \S+: 365 archived, 2 missing, 2 unrecoverable, 1 pending, 1 failed\./,
      );
      expect(first.stdout).toContain(`audit-archive status --target ${pathToFileURL(join(dir, 'archive')).href}`);
      const again = await cli(['demo', '--dir', dir, '--days', '370']);
      expect(again.stderr).toMatch(/Archived 0 days/);
      expect(again.stdout).toContain('365 archived');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('audit-archive against a local archive and the simulator', () => {
  let dir: string;
  let sim: GenesysSimulator;
  let env: NodeJS.ProcessEnv;
  const yesterday = lastSettledDay(Date.now(), 120);
  const today = dayFromMs(Date.now());

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-'));
    sim = await startGenesysSimulator({ eventsPerDay: 80 });
    env = {
      AUDIT_ARCHIVE_TARGET: pathToFileURL(join(dir, 'archive')).href,
      AUDIT_ARCHIVE_STATE_DIR: join(dir, 'state'),
      // A machine without a keychain keeps the key in a file outside the state folder.
      AUDIT_ARCHIVE_SIGNING_KEY_FILE: join(dir, 'keys', 'signing-key.pem'),
      AUDIT_ARCHIVE_GENESYS_API_URL: sim.apiUrl,
      AUDIT_ARCHIVE_GENESYS_POLL_MS: '20',
      AUDIT_ARCHIVE_GENESYS_LOGIN_URL: sim.loginUrl,
      AUDIT_ARCHIVE_GENESYS_CLIENT_ID: sim.clientId,
      AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: sim.clientSecret,
    };
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('exports yesterday, refuses today as unsettled, and shows both in status --json', async () => {
    const exported = await cli(['export', '--day', yesterday], env);
    expect(exported.stderr).toContain(`${yesterday}: archived ${sim.expectedEventCount(yesterday)} events`);
    expect(exported.code).toBe(0);

    const again = await cli(['export', '--day', yesterday], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already archived; nothing written');

    const refused = await cli(['export', '--day', today], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('[DAY_UNSETTLED]');

    const status = await cli(['status', '--from', addDays(yesterday, -1), '--to', today, '--json'], env);
    expect(status.code).toBe(0);
    const parsed = StatusReportSchema.strict().parse(JSON.parse(status.stdout));
    expect(parsed).toMatchObject({ problems: [], empty: false });
    expect(parsed.days).toEqual([
      { day: addDays(yesterday, -1), state: 'missing' },
      { day: yesterday, state: 'archived', events: sim.expectedEventCount(yesterday) },
      // Between 00:00 and 02:00 UTC two days are not settled yet.
      ...(today === yesterday
        ? []
        : [...eachDay(addDays(yesterday, 1), today)].map((day) => ({ day, state: 'pending' }))),
    ]);
  });

  it('refuses a day older than the Genesys retention window instead of archiving it as empty', async () => {
    const old = addDays(yesterday, -400);
    const r = await cli(['export', '--day', old], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[DAY_UNRECOVERABLE]');
    const status = await cli(['status', '--from', old, '--to', old, '--json'], env);
    expect(JSON.parse(status.stdout).days).toEqual([{ day: old, state: 'unrecoverable' }]);
  });

  it('verify --json reports a gap as day-missing and exits 1; a clean range exits 0', async () => {
    const gap = await cli(['verify', '--from', addDays(yesterday, -1), '--to', yesterday, '--json'], env);
    expect(gap.code).toBe(1);
    const report = VerifyReportSchema.strict().parse(JSON.parse(gap.stdout));
    expect(report).toMatchObject({
      ok: false,
      problems: [expect.objectContaining({ day: addDays(yesterday, -1), kind: 'day-missing' })],
      archive: { purpose: 'production' },
    });

    const clean = await cli(['verify', '--from', yesterday, '--to', yesterday, '--full'], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^OK: /);
  });

  it('a verifier with no record of the archive says, in its OK line and in --json, that key and head were trusted on first use; --expect-head checks a recorded head', async () => {
    const fresh = { ...env, AUDIT_ARCHIVE_STATE_DIR: join(dir, 'state-of-another-machine') };
    const first = await cli(['verify', '--from', yesterday, '--to', yesterday], fresh);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^OK: .*objects checked; the signing key and the head were trusted on first use, not checked against a record\.$/m,
    );
    expect(first.stdout).toContain('checked against nothing: no --expect-key was given');
    const head = /--expect-head (\d+):([0-9a-f]{64})/.exec(first.stdout);
    expect(head).not.toBeNull();

    const json = await cli(['verify', '--from', yesterday, '--to', yesterday, '--json'], {
      ...env,
      AUDIT_ARCHIVE_STATE_DIR: join(dir, 'state-of-a-third-machine'),
    });
    expect(VerifyReportSchema.strict().parse(JSON.parse(json.stdout)).trust).toEqual({
      key: 'first-use',
      head: 'first-use',
      headRecorded: true,
    });

    // The same machine again: it now vouches from its record, and says nothing more.
    const again = await cli(['verify', '--from', yesterday, '--to', yesterday, '--json'], fresh);
    expect(JSON.parse(again.stdout).trust).toEqual({ key: 'recorded', head: 'recorded', headRecorded: true });

    const reached = await cli(
      ['verify', '--from', yesterday, '--to', yesterday, '--expect-head', `${head![1]}:${head![2]}`],
      {
        ...env,
        AUDIT_ARCHIVE_STATE_DIR: join(dir, 'state-of-a-fourth-machine'),
      },
    );
    expect(reached.code).toBe(0);
    expect(reached.stdout).toMatch(
      /^OK: .*; the signing key was trusted on first use, not checked against a record\.$/m,
    );
    const beyond = await cli(
      ['verify', '--from', yesterday, '--to', yesterday, '--expect-head', '99', '--json'],
      fresh,
    );
    expect(beyond.code).toBe(1);
    expect(JSON.parse(beyond.stdout).problems).toEqual([expect.objectContaining({ kind: 'head-rewound' })]);
    const bad = await cli(['verify', '--expect-head', 'latest'], fresh);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--expect-head must be');
  });

  it('settings from a --config file are overridden by the environment and by flags', async () => {
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ archive: { target: 'file:///somewhere/else' } }));
    const viaEnv = await cli(['status', '--config', config, '--from', yesterday, '--to', yesterday, '--json'], env);
    expect(JSON.parse(viaEnv.stdout).days[0].state).toBe('archived');
    const viaFlag = await cli(
      [
        'status',
        '--config',
        config,
        '--target',
        pathToFileURL(join(dir, 'empty')).href,
        '--from',
        yesterday,
        '--to',
        yesterday,
        '--json',
      ],
      env,
    );
    expect(JSON.parse(viaFlag.stdout).days[0].state).toBe('missing');
  });
});
