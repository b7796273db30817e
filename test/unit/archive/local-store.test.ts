import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataKey, manifestKey, rootKey } from '../../../shared/archive-layout';
import { AuditArchiveError } from '../../../shared/errors';
import type { ObjectVersionEntry } from '../../../main/engine/archive/archive-store';
import { LOCAL_NOT_WORM_WARNING, LocalFolderStore } from '../../../main/engine/archive/stores/local-store';
import { readArchiveListing } from '../../../main/engine/archive/archive-listing';

const LOCK = { mode: 'COMPLIANCE' as const, retainUntil: '2033-11-28T00:00:00.000Z' };

function put(store: LocalFolderStore, key: string, text: string) {
  const body = Buffer.from(text);
  return store.putObject({
    key,
    body,
    sha256: createHash('sha256').update(body).digest('hex'),
    contentType: 'application/gzip',
    lock: LOCK,
  });
}

async function read(store: LocalFolderStore, key: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const c of store.getObject(key, null)) chunks.push(c);
  return Buffer.concat(chunks).toString();
}

async function list(store: LocalFolderStore, prefix = ''): Promise<ObjectVersionEntry[]> {
  const out: ObjectVersionEntry[] = [];
  for await (const e of store.listVersions(prefix)) out.push(e);
  return out;
}

/** Every file under a folder, relative, with its mode. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

/** Whether this machine lets the tests make a device node (root with CAP_MKNOD; not an ordinary user). */
const canMakeDevices = (() => {
  const probe = path.join(tmpdir(), `aa-mknod-${process.pid}`);
  try {
    execFileSync('mknod', [probe, 'c', '1', '3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('rm', ['-f', probe]);
  }
})();

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(tmpdir(), 'aa-local-'));
});
afterEach(async () => {
  // Archived files are read-only by design: make them writable again so the temp folder can go.
  for (const f of await filesUnder(root)) await fs.chmod(path.join(root, f), 0o644);
  await fs.rm(root, { recursive: true, force: true });
});

describe('a local archive folder', () => {
  it('says plainly that it is not WORM storage', async () => {
    const store = new LocalFolderStore({ root });
    const ready = await store.checkReady({ lockMode: 'COMPLIANCE', retentionDays: 2557 });
    expect(ready.worm).toBe(false);
    expect(ready.warnings).toContain(LOCAL_NOT_WORM_WARNING);
    expect(store.url).toBe(`file://${root}`);
  });

  it('never replaces an archived file: a second write of the key is refused and the first bytes stay', async () => {
    const store = new LocalFolderStore({ root, prefix: 'bank' });
    const key = dataKey(store.prefix, '2026-11-27', 1);
    await put(store, key, 'first');
    const second = put(store, key, 'second, different');
    await expect(second).rejects.toMatchObject({ code: 'ARCHIVE_OBJECT_EXISTS' });
    expect(await read(store, key)).toBe('first');
  });

  it('makes an archived file read-only and lists it with its size', async () => {
    const store = new LocalFolderStore({ root });
    const key = dataKey('', '2026-11-27', 1);
    const result = await put(store, key, 'hello');
    expect(result).toEqual({ key, versionId: null, size: 5 });
    const st = await fs.stat(path.join(root, key));
    expect(st.mode & 0o777).toBe(0o444);
    expect(await store.headObject(key, null)).toEqual({ key, versionId: null, size: 5, lock: null, legalHold: false });
    expect((await list(store)).map((e) => [e.key, e.size, e.isDeleteMarker])).toEqual([[key, 5, false]]);
  });

  it('leaves no half file and no temp file under the layout, even when a write is refused', async () => {
    const store = new LocalFolderStore({ root });
    const key = dataKey('', '2026-11-27', 1);
    await put(store, key, 'part one');
    await expect(put(store, key, 'again')).rejects.toBeInstanceOf(AuditArchiveError);
    // Bytes that do not match their hash are refused before anything is written.
    const bad = store.putObject({
      key: dataKey('', '2026-11-27', 2),
      body: Buffer.from('x'),
      sha256: '0'.repeat(64),
      contentType: 'application/gzip',
      lock: LOCK,
    });
    await expect(bad).rejects.toMatchObject({ code: 'ARCHIVE_INTEGRITY' });
    await put(store, manifestKey('', '2026-11-27', 1), '{}');
    expect(await filesUnder(root)).toEqual([key, manifestKey('', '2026-11-27', 1)].sort());
  });

  it('clears the leftovers of a crashed write from its staging area, but not a write still in progress', async () => {
    const store = new LocalFolderStore({ root });
    await fs.mkdir(path.join(root, '.staging'));
    const crashed = path.join(root, '.staging', '4242-crashed.tmp');
    const running = path.join(root, '.staging', '4343-running.tmp');
    await fs.writeFile(crashed, 'half a part');
    await fs.writeFile(running, 'being written');
    const yesterday = new Date(Date.now() - 86_400_000);
    await fs.utimes(crashed, yesterday, yesterday);
    await store.checkReady({ lockMode: 'COMPLIANCE', retentionDays: 2557 });
    expect(await filesUnder(root)).toEqual(['.staging/4343-running.tmp']);
  });

  it('refuses keys that would escape the folder or reach its staging area', async () => {
    const store = new LocalFolderStore({ root });
    for (const key of ['../outside.json', 'audit-logs/../../x', '/etc/passwd', '.staging/x', 'a//b']) {
      await expect(put(store, key, 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(await filesUnder(root)).toEqual([]);
  });

  it('reports a missing file as absent, never as an error in a listing', async () => {
    const store = new LocalFolderStore({ root });
    expect(await store.headObject('audit-logs/2026/11/27/events-0001.jsonl.gz', null)).toBeNull();
    await expect(read(store, 'audit-logs/2026/11/27/events-0001.jsonl.gz')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await list(store)).toEqual([]);
  });

  it('lists what it holds in one walk, grouped by what each key is: parts, manifests, the root, strays', async () => {
    const store = new LocalFolderStore({ root, prefix: 'archive/' });
    await put(store, dataKey(store.prefix, '2026-11-26', 1), 'a');
    await put(store, dataKey(store.prefix, '2026-11-26', 3), 'b');
    await put(store, manifestKey(store.prefix, '2026-11-26', 7), '{}');
    await put(store, dataKey(store.prefix, '2026-11-27', 2), 'c');
    await put(store, rootKey(store.prefix), '{}');
    await put(store, 'archive/audit-logs/2026/11/27/notes.txt', 'stray');
    await put(store, 'archive/manifests/2026/13/45/0000000001.json', 'not a day');
    await put(store, 'elsewhere/file.txt', 'not ours');
    const listing = await readArchiveListing(store, 'whole');
    expect([...listing.data.values()].map((k) => [k.day, k.part])).toEqual([
      ['2026-11-26', 1],
      ['2026-11-26', 3],
      ['2026-11-27', 2],
    ]);
    expect([...listing.manifests.values()].map((k) => [k.day, k.sequence])).toEqual([['2026-11-26', 7]]);
    expect(listing.root?.key).toBe('archive/archive.json');
    expect(listing.other.map((k) => k.key).sort()).toEqual([
      'archive/audit-logs/2026/11/27/notes.txt',
      'archive/manifests/2026/13/45/0000000001.json',
    ]);
    expect(listing.requests).toBeGreaterThan(0);
    // The calendar's listing (root and the two layout folders) sees the same parts and manifests.
    const layout = await readArchiveListing(store, 'layout');
    expect([...layout.data.keys()]).toEqual([...listing.data.keys()]);
    expect([...layout.manifests.keys()]).toEqual([...listing.manifests.keys()]);
  });

  it('lists a named pipe, a socket, links and dot files with what they are, never opens them, and reads nothing through a linked folder', async () => {
    const store = new LocalFolderStore({ root, prefix: 'bank' });
    await put(store, dataKey(store.prefix, '2026-11-26', 1), 'a real part');
    await put(store, rootKey(store.prefix), '{}');
    const at = (key: string) => path.join(root, ...key.split('/'));
    const fifoKey = manifestKey(store.prefix, '2026-11-26', 1);
    await fs.mkdir(path.dirname(at(fifoKey)), { recursive: true });
    execFileSync('mkfifo', [at(fifoKey)]);
    const socketKey = dataKey(store.prefix, '2026-11-26', 2);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(at(socketKey), resolve));
    const linkKey = dataKey(store.prefix, '2026-11-26', 3);
    const outside = path.join(root, 'outside.txt');
    await fs.writeFile(outside, 'bytes from elsewhere');
    await fs.symlink(outside, at(linkKey));
    // A folder of the layout replaced by a link to another folder holding a "part".
    const elsewhere = path.join(root, 'elsewhere');
    await fs.mkdir(elsewhere);
    await fs.writeFile(path.join(elsewhere, 'events-0001.jsonl.gz'), 'planted');
    await fs.mkdir(path.dirname(at(dataKey(store.prefix, '2026-11-27', 1))), { recursive: true });
    await fs.rmdir(path.dirname(at(dataKey(store.prefix, '2026-11-27', 1))));
    await fs.symlink(elsewhere, path.dirname(at(dataKey(store.prefix, '2026-11-27', 1))));
    await fs.writeFile(at('bank/manifests/.hidden.json'), '{}');
    await fs.mkdir(at('bank/audit-logs/.git'));
    await fs.writeFile(at('bank/audit-logs/.git/config'), 'x');
    try {
      const listing = await readArchiveListing(store, 'whole');
      expect([...listing.manifests.keys()]).toEqual([]);
      expect([...listing.data.keys()]).toEqual([dataKey(store.prefix, '2026-11-26', 1)]);
      const said = Object.fromEntries(listing.other.map((k) => [k.key, k.versions[0]?.unreadable]));
      expect(said).toEqual({
        [fifoKey]: 'a named pipe (FIFO)',
        [socketKey]: 'a socket',
        [linkKey]: 'a symbolic link',
        'bank/audit-logs/2026/11/27': 'a symbolic link',
        'bank/manifests/.hidden.json': 'a hidden (dot) file',
        'bank/audit-logs/.git': 'a hidden (dot) folder',
      });
      // Read as if a manifest named them: refused at once, never blocking, never following.
      for (const key of [fifoKey, socketKey, linkKey, dataKey(store.prefix, '2026-11-27', 1)]) {
        await expect(read(store, key), key).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(await store.headObject(key, null), key).toBeNull();
      }
      // Writing through the linked folder is refused too: nothing lands outside the archive.
      await expect(put(store, dataKey(store.prefix, '2026-11-27', 2), 'x')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await fs.readdir(elsewhere)).toEqual(['events-0001.jsonl.gz']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      const handle = await fs.open(at(fifoKey), constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null);
      await handle?.close();
    }
  });

  it('lists the same whether it reads folders synchronously or, after a slow call, through the thread pool', async () => {
    const store = new LocalFolderStore({ root, prefix: 'bank' });
    for (const day of ['2026-10-31', '2026-11-01', '2026-11-02']) {
      await put(store, dataKey(store.prefix, day, 1), `part of ${day}`);
      await put(store, dataKey(store.prefix, day, 2), `second part of ${day}`);
      await put(store, manifestKey(store.prefix, day, 1), '{}');
    }
    await put(store, rootKey(store.prefix), '{}');
    await put(store, 'bank/audit-logs/2026/11/02/notes.txt', 'stray');
    const at = (key: string) => path.join(root, ...key.split('/'));
    execFileSync('mkfifo', [at('bank/manifests/2026/11/01/0000000002.json')]);
    await fs.symlink(at(rootKey(store.prefix)), at('bank/manifests/2026/11/02/0000000002.json'));
    await fs.writeFile(at('bank/audit-logs/.hidden'), 'x');
    // No time for synchronous calls: the first is synchronous, the rest go through the thread pool.
    const pooled = new LocalFolderStore({ root, prefix: 'bank', syncListingBudget: { perCallMs: 0, spareMs: 0 } });
    for (const prefix of ['', 'bank/', 'bank/audit-logs/', 'bank/audit-logs/2026/11/', 'bank/manifests/2026/11/01/']) {
      const quick = await list(store, prefix);
      expect(quick.length, prefix).toBeGreaterThan(0);
      expect(await list(pooled, prefix), prefix).toEqual(quick);
    }
    const whole = await list(store, 'bank/');
    expect(whole.map((e) => e.key)).toEqual([...whole.map((e) => e.key)].sort());
    expect(whole.filter((e) => e.unreadable).map((e) => [e.key, e.unreadable])).toEqual([
      ['bank/audit-logs/.hidden', 'a hidden (dot) file'],
      ['bank/manifests/2026/11/01/0000000002.json', 'a named pipe (FIFO)'],
      ['bank/manifests/2026/11/02/0000000002.json', 'a symbolic link'],
    ]);
  });

  it("keeps its own staging folder and writer-lease file out of listings, unless the lease's heartbeat lies in the future", async () => {
    const store = new LocalFolderStore({ root });
    await store.checkReady({ lockMode: 'COMPLIANCE', retentionDays: 2557 });
    await put(store, rootKey(''), '{}');
    await fs.writeFile(path.join(root, '.writer-lease'), '{}');
    expect((await list(store)).map((e) => e.key)).toEqual(['archive.json']);
    const future = new Date('2099-01-01T00:00:00Z');
    await fs.utimes(path.join(root, '.writer-lease'), future, future);
    const listed = await list(store);
    expect(listed.map((e) => [e.key, e.unreadable])).toEqual([
      [
        '.writer-lease',
        "the writer lease's file, its heartbeat dated in the future (2099-01-01T00:00:00.000Z): no claim, and the next writer replaces it",
      ],
      ['archive.json', undefined],
    ]);
  });

  it.runIf(canMakeDevices)(
    "lists a device node (here /dev/null's numbers) at a part key for what it is, and never opens it",
    async () => {
      const store = new LocalFolderStore({ root });
      const key = dataKey('', '2026-11-26', 1);
      await fs.mkdir(path.dirname(path.join(root, key)), { recursive: true });
      execFileSync('mknod', [path.join(root, key), 'c', '1', '3']);
      const listing = await readArchiveListing(store, 'whole');
      expect(listing.data.size).toBe(0);
      expect(listing.other.map((k) => [k.key, k.versions[0]?.unreadable])).toEqual([[key, 'a character device']]);
      await expect(read(store, key)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining('a character device'),
      });
      expect(await store.headObject(key, null)).toBeNull();
    },
  );
});
