/**
 * A real archive setup for exporter tests: the Genesys simulator on 127.0.0.1, the real audit
 * client against it, and a local archive folder in a temp directory.
 */
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { Day } from '../../../shared/day';
import { readArchiveIndex } from '../../../main/engine/archive/read-archive-index';
import { ManifestChain, readManifest } from '../../../main/engine/archive/manifest-chain';
import type { ExportDeps, ExportPolicy } from '../../../main/engine/archive/export-day';
import { LocalFolderStore } from '../../../main/engine/archive/stores/local-store';
import type { ArchiveStore } from '../../../main/engine/archive/archive-store';
import type { ArchiveManifest } from '../../../shared/manifest';
import { ClientCredentialsAuth } from '../../../main/engine/genesys/auth';
import { GenesysAuditClient } from '../../../main/engine/genesys/client';
import { RateBudget } from '../../../main/engine/genesys/rate-budget';
import {
  startGenesysSimulator,
  type GenesysSimulator,
  type SimulatorOptions,
} from '../../../main/engine/genesys/simulator/server';

export const POLICY: ExportPolicy = {
  lockMode: 'COMPLIANCE',
  retentionDays: 2557,
  settlementMinutes: 120,
  maxPartBytes: 64 * 1024,
};

export interface ArchiveFixture {
  sim: GenesysSimulator;
  store: LocalFolderStore;
  root: string;
  /** "Now" for the simulator and the exporter; tests move it. */
  clock: { now: number };
  client: GenesysAuditClient;
  deps(overrides?: Partial<ExportDeps>): Promise<ExportDeps>;
  close(): Promise<void>;
}

export async function archiveFixture(options: {
  now: string;
  sim?: Partial<SimulatorOptions>;
  pageSize?: number;
}): Promise<ArchiveFixture> {
  const clock = { now: Date.parse(options.now) };
  const sim = await startGenesysSimulator({ seed: 7, now: () => clock.now, ...options.sim });
  const root = await fs.mkdtemp(path.join(tmpdir(), 'aa-export-'));
  const store = new LocalFolderStore({ root, prefix: 'org-a' });
  const client = new GenesysAuditClient({
    apiUrl: sim.apiUrl,
    loginUrl: sim.loginUrl,
    auth: new ClientCredentialsAuth({ loginUrl: sim.loginUrl, clientId: sim.clientId, clientSecret: sim.clientSecret }),
    budget: new RateBudget({ requestsPerMinute: 100_000 }),
    pageSize: options.pageSize ?? 500,
    pollInitialMs: 1,
    pollMaxMs: 5,
  });
  return {
    sim,
    store,
    root,
    clock,
    client,
    async deps(overrides = {}) {
      return {
        store,
        source: client,
        chain: await ManifestChain.open(store),
        policy: POLICY,
        now: () => clock.now,
        toolVersion: '0.1.0-test',
        ...overrides,
      };
    },
    async close() {
      await sim.close();
      await makeWritable(root);
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

async function makeWritable(dir: string): Promise<void> {
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) await fs.chmod(path.join(e.parentPath, e.name), 0o644);
  }
}

/** Every file under the archive folder, relative, sorted. */
export async function filesIn(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(root, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

/** The event ids inside one stored data object, in file order, read straight from the store. */
export async function idsInObject(
  store: ArchiveStore,
  key: string,
  versionId: string | null = null,
): Promise<string[]> {
  const ids: string[] = [];
  let text = '';
  for await (const chunk of Readable.from(store.getObject(key, versionId)).pipe(createGunzip()))
    text += (chunk as Buffer).toString('utf8');
  for (const line of text.split('\n')) if (line) ids.push((JSON.parse(line) as { id: string }).id);
  return ids;
}

/** The manifests of a day, in sequence order, as read (and validated) from the store. */
export async function dayManifests(
  store: ArchiveStore,
  day: Day,
): Promise<Array<{ key: string; sha256: string; manifest: ArchiveManifest }>> {
  const index = await readArchiveIndex(store);
  const out = [];
  for (const m of index.days.get(day)?.manifests ?? []) {
    const read = await readManifest(store, m.key, m.versionId);
    out.push({ key: m.key, sha256: read.sha256, manifest: read.manifest });
  }
  return out;
}

/** Every id the day's manifests say is archived (duplicates kept, so a test can see them). */
export async function archivedIds(store: ArchiveStore, day: Day): Promise<string[]> {
  const ids: string[] = [];
  for (const { manifest } of await dayManifests(store, day)) {
    for (const o of manifest.objects) ids.push(...(await idsInObject(store, o.key, o.versionId)));
  }
  return ids;
}
