/**
 * What the store tests share: the running RADOS Gateway (from globalSetup), unique bucket names and
 * a raw S3 client for doing what the archive never does (deleting, writing unlocked buckets).
 */
import { CreateBucketCommand, DeleteObjectsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { ObjectLock, PutObjectInput } from '../../../main/engine/archive/archive-store';
import { S3ObjectLockStore, type S3StoreOptions } from '../../../main/engine/archive/stores/s3-store';

export function rgwConnection(): Required<
  Pick<S3StoreOptions, 'endpoint' | 'forcePathStyle' | 'region' | 'credentials'>
> {
  const rgw = inject('rgw');
  return {
    endpoint: rgw.endpoint,
    forcePathStyle: true,
    region: rgw.region,
    credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  };
}

/** A raw client: the archive code never deletes, so tests that play the attacker use this. */
export function rawClient(): S3Client {
  return new S3Client(rgwConnection());
}

export function uniqueBucket(label: string): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

export function openStore(bucket: string, extra: Partial<S3StoreOptions> = {}): S3ObjectLockStore {
  return new S3ObjectLockStore({ bucket, prefix: 'acme/prod', ...rgwConnection(), ...extra });
}

export async function createPlainBucket(bucket: string, client = rawClient()): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** A lock `days` from now, to the millisecond (S3 keeps milliseconds). */
export function lockFor(days: number, mode: ObjectLock['mode'] = 'COMPLIANCE'): ObjectLock {
  return { mode, retainUntil: new Date(Date.now() + days * 86_400_000).toISOString() };
}

export function part(key: string, body: Uint8Array, lock: ObjectLock): PutObjectInput {
  return { key, body, sha256: sha256Hex(body), contentType: 'application/gzip', lock };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const i of items) out.push(i);
  return out;
}

/** Writes many small objects quickly with the raw client (for listing tests). */
export async function putMany(client: S3Client, bucket: string, keys: string[], concurrency = 24): Promise<void> {
  let next = 0;
  const body = Buffer.from('{}\n');
  const md5 = createHash('md5').update(body).digest('base64');
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const key = keys[next++]!;
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentMD5: md5 }));
      }
    }),
  );
}

/** Plain (unversioned) deletes of many keys, 250 per request: each adds a delete marker. */
export async function deleteMany(client: S3Client, bucket: string, keys: string[]): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < keys.length; i += 250) batches.push(keys.slice(i, i + 250));
  await Promise.all(
    batches.map(async (batch) => {
      const reply = await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      if (reply.Errors?.length)
        throw new Error(`bulk delete failed for ${reply.Errors.length} keys: ${reply.Errors[0]?.Code}`);
    }),
  );
}
