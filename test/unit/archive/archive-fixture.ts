/**
 * A real archive setup for exporter tests: the Genesys simulator on 127.0.0.1, the real audit
 * client against it, and an Archive over a local folder in a temp directory, with its state folder
 * (signing key, manifest cache, head record) in another.
 */
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { afterAll } from 'vitest';
import type { Day } from '../../../shared/day';
import type { ArchiveManifest, ManifestSource } from '../../../shared/manifest';
import {
  Archive,
  type ArchiveOptions,
  type ArchiveWriter,
  type WriterRequest,
} from '../../../main/engine/archive/archive';
import type { ArchiveStore } from '../../../main/engine/archive/archive-store';
import {
  exportDay,
  type ExportDayOptions,
  type ExportDayResult,
  type ExportPolicy,
} from '../../../main/engine/archive/export-day';
import { FileSigningKeyStore } from '../../../main/engine/archive/signing-keys';
import { LocalFolderStore } from '../../../main/engine/archive/stores/local-store';
import { verifyArchive, type VerifyResult } from '../../../main/engine/archive/verify';
import type { ExpectedHead } from '../../../main/engine/archive/verify-trust';
import { ClientCredentialsAuth } from '../../../main/engine/genesys/auth';
import { GenesysAuditClient } from '../../../main/engine/genesys/client';
import { RateBudget } from '../../../main/engine/genesys/rate-budget';
import {
  startGenesysSimulator,
  type GenesysSimulator,
  type SimulatorOptions,
} from '../../../main/engine/genesys/simulator/server';
import { snapshotFolders, type FolderSnapshot } from './folder-snapshot';

export const POLICY: ExportPolicy = { settlementMinutes: 120, maxPartBytes: 64 * 1024, genesysRetentionDays: 365 };
export const RETENTION = { lockMode: 'COMPLIANCE' as const, retentionDays: 2557 };

export interface ArchiveFixture {
  sim: GenesysSimulator;
  store: LocalFolderStore;
  /** The archive folder. */
  root: string;
  /** This installation's state folder (key, cache, head record). */
  stateDir: string;
  /** "Now" for the simulator and the exporter; tests move it. */
  clock: { now: number };
  client: GenesysAuditClient;
  /** An Archive over the folder, as a fresh process would open it. */
  archive(overrides?: Partial<ArchiveOptions>): Archive;
  /** What a writer for the simulator's organisation asks `withWriter` for. */
  request(): Promise<WriterRequest>;
  /** Exports one day under the writer lease, the way every caller does. */
  export(
    day: Day,
    options?: ExportDayOptions,
    archive?: Archive,
    source?: GenesysAuditClient,
  ): Promise<ExportDayResult>;
  /** Exports several days under one lease, concurrently. */
  exportAll(days: readonly Day[]): Promise<ExportDayResult[]>;
  verify(options?: {
    from?: Day;
    to?: Day;
    full?: boolean;
    expectKey?: string;
    expectHead?: ExpectedHead;
    archive?: Archive;
  }): Promise<VerifyResult>;
  close(): Promise<void>;
}

export interface ArchiveFixtureOptions {
  now: string;
  sim?: Partial<SimulatorOptions>;
  pageSize?: number;
  /** Folders that already hold the archive and its state (archiveFixtureOnce); default: new temp folders. */
  folders?: { readonly root: string; readonly stateDir: string };
}

export async function archiveFixture(options: ArchiveFixtureOptions): Promise<ArchiveFixture> {
  const clock = { now: Date.parse(options.now) };
  const sim = await startGenesysSimulator({ seed: 7, now: () => clock.now, ...options.sim });
  const root = options.folders?.root ?? (await fs.mkdtemp(path.join(tmpdir(), 'aa-export-')));
  const stateDir = options.folders?.stateDir ?? (await fs.mkdtemp(path.join(tmpdir(), 'aa-state-')));
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
  const archive = (overrides: Partial<ArchiveOptions> = {}) =>
    new Archive({
      store,
      stateDir,
      keys: new FileSigningKeyStore(stateDir),
      policy: RETENTION,
      lease: { ttlMs: 5_000, waitMs: 0, program: 'a test' },
      toolVersion: '0.2.0-test',
      now: () => clock.now,
      ...overrides,
    });
  const sourceRecord = async (): Promise<ManifestSource> => ({
    demo: false,
    ...(await client.identify()),
    perServiceQueries: false,
  });
  const withWriter = async <T>(
    a: Archive,
    fn: (w: ArchiveWriter, record: ManifestSource) => Promise<T>,
  ): Promise<T> => {
    const record = await sourceRecord();
    return a.withWriter(
      {
        purpose: 'production',
        organisation: { id: record.organisationId, name: record.organisationName, apiHost: record.apiHost },
      },
      (w) => fn(w, record),
    );
  };
  const deps = (writer: ArchiveWriter, record: ManifestSource, source: GenesysAuditClient = client) => ({
    writer,
    source,
    sourceRecord: record,
    policy: POLICY,
    toolVersion: '0.2.0-test',
    now: () => clock.now,
  });
  return {
    sim,
    store,
    root,
    stateDir,
    clock,
    client,
    archive,
    request: async () => {
      const record = await sourceRecord();
      return {
        purpose: 'production',
        organisation: { id: record.organisationId, name: record.organisationName, apiHost: record.apiHost },
      };
    },
    export: (day, opts = {}, a = archive(), source = client) =>
      withWriter(a, (w, record) => exportDay(deps(w, record, source), day, opts)),
    exportAll: (days) =>
      withWriter(archive(), (w, record) => Promise.all(days.map((d) => exportDay(deps(w, record), d)))),
    verify: (opts = {}) =>
      verifyArchive({
        archive: opts.archive ?? archive(),
        full: opts.full ?? false,
        now: clock.now,
        settlementMinutes: POLICY.settlementMinutes,
        genesysRetentionDays: POLICY.genesysRetentionDays,
        policy: RETENTION,
        ...(opts.from ? { from: opts.from } : {}),
        ...(opts.to ? { to: opts.to } : {}),
        ...(opts.expectKey ? { expectKey: opts.expectKey } : {}),
        ...(opts.expectHead ? { expectHead: opts.expectHead } : {}),
      }),
    async close() {
      await sim.close();
      await makeWritable(root);
      await fs.rm(root, { recursive: true, force: true });
      await fs.rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * An archive fixture built once per test file and handed afresh to each test. The first `fresh()`
 * builds it (`build`: exports, a verify…) and keeps its folders aside (folder-snapshot.ts); every
 * later one puts them back where they were, byte for byte, and starts a new simulator on the same
 * port (manifests record the API host) with the clock where the build left it: each test starts
 * from exactly the archive the build wrote, as if it had built it itself. A fixture handed out
 * before is closed first. Call at file level (it removes the kept copy after all tests).
 */
export function archiveFixtureOnce(
  options: ArchiveFixtureOptions,
  build: (fixture: ArchiveFixture) => Promise<void>,
): { fresh(): Promise<ArchiveFixture> } {
  let built: { snapshot: FolderSnapshot; root: string; stateDir: string; port: number; now: number } | null = null;
  let current: { fixture: ArchiveFixture; closed: boolean } | null = null;
  const closeCurrent = async () => {
    if (!current || current.closed) return;
    current.closed = true;
    await current.fixture.close();
  };
  afterAll(async () => {
    await closeCurrent();
    await built?.snapshot.discard();
  });
  const handOut = (fixture: ArchiveFixture): ArchiveFixture => {
    const entry = { fixture, closed: false };
    current = entry;
    return {
      ...fixture,
      close: async () => {
        if (entry.closed) return;
        entry.closed = true;
        await fixture.close();
      },
    };
  };
  return {
    async fresh() {
      await closeCurrent();
      if (!built) {
        const f = await archiveFixture(options);
        await build(f);
        built = {
          snapshot: await snapshotFolders([f.root, f.stateDir]),
          root: f.root,
          stateDir: f.stateDir,
          port: Number(new URL(f.sim.apiUrl).port),
          now: f.clock.now,
        };
        return handOut(f);
      }
      await built.snapshot.restore();
      return handOut(
        await archiveFixture({
          ...options,
          now: new Date(built.now).toISOString(),
          sim: { ...options.sim, port: built.port },
          folders: { root: built.root, stateDir: built.stateDir },
        }),
      );
    },
  };
}

export async function makeWritable(dir: string): Promise<void> {
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) await fs.chmod(path.join(e.parentPath, e.name), 0o644);
  }
}

/** Every file under the archive folder, relative, sorted (the writer lease's dot-file left out). */
export async function filesIn(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && !e.name.startsWith('.') && !e.parentPath.includes('.staging'))
      out.push(path.relative(root, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

/** The event ids inside one stored data object, in file order, read straight from the store. */
export async function idsInObject(
  store: ArchiveStore,
  key: string,
  versionId: string | null = null,
): Promise<string[]> {
  return (await linesInObject(store, key, versionId)).map((line) => (JSON.parse(line) as { id: string }).id);
}

/** The NDJSON lines of one stored data object, exactly as stored. */
export async function linesInObject(
  store: ArchiveStore,
  key: string,
  versionId: string | null = null,
): Promise<string[]> {
  let text = '';
  for await (const chunk of Readable.from(store.getObject(key, versionId)).pipe(createGunzip()))
    text += (chunk as Buffer).toString('utf8');
  return text.split('\n').filter((line) => line !== '');
}

/** The manifests of a day on the chain, in sequence order, as a fresh reader judges the archive. */
export async function dayManifests(
  archive: Archive,
  day: Day,
): Promise<Array<{ key: string; sha256: string; manifest: ArchiveManifest }>> {
  const snapshot = await archive.read({ scope: 'layout', fresh: true });
  return (snapshot.assessment.days.get(day)?.manifests ?? []).map((c) => ({
    key: c.key,
    sha256: c.sha256,
    manifest: c.manifest,
  }));
}

/** Every id the day's manifests say is archived (duplicates kept, so a test can see them). */
export async function archivedIds(archive: Archive, day: Day): Promise<string[]> {
  const ids: string[] = [];
  for (const { manifest } of await dayManifests(archive, day)) {
    for (const o of manifest.objects) ids.push(...(await idsInObject(archive.store, o.key, o.versionId)));
  }
  return ids;
}
