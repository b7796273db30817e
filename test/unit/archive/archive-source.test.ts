/**
 * The data's source is never in doubt: demo (simulated) events only ever go into a demo archive,
 * a real organisation's only into a real one, one organisation per archive, and a manifest from
 * another organisation is named by verify.
 */
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { manifestKey, rootKey } from '../../../shared/archive-layout';
import { ArchiveRootSchema } from '../../../shared/archive-root';
import { ArchiveManifestSchema } from '../../../shared/manifest';
import { SettingsSchema } from '../../../shared/settings';
import { main } from '../../../main/cli/main';
import { openArchiveSession, simulatorSource } from '../../../main/engine/archive/archive-session';
import { canonicalJsonBytes, signManifest } from '../../../main/engine/archive/signing';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import { startGenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { type ArchiveFixture, archiveFixture, filesIn } from './archive-fixture';

let fx: ArchiveFixture | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await fx?.close();
  fx = undefined;
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});

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

describe('where the events come from', () => {
  it('a real organisation never writes into a demo archive, and the demo never into a real one', async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 30 } });
    await fx.export('2026-11-24'); // a real organisation's archive (the simulator stands in for it)
    const before = await filesIn(fx.root);
    const now = () => fx!.clock.now;
    const demo = await openArchiveSession(
      SettingsSchema.parse({ demo: true, archive: { target: fx.store.url } }),
      {},
      { env: {}, stateDir: fx.stateDir, now, demoSource: simulatorSource(fx.sim, now) },
    );
    await expect(demo.exportDay('2026-11-25')).rejects.toMatchObject({
      code: 'ARCHIVE_SOURCE_MISMATCH',
      message: expect.stringContaining("a real organisation's archive"),
    });
    expect(await filesIn(fx.root)).toEqual(before);

    const demoDir = await fs.mkdtemp(path.join(tmpdir(), 'aa-demo-'));
    dirs.push(demoDir);
    const demoTarget = pathToFileURL(demoDir).href;
    const filled = await openArchiveSession(
      SettingsSchema.parse({ demo: true, archive: { target: demoTarget } }),
      {},
      { env: {}, stateDir: fx.stateDir, now, demoSource: simulatorSource(fx.sim, now) },
    );
    await filled.exportDay('2026-11-25');
    const root = ArchiveRootSchema.parse(JSON.parse(await fs.readFile(path.join(demoDir, rootKey('')), 'utf8')));
    expect(root.purpose).toBe('demo');
    const real = await openArchiveSession(
      SettingsSchema.parse({
        demo: false,
        genesys: { clientId: fx.sim.clientId, apiUrl: fx.sim.apiUrl, loginUrl: fx.sim.loginUrl, statusPollMs: 20 },
        archive: { target: demoTarget },
      }),
      { genesysClientSecret: fx.sim.clientSecret },
      { env: {}, stateDir: fx.stateDir, now },
    );
    await expect(real.exportDay('2026-11-24')).rejects.toMatchObject({
      code: 'ARCHIVE_SOURCE_MISMATCH',
      message: expect.stringContaining('demo archive'),
    });
  });

  it("another organisation's client is refused by an archive that holds one organisation", async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 30 } });
    await fx.export('2026-11-24');
    const other = await startGenesysSimulator({ seed: 99, now: () => fx!.clock.now, eventsPerDay: 30 });
    try {
      const session = await openArchiveSession(
        SettingsSchema.parse({
          demo: false,
          genesys: { clientId: other.clientId, apiUrl: other.apiUrl, loginUrl: other.loginUrl },
          archive: { target: fx.store.url },
        }),
        { genesysClientSecret: other.clientSecret },
        { env: {}, stateDir: fx.stateDir, now: () => fx!.clock.now },
      );
      const otherId = other.organisation.orgId;
      await expect(session.exportDay('2026-11-25')).rejects.toMatchObject({
        code: 'ARCHIVE_SOURCE_MISMATCH',
        message: expect.stringContaining(otherId),
      });
    } finally {
      await other.close();
    }
  });

  it('a manifest of another organisation in the archive is named by verify, even signed with the archive key', async () => {
    fx = await archiveFixture({ now: '2026-11-26T12:00:00Z', sim: { eventsPerDay: 30 } });
    const first = await fx.export('2026-11-24');
    const root = ArchiveRootSchema.parse(JSON.parse(await fs.readFile(path.join(fx.root, rootKey('org-a')), 'utf8')));
    const key = (await new FileSigningKeyStore(fx.stateDir).get(root.signingKey.fingerprint))!;
    const m = ArchiveManifestSchema.parse(JSON.parse(await fs.readFile(path.join(fx.root, first.manifestKey), 'utf8')));
    const { signature: _s, ...unsigned } = m;
    const foreign = signManifest(
      {
        ...unsigned,
        sequence: 2,
        day: '2026-11-25',
        interval: { start: '2026-11-25T00:00:00.000Z', end: '2026-11-26T00:00:00.000Z' },
        objects: [],
        events: 0,
        dayEventsTotal: 0,
        source: { ...m.source, organisationId: 'another-org-0000', organisationName: 'Another Bank' },
        previous: {
          key: first.manifestKey,
          sequence: 1,
          sha256: (await import('node:crypto'))
            .createHash('sha256')
            .update(await fs.readFile(path.join(fx.root, first.manifestKey)))
            .digest('hex'),
        },
      },
      key,
    );
    const foreignKey = manifestKey('org-a', '2026-11-25', 2);
    await fs.mkdir(path.dirname(path.join(fx.root, foreignKey)), { recursive: true });
    await fs.writeFile(path.join(fx.root, foreignKey), canonicalJsonBytes(foreign));
    const verdict = await fx.verify();
    expect(verdict.problems).toEqual([
      expect.objectContaining({
        day: '2026-11-25',
        kind: 'source-mismatch',
        key: foreignKey,
        detail: expect.stringContaining('another-org-0000'),
      }),
    ]);
  });

  it('the CLI with no organisation configured stops with exit 2 before touching the archive', async () => {
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'aa-noorg-'));
    dirs.push(dir);
    const env = {
      AUDIT_ARCHIVE_TARGET: pathToFileURL(path.join(dir, 'archive')).href,
      AUDIT_ARCHIVE_STATE_DIR: path.join(dir, 'state'),
    };
    for (const argv of [['export', '--day', '2026-11-24'], ['catch-up']]) {
      const r = await cli(argv, env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/No Genesys organisation is configured.*\[GENESYS_NOT_CONFIGURED\]/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    await expect(fs.readdir(path.join(dir, 'archive'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('status and verify of an empty or unmounted target say so and exit 1', async () => {
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'aa-empty-'));
    dirs.push(dir);
    const env = {
      AUDIT_ARCHIVE_TARGET: pathToFileURL(path.join(dir, 'not-mounted')).href,
      AUDIT_ARCHIVE_STATE_DIR: path.join(dir, 'state'),
    };
    const status = await cli(['status'], env);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('holds no archive');
    const verify = await cli(['verify'], env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/^PROBLEMS FOUND/);
    expect(verify.stdout).toContain('archive-missing');
    expect(verify.stdout).not.toContain('OK');
  });
});
