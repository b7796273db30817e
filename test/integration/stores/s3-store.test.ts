/**
 * The S3 Object Lock store against a real Ceph RADOS Gateway (started once by globalSetup): what a
 * compliance officer relies on is that a bucket that is not WORM is refused, that every part lands
 * locked exactly once, and that tampering leaves evidence.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectLockConfigurationCommand,
  ListMultipartUploadsCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataKey, dayDataFolder } from '../../../shared/archive-layout';
import { initBucket } from '../../../main/engine/archive/stores/bucket-init';
import { confirmLock } from '../../../main/engine/archive/stores/confirm-lock';
import { GOVERNANCE_WARNING, type S3ObjectLockStore } from '../../../main/engine/archive/stores/s3-store';
import {
  collect,
  createPlainBucket,
  deleteMany,
  lockFor,
  openStore,
  part,
  putMany,
  rawClient,
  readAll,
  rgwConnection,
  sha256Hex,
  uniqueBucket,
} from './rgw-fixtures';

const PREFIX = 'acme/prod';
const COMPLIANCE_30 = { lockMode: 'COMPLIANCE', retentionDays: 30 } as const;

/** Flips one byte of the body of the given command after the store computed its hashes. */
function corruptOnTheWire(client: S3Client, commandName: string, partNumber?: number): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { body?: unknown; query?: Record<string, unknown> };
      const isTarget =
        context.commandName === commandName &&
        (partNumber === undefined || request.query?.partNumber === String(partNumber));
      if (isTarget && request.body instanceof Uint8Array) {
        const copy = Uint8Array.from(request.body);
        copy[0] = copy[0]! ^ 0xff;
        request.body = copy;
      }
      return next(args);
    },
    { step: 'build', priority: 'low', name: `corrupt-${commandName}-${partNumber ?? 'all'}` },
  );
}

describe('checking that a bucket can hold the archive', () => {
  it('a bucket made by bucket init is accepted with its default retention, and a second init changes nothing', async () => {
    const bucket = uniqueBucket('init');
    const summary = await initBucket({ connection: rgwConnection(), bucket, ...COMPLIANCE_30 });
    expect(summary).toMatchObject({
      bucket,
      created: true,
      retentionChanged: true,
      objectLock: 'Enabled',
      versioning: 'Enabled',
      defaultRetention: { mode: 'COMPLIANCE', days: 30 },
      warnings: [],
    });

    const readiness = await openStore(bucket).checkReady(COMPLIANCE_30);
    expect(readiness).toEqual({ worm: true, defaultRetention: { mode: 'COMPLIANCE', days: 30 }, warnings: [] });

    const again = await initBucket({ connection: rgwConnection(), bucket, ...COMPLIANCE_30 });
    expect(again.created).toBe(false);
    expect(again.retentionChanged).toBe(false);
    expect(again.defaultRetention).toEqual({ mode: 'COMPLIANCE', days: 30 });
  });

  it('bucket init raises a short default retention on an existing locked bucket, but never lowers one', async () => {
    const bucket = uniqueBucket('raise');
    await initBucket({ connection: rgwConnection(), bucket, lockMode: 'COMPLIANCE', retentionDays: 7 });

    const raised = await initBucket({ connection: rgwConnection(), bucket, lockMode: 'COMPLIANCE', retentionDays: 30 });
    expect(raised).toMatchObject({
      created: false,
      retentionChanged: true,
      defaultRetention: { mode: 'COMPLIANCE', days: 30 },
    });

    const kept = await initBucket({ connection: rgwConnection(), bucket, lockMode: 'COMPLIANCE', retentionDays: 10 });
    expect(kept).toMatchObject({
      created: false,
      retentionChanged: false,
      defaultRetention: { mode: 'COMPLIANCE', days: 30 },
    });
    expect(kept.warnings.join(' ')).toMatch(/left unchanged/);
  });

  it('bucket init refuses a name S3 would reject, before creating anything', async () => {
    const attempt = initBucket({
      connection: rgwConnection(),
      bucket: 'Audit_Archive',
      lockMode: 'COMPLIANCE',
      retentionDays: 30,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(attempt).rejects.toThrow(/bucket name/);
  });

  it('a bucket without Object Lock is refused as not WORM, and bucket init will not touch it', async () => {
    const bucket = uniqueBucket('plain');
    await createPlainBucket(bucket);

    const refusal = openStore(bucket).checkReady(COMPLIANCE_30);
    await expect(refusal).rejects.toMatchObject({ code: 'ARCHIVE_NOT_WORM' });
    await expect(refusal).rejects.toThrow(/audit-archive bucket init/);

    await expect(initBucket({ connection: rgwConnection(), bucket, ...COMPLIANCE_30 })).rejects.toMatchObject({
      code: 'ARCHIVE_NOT_WORM',
    });
    await expect(rawClient().send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).rejects.toMatchObject({
      name: 'ObjectLockConfigurationNotFoundError',
    });
  });

  it('a versioned bucket without Object Lock is refused, and a lock PUT into it is refused too', async () => {
    const bucket = uniqueBucket('versioned');
    const client = rawClient();
    await createPlainBucket(bucket, client);
    await client.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const store = openStore(bucket);

    await expect(store.checkReady(COMPLIANCE_30)).rejects.toMatchObject({ code: 'ARCHIVE_NOT_WORM' });
    const key = dataKey(PREFIX, '2026-11-27', 1);
    await expect(store.putObject(part(key, Buffer.from('{"id":"a"}\n'), lockFor(1)))).rejects.toMatchObject({
      code: 'ARCHIVE_NOT_WORM',
    });
    expect(await collect(store.listVersions(key))).toEqual([]);
  });

  it('a default retention shorter than the policy is refused', async () => {
    const bucket = uniqueBucket('short');
    await initBucket({ connection: rgwConnection(), bucket, ...COMPLIANCE_30 });

    const refusal = openStore(bucket).checkReady({ lockMode: 'COMPLIANCE', retentionDays: 2557 });
    await expect(refusal).rejects.toMatchObject({ code: 'ARCHIVE_RETENTION_TOO_SHORT' });
    await expect(refusal).rejects.toThrow(/30 days.*2557 days/);
  });

  it('a GOVERNANCE policy is accepted for trials but flagged', async () => {
    const bucket = uniqueBucket('gov');
    const summary = await initBucket({ connection: rgwConnection(), bucket, lockMode: 'GOVERNANCE', retentionDays: 7 });
    expect(summary.warnings).toContain(GOVERNANCE_WARNING);

    const readiness = await openStore(bucket).checkReady({ lockMode: 'GOVERNANCE', retentionDays: 7 });
    expect(readiness.defaultRetention).toEqual({ mode: 'GOVERNANCE', days: 7 });
    expect(readiness.warnings).toContain(GOVERNANCE_WARNING);
  });

  it('a bucket that does not exist is reported with the command that creates it', async () => {
    const refusal = openStore(uniqueBucket('missing')).checkReady(COMPLIANCE_30);
    await expect(refusal).rejects.toMatchObject({ code: 'ARCHIVE_UNREACHABLE' });
    await expect(refusal).rejects.toThrow(/does not exist.*audit-archive bucket init/);
  });

  it('a store that cannot be reached, or refuses the credentials, is reported unreachable without the secret', async () => {
    const { endpoint, credentials } = rgwConnection();
    const bucket = uniqueBucket('reach');
    await initBucket({ connection: rgwConnection(), bucket, ...COMPLIANCE_30 });

    const wrongSecret = 'not-the-secret-' + randomBytes(8).toString('hex');
    const denied = openStore(bucket, {
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: wrongSecret },
    }).checkReady(COMPLIANCE_30);
    await expect(denied).rejects.toMatchObject({ code: 'ARCHIVE_UNREACHABLE' });
    const message = await denied.catch((e: Error) => e.message);
    expect(message).toMatch(/credentials/);
    expect(message).not.toContain(wrongSecret);

    const closedPort = endpoint.replace(/:\d+$/, ':9');
    const down = openStore(bucket, { endpoint: closedPort }).checkReady(COMPLIANCE_30);
    await expect(down).rejects.toMatchObject({ code: 'ARCHIVE_UNREACHABLE' });
    await expect(down).rejects.toThrow(/network|endpoint/);
  });
});

describe('writing archive parts', () => {
  let bucket: string;
  let store: S3ObjectLockStore;
  beforeAll(async () => {
    bucket = uniqueBucket('parts');
    await initBucket({ connection: rgwConnection(), bucket, lockMode: 'COMPLIANCE', retentionDays: 1 });
    store = openStore(bucket);
  });

  it('a part is read back locked in COMPLIANCE until the asked date, with a version id and its bytes', async () => {
    const key = dataKey(PREFIX, '2026-11-01', 1);
    const body = randomBytes(4096);
    const lock = lockFor(3);
    const put = await store.putObject(part(key, body, lock));

    expect(put).toMatchObject({ key, size: 4096 });
    expect(put.versionId).toEqual(expect.any(String));
    const info = await confirmLock(store, put, { lock, size: body.length });
    expect(info).toEqual({ key, versionId: put.versionId, size: 4096, lock, legalHold: false });
    expect(sha256Hex(await readAll(store.getObject(key, put.versionId)))).toBe(sha256Hex(body));
  });

  it('a lock that reads back different from what was asked is not confirmed', async () => {
    const key = dataKey(PREFIX, '2026-11-02', 1);
    const body = randomBytes(100);
    const lock = lockFor(2);
    const put = await store.putObject(part(key, body, lock));

    const longer = {
      mode: 'COMPLIANCE' as const,
      retainUntil: new Date(Date.parse(lock.retainUntil) + 86_400_000).toISOString(),
    };
    await expect(confirmLock(store, put, { lock: longer, size: 100 })).rejects.toMatchObject({
      code: 'ARCHIVE_LOCK_NOT_CONFIRMED',
    });
    await expect(confirmLock(store, put, { lock: { ...lock, mode: 'GOVERNANCE' }, size: 100 })).rejects.toMatchObject({
      code: 'ARCHIVE_LOCK_NOT_CONFIRMED',
    });
    await expect(confirmLock(store, put, { lock, size: 101 })).rejects.toMatchObject({
      code: 'ARCHIVE_LOCK_NOT_CONFIRMED',
    });
    await expect(confirmLock(store, { ...put, key: key + '.missing' }, { lock, size: 100 })).rejects.toMatchObject({
      code: 'ARCHIVE_LOCK_NOT_CONFIRMED',
    });
  });

  it('a second write to the same key is refused and the first version stays intact', async () => {
    const key = dataKey(PREFIX, '2026-11-03', 1);
    const first = randomBytes(512);
    const put = await store.putObject(part(key, first, lockFor(1)));

    await expect(store.putObject(part(key, randomBytes(512), lockFor(1)))).rejects.toMatchObject({
      code: 'ARCHIVE_OBJECT_EXISTS',
    });

    const versions = await collect(store.listVersions(key));
    expect(versions.map((v) => v.versionId)).toEqual([put.versionId]);
    expect(sha256Hex(await readAll(store.getObject(key, null)))).toBe(sha256Hex(first));
  });

  it('bytes changed after hashing are refused before anything is sent', async () => {
    const key = dataKey(PREFIX, '2026-11-04', 1);
    const body = randomBytes(256);
    const input = { ...part(key, body, lockFor(1)), sha256: sha256Hex(randomBytes(256)) };
    const before = store.requestCount;

    await expect(store.putObject(input)).rejects.toMatchObject({ code: 'ARCHIVE_INTEGRITY' });
    expect(store.requestCount).toBe(before);
  });

  it('bytes corrupted on the wire never land: the store sends Content-MD5 and the server checks it', async () => {
    const corrupting = openStore(bucket);
    corruptOnTheWire(corrupting.client, 'PutObjectCommand');
    const key = dataKey(PREFIX, '2026-11-05', 1);

    const refusal = corrupting.putObject(part(key, randomBytes(2048), lockFor(1)));
    await expect(refusal).rejects.toMatchObject({ code: 'ARCHIVE_INTEGRITY' });
    await expect(refusal).rejects.toThrow(/Content-MD5/);
    expect(await collect(store.listVersions(key))).toEqual([]);
  });

  it('a large part goes multipart, round-trips byte for byte and is locked', async () => {
    const big = openStore(bucket, { multipartThresholdBytes: 5 * 1024 * 1024, multipartPartBytes: 5 * 1024 * 1024 });
    const key = dataKey(PREFIX, '2026-11-06', 1);
    const body = randomBytes(12 * 1024 * 1024 + 17);
    const lock = lockFor(5);

    const put = await big.putObject(part(key, body, lock));
    // check, create, three parts, complete: at least six requests; a single PUT would be two.
    expect(big.requestCount).toBeGreaterThanOrEqual(6);
    await confirmLock(store, put, { lock, size: body.length });
    expect(sha256Hex(await readAll(store.getObject(key, put.versionId)))).toBe(sha256Hex(body));
    expect(await collect(store.listVersions(key))).toHaveLength(1);
  });

  it('a multipart part lands locked even in a bucket without default retention', async () => {
    const bare = uniqueBucket('nodefault');
    const client = rawClient();
    await client.send(new CreateBucketCommand({ Bucket: bare, ObjectLockEnabledForBucket: true }));
    const big = openStore(bare, { multipartThresholdBytes: 5 * 1024 * 1024, multipartPartBytes: 5 * 1024 * 1024 });
    const readiness = await big.checkReady(COMPLIANCE_30);
    expect(readiness.defaultRetention).toBeNull();
    expect(readiness.warnings.join(' ')).toMatch(/no default retention/);

    const key = dataKey(PREFIX, '2026-11-07', 1);
    const body = randomBytes(6 * 1024 * 1024);
    const lock = lockFor(30);
    const put = await big.putObject(part(key, body, lock));
    expect((await confirmLock(big, put, { lock, size: body.length })).lock).toEqual(lock);
  });

  it('a multipart upload that fails is aborted and leaves nothing behind', async () => {
    const big = openStore(bucket, { multipartThresholdBytes: 5 * 1024 * 1024, multipartPartBytes: 5 * 1024 * 1024 });
    corruptOnTheWire(big.client, 'UploadPartCommand', 2);
    const key = dataKey(PREFIX, '2026-11-08', 1);

    await expect(big.putObject(part(key, randomBytes(11 * 1024 * 1024), lockFor(1)))).rejects.toMatchObject({
      code: 'ARCHIVE_INTEGRITY',
    });
    const uploads = await rawClient().send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
    expect(uploads.Uploads ?? []).toEqual([]);
    expect(await collect(store.listVersions(key))).toEqual([]);
  });
});

describe('tampering', () => {
  it('a locked version cannot be deleted; a plain delete only adds a delete marker, which the listing reports', async () => {
    const bucket = uniqueBucket('tamper');
    await initBucket({ connection: rgwConnection(), bucket, lockMode: 'COMPLIANCE', retentionDays: 1 });
    const store = openStore(bucket);
    const attacker = rawClient();
    const key = dataKey(PREFIX, '2026-10-31', 1);
    const lock = lockFor(1);
    const put = await store.putObject(part(key, Buffer.from('{"id":"evidence"}\n'), lock));

    await expect(
      attacker.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: put.versionId! })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const marker = await attacker.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect(marker.DeleteMarker).toBe(true);

    const entries = await collect(store.listVersions(dayDataFolder(PREFIX, '2026-10-31')));
    expect(entries).toEqual([
      expect.objectContaining({ key, versionId: marker.VersionId, isDeleteMarker: true, isLatest: true }),
      expect.objectContaining({ key, versionId: put.versionId, isDeleteMarker: false, isLatest: false, size: 18 }),
    ]);
    expect(await store.headObject(key, null)).toBeNull();
    expect(await store.headObject(key, marker.VersionId!)).toBeNull();
    expect((await store.headObject(key, put.versionId))?.lock).toEqual(lock);
    // The day's key stays taken: a rerun writes the next part instead of hiding the marker.
    await expect(store.putObject(part(key, Buffer.from('{"id":"forged"}\n'), lockFor(1)))).rejects.toMatchObject({
      code: 'ARCHIVE_OBJECT_EXISTS',
    });
  });
});

describe('listing the archive', () => {
  it('a mass deletion is listed in full: 2,500 versions and delete markers in 3 requests', async () => {
    const bucket = uniqueBucket('list');
    await initBucket({ connection: rgwConnection(), bucket, lockMode: 'COMPLIANCE', retentionDays: 1 });
    const keys = Array.from({ length: 2500 }, (_, i) => dataKey(PREFIX, '2026-09-01', i + 1));
    const client = rawClient();
    // 100 stored parts, and 2,400 delete markers (bulk deletes are ~10x faster to set up than PUTs).
    await putMany(client, bucket, keys.slice(0, 100));
    await deleteMany(client, bucket, keys.slice(100));
    const store = openStore(bucket);

    const before = store.requestCount;
    const entries = await collect(store.listVersions(`${PREFIX}/audit-logs/`));
    expect(store.requestCount - before).toBe(3);
    expect(entries.map((e) => e.key)).toEqual([...keys].sort());
    expect(entries.filter((e) => e.isDeleteMarker)).toHaveLength(2400);
    expect(entries.every((e) => e.isLatest && e.versionId !== null)).toBe(true);
  });
});
