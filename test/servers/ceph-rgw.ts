/**
 * A real S3 endpoint with Object Lock for the integration tests: a single-node Ceph cluster (one
 * monitor, one in-memory OSD, one RADOS Gateway) on 127.0.0.1, started from Debian's binaries.
 *
 * Recipe, settings and measured facts: docs/STORAGE.md. Every path (config, data, pid files,
 * sockets, logs) lives under one temporary folder and every port is a free one, so several clusters
 * (engineers or CI jobs on the same machine) never meet. A cluster left behind by a crashed run is
 * found by its `owner.pid` and stopped before a new one starts.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface RgwConnection {
  /** `http://127.0.0.1:PORT`: use with `forcePathStyle: true`. */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: 'us-east-1';
  /** A second user with no rights of its own: tests grant it the exporter's policy as a bucket policy. */
  readonly exporter: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface RunningRgw extends RgwConnection {
  /** The folder holding this cluster's config, data, logs and pid files. */
  readonly dir: string;
  /** Stops every daemon by its pid file and removes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

const BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'ceph-authtool', 'monmaptool'] as const;
const NOT_INSTALLED = 'Ceph is not installed: run `sudo bash .ci/install-system-packages.sh`';
const DIR_PREFIX = 'audit-archive-rgw-';
const RGW_NAME = 'client.rgw.test';
/** Daemons in the order they are stopped (clients before servers). */
const DAEMONS = [RGW_NAME, 'osd.0', 'mon.a'] as const;
const READY_TIMEOUT_MS = 90_000;
const COMMAND_TIMEOUT_MS = 60_000;

/**
 * Starts a fresh cluster and returns how to reach its S3 endpoint.
 *
 * A fresh single-node cluster occasionally fails its first start (the OSD reports a wrong fsid), so
 * a failed attempt is stopped completely and retried once in a fresh folder.
 */
export async function startCephRgw(options: { dir?: string } = {}): Promise<RunningRgw> {
  await assertCephInstalled();
  await stopAbandonedClusters();
  const parent = options.dir ?? tmpdir();
  await mkdir(parent, { recursive: true });
  let firstError: unknown;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const dir = await mkdtemp(join(parent, DIR_PREFIX));
    try {
      return await startCluster(dir);
    } catch (e) {
      await stopCluster(dir).catch(() => undefined);
      if (attempt === 2) {
        throw new Error(
          `Ceph RADOS Gateway did not start twice. First attempt: ${describe(firstError)}. Second attempt: ${describe(e)}`,
        );
      }
      firstError = e;
    }
  }
  throw new Error('unreachable');
}

async function startCluster(dir: string): Promise<RunningRgw> {
  await writeFile(join(dir, 'owner.pid'), String(process.pid));
  for (const sub of ['run', 'log', 'mon', 'osd/osd.0', 'rgw']) await mkdir(join(dir, sub), { recursive: true });
  const [monPort = 0, rgwPort = 0] = await freePorts(2);
  const fsid = randomUUID();
  const conf = join(dir, 'ceph.conf');
  await writeFile(conf, cephConf({ dir, fsid, monPort, rgwPort }));
  const keyring = join(dir, 'keyring');
  const c = ['-c', conf];

  await run('ceph-authtool', ['--create-keyring', keyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
  await run('ceph-authtool', [
    keyring,
    '--gen-key',
    '-n',
    'client.admin',
    ...['--cap', 'mon', 'allow *'],
    ...['--cap', 'osd', 'allow *'],
    ...['--cap', 'mgr', 'allow *'],
  ]);
  const monmap = join(dir, 'monmap');
  await run('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v1:127.0.0.1:${monPort}]`, monmap]);
  await run('ceph-mon', [...c, '--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', keyring]);
  await run('ceph-mon', [...c, '-i', 'a']);

  const osdUuid = randomUUID();
  const osdId = (await run('ceph', [...c, '--connect-timeout', '30', 'osd', 'new', osdUuid])).trim();
  if (osdId !== '0') throw new Error(`expected the first OSD to be osd.0, got "${osdId}"`);
  await run('ceph-osd', [...c, '-i', '0', '--mkfs', '--osd-uuid', osdUuid]);
  // With `osd crush chooseleaf type = 0` the OSD can sit directly under the root: one command, not three.
  await run('ceph', [...c, '--connect-timeout', '30', 'osd', 'crush', 'add', 'osd.0', '1.0', 'root=default']);
  await run('ceph-osd', [...c, '-i', '0']);
  await run('radosgw', [...c, '-n', RGW_NAME]);

  const endpoint = `http://127.0.0.1:${rgwPort}`;
  await waitForGateway(dir, endpoint);
  const admin = await createUser(c, 'test');
  const exporter = await createUser(c, 'exporter');
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    ...admin,
    region: 'us-east-1',
    exporter,
    dir,
    stop: () => (stopped ??= stopCluster(dir)),
  };
}

async function createUser(c: string[], uid: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const accessKeyId = 'AK' + randomBytes(9).toString('hex').toUpperCase();
  const secretAccessKey = randomBytes(24).toString('base64url');
  await run('radosgw-admin', [
    ...c,
    'user',
    'create',
    `--uid=${uid}`,
    `--display-name=${uid}`,
    `--access-key=${accessKeyId}`,
    `--secret=${secretAccessKey}`,
  ]);
  return { accessKeyId, secretAccessKey };
}

/** One-node, no-auth, in-memory cluster; every path under `dir` (each setting's reason: docs/STORAGE.md). */
function cephConf(o: { dir: string; fsid: string; monPort: number; rgwPort: number }): string {
  const d = o.dir;
  return `[global]
fsid = ${o.fsid}
mon host = v1:127.0.0.1:${o.monPort}
mon initial members = a
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
# The monitor batches map changes every second by default; RGW's first start creates a handful of
# pools one after another, so a short interval halves the cluster start (measured 17 s -> 8 s).
paxos propose interval = 0.1
paxos min wait = 0.01
osd crush chooseleaf type = 0
run dir = ${d}/run
pid file = ${d}/run/$name.pid
admin socket = ${d}/run/$name.asok
log file = ${d}/log/$name.log
mon data = ${d}/mon/$name
osd data = ${d}/osd/$name
keyring = ${d}/keyring
[mon]
mon cluster log file = ${d}/log/cluster.log
[osd]
osd objectstore = memstore
memstore device bytes = 4294967296
osd max object name len = 460
osd max object namespace len = 64
# The OSD's own crush/device-class update at start can race its monitor session and be refused with
# "wrong fsid" (the command carries an all-zero fsid); the OSD is placed in the crush map above anyway.
osd crush update on start = false
osd class update on start = false
[${RGW_NAME}]
rgw frontends = beast endpoint=127.0.0.1:${o.rgwPort}
rgw data = ${d}/rgw
`;
}

/** Polls the gateway until it answers 200; fails early if the radosgw process is gone. */
async function waitForGateway(dir: string, endpoint: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(endpoint, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = describe(e);
    }
    const pid = await readPid(dir, RGW_NAME);
    if (pid !== null && !(await isOurDaemon(pid, dir))) {
      throw new Error(`radosgw exited before answering: ${await logTail(dir, RGW_NAME)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `radosgw did not answer 200 within ${READY_TIMEOUT_MS / 1000} s (${last}): ${await logTail(dir, 'osd.0')}`,
  );
}

/** Stops the daemons this folder's pid files name (only if they really run this folder's config), then removes it. */
async function stopCluster(dir: string): Promise<void> {
  for (const name of DAEMONS) {
    const pid = await readPid(dir, name);
    if (pid === null || !(await isOurDaemon(pid, dir))) continue;
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await isOurDaemon(pid, dir))) await new Promise((r) => setTimeout(r, 100));
    if (await isOurDaemon(pid, dir)) signal(pid, 'SIGKILL');
  }
  await rm(dir, { recursive: true, force: true });
}

/** Clusters whose owning test process died (a crash, a killed terminal) would hold memory forever. */
async function stopAbandonedClusters(): Promise<void> {
  const base = tmpdir();
  const entries = await readdir(base).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.startsWith(DIR_PREFIX)) continue;
    const dir = join(base, entry);
    const owner = Number((await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue;
    await stopCluster(dir).catch(() => undefined);
  }
}

async function readPid(dir: string, name: string): Promise<number | null> {
  const text = await readFile(join(dir, 'run', `${name}.pid`), 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Guards against pid reuse: the process must be alive and started with this folder's ceph.conf. */
async function isOurDaemon(pid: number, dir: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').includes(join(dir, 'ceph.conf'));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function assertCephInstalled(): Promise<void> {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const bin of BINARIES) {
    let found = false;
    for (const d of dirs) {
      if (
        await access(join(d, bin), fsConstants.X_OK).then(
          () => true,
          () => false,
        )
      ) {
        found = true;
        break;
      }
    }
    if (!found) throw new Error(NOT_INSTALLED);
  }
}

/** Runs one Ceph command; daemons fork into the background, so their start command returns. */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.CEPH_ARGS;
    delete env.CEPH_CONF;
    execFile(cmd, args, { timeout: COMMAND_TIMEOUT_MS, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err)
        reject(
          new Error(
            `${cmd} ${args.filter((a) => !a.startsWith('--secret')).join(' ')} failed: ${err.message.split('\n')[0]} ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
      else resolve(stdout);
    });
  });
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (a === null || typeof a === 'string') throw new Error('no port');
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function logTail(dir: string, name: string): Promise<string> {
  const text = await readFile(join(dir, 'log', `${name}.log`), 'utf8').catch(() => '');
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => / -1 |error|fail/i.test(l));
  return lines.slice(-3).join(' | ') || `(no errors in ${name}.log)`;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
