/**
 * A refused command leaves a local archive folder exactly as it found it: not a root object, not a
 * lease file, not a staging folder, not even the folder itself when it did not exist. The same on
 * Ceph RGW is in test/integration/archive/refused-rgw.test.ts.
 */
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestKey } from '../../../shared/archive-layout';
import { addDays, dayFromMs, lastSettledDay } from '../../../shared/day';
import { main } from '../../../main/cli/main';
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

/** Every entry under a folder (dot files, folders, links included) with its type and size; null when the folder is not there. */
async function tree(dir: string): Promise<string[] | null> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const out: string[] = [];
  for (const e of entries) {
    const full = join(e.parentPath, e.name);
    const st = await lstat(full);
    out.push(`${relative(dir, full)} ${st.isDirectory() ? 'folder' : st.isFile() ? `file ${st.size}` : 'other'}`);
  }
  return out.sort();
}

describe('a refused command leaves a local archive folder as it found it', () => {
  let home: string;
  let sim: GenesysSimulator;
  let other: GenesysSimulator;
  const yesterday = lastSettledDay(Date.now(), 120);
  const today = dayFromMs(Date.now());
  const old = addDays(yesterday, -400);

  const envFor = (target: string, state: string, source: GenesysSimulator = sim): NodeJS.ProcessEnv => ({
    AUDIT_ARCHIVE_TARGET: pathToFileURL(target).href,
    AUDIT_ARCHIVE_STATE_DIR: join(home, state),
    // A real archive's key lives outside the state folder (never the developer's own keychain here).
    AUDIT_ARCHIVE_SIGNING_KEY_FILE: join(home, 'keys', `${state}.pem`),
    AUDIT_ARCHIVE_GENESYS_API_URL: source.apiUrl,
    AUDIT_ARCHIVE_GENESYS_POLL_MS: '20',
    AUDIT_ARCHIVE_GENESYS_LOGIN_URL: source.loginUrl,
    AUDIT_ARCHIVE_GENESYS_CLIENT_ID: source.clientId,
    AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: source.clientSecret,
  });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'refused-'));
    sim = await startGenesysSimulator({ eventsPerDay: 40, seed: 3 });
    other = await startGenesysSimulator({ eventsPerDay: 40, seed: 4 });
  });
  afterAll(async () => {
    await sim.close();
    await other.close();
    await rm(home, { recursive: true, force: true });
  });

  it('an unsettled or unrecoverable day, against a folder that does not exist yet or is empty: nothing is created', async () => {
    for (const [name, make] of [
      ['missing', false],
      ['empty', true],
    ] as const) {
      const target = join(home, name, 'archive');
      if (make) await mkdir(target, { recursive: true });
      const before = await tree(join(home, name));
      for (const [day, code] of [
        [today, 'DAY_UNSETTLED'],
        [old, 'DAY_UNRECOVERABLE'],
      ] as const) {
        const r = await cli(['export', '--day', day], envFor(target, `${name}-state`));
        expect(r.stderr).toContain(`[${code}]`);
        expect(r.stderr).toContain('Nothing was written');
        expect(r.code).toBe(2);
        expect(await tree(join(home, name)), `${name} ${code}`).toEqual(before);
      }
    }
  });

  it('an archived day, another organisation, a rewound head: refused with nothing added to the archive', async () => {
    const target = join(home, 'existing');
    const env = envFor(target, 'existing-state');
    expect((await cli(['export', '--day', yesterday], env)).code).toBe(0);
    const before = await tree(target);
    expect(before).toContain(`.staging folder`); // what the first write made, and nothing is added to it

    const again = await cli(['export', '--day', yesterday], env);
    expect(again.stderr).toContain('already archived; nothing written');
    expect(again.code).toBe(0);
    expect(await tree(target)).toEqual(before);

    const foreign = await cli(['export', '--day', addDays(yesterday, -1)], envFor(target, 'foreign-state', other));
    expect(foreign.stderr).toContain('[ARCHIVE_SOURCE_MISMATCH]');
    expect(await tree(target)).toEqual(before);

    // Its newest manifest removed: this installation refuses to write on a rewound head.
    await rm(join(target, manifestKey('', yesterday, 1)));
    const rewound = await tree(target);
    const refused = await cli(['export', '--day', addDays(yesterday, -1)], env);
    expect(refused.stderr).toContain('[ARCHIVE_INTEGRITY]');
    expect(await tree(target)).toEqual(rewound);
  });
});
