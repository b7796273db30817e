/**
 * Attacks on an S3 archive by someone who holds the exporter's own credentials (its role: PutObject,
 * no delete, no bypass), against a real Ceph RADOS Gateway with Object Lock. Each must make
 * `audit-archive verify`, run as a separate process, exit 1 and name the day and the key, in its
 * text and in `--json`; the exporter keeps working beside the evidence.
 * The same attacks on a local folder are in test/unit/archive/archive-integrity.test.ts.
 */
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataKey, manifestKey, rootKey } from '../../../shared/archive-layout';
import { addDays, dayInterval, lastSettledDay, type Day } from '../../../shared/day';
import {
  canonicalJsonBytes,
  generateSigningKey,
  sha256Hex,
  signManifest,
  signingKeyFromPem,
} from '../../../main/engine/archive/signing';
import { startGenesysSimulator, type GenesysSimulator } from '../../../main/engine/genesys/simulator/server';
import { readArchiveAfresh } from '../../unit/archive/verify-archive.helpers';
import { rawClient } from '../stores/rgw-fixtures';
import {
  PREFIX,
  exporterBucket,
  exporterClient,
  exporterEnv,
  exporterStore,
  putAs,
  readObject,
  runCli,
  verifyCli,
} from './exporter-rgw-fixture';

const RETENTION_DAYS = 2;

describe("attacks with the exporter's own credentials on an archive in Ceph RGW", () => {
  const last = lastSettledDay(Date.now(), 120);
  /** Archived before each attack, oldest first; the newest manifest is the last day's. */
  const days: Day[] = [addDays(last, -2), addDays(last, -1), last];
  /** A settled day not archived yet: what the exporter archives after the attack. */
  const nextDay = addDays(last, -3);
  const attacker = exporterClient();
  let sim: GenesysSimulator;
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'attacks-rgw-'));
    sim = await startGenesysSimulator({ eventsPerDay: 300, duplicateRate: 0.1, seed: 17 });
  });
  afterAll(async () => {
    await sim?.close();
    await rm(home, { recursive: true, force: true });
  });

  /** A clean, three-day archive in a bucket of its own, written by the CLI as the exporter. */
  async function archivedByExporter(label: string) {
    const bucket = await exporterBucket(label, 'COMPLIANCE', RETENTION_DAYS);
    const env = exporterEnv({
      home,
      target: `s3://${bucket}/${PREFIX}`,
      sim,
      retentionDays: RETENTION_DAYS,
      stateDir: join(home, `state-${bucket}`),
    });
    const catchUp = await runCli(['catch-up', '--from', days[0] as Day, '--to', last], env);
    expect(catchUp.stderr).toMatch(/Catch-up finished: 3 day\(s\) archived, 0 failed/);
    expect(catchUp.code).toBe(0);
    const store = exporterStore(bucket);
    const before = await readArchiveAfresh(store);
    expect(before.assessment.problems).toEqual([]);
    expect(before.assessment.head?.sequence).toBe(3);
    return { bucket, env, store, before };
  }

  /** The installation's own signing key, from the key file beside its state folder (exporterEnv). */
  async function installationKey(env: NodeJS.ProcessEnv) {
    const file = join(home, 'keys', `${basename(env.AUDIT_ARCHIVE_STATE_DIR as string)}.pem`);
    return signingKeyFromPem(await readFile(file, 'utf8'), file);
  }

  it('a new version over a data part (one event taken out) is version-added on that day and key, without reading a byte', async () => {
    const { bucket, env, store, before } = await archivedByExporter('att-data');
    const day = days[1] as Day;
    const object = before.assessment.days.get(day)?.manifests[0]?.manifest.objects[0];
    if (!object) throw new Error('the day has no data part');
    const lines = gunzipSync(await readObject(store, object.key, object.versionId))
      .toString('utf8')
      .split('\n');
    const forged = gzipSync(lines.slice(1).join('\n'));
    await putAs(attacker, bucket, object.key, forged);
    // What Athena and any plain GET read now: the forged bytes.
    const plain = await attacker.send(new GetObjectCommand({ Bucket: bucket, Key: object.key }));
    expect(Buffer.from(await plain.Body!.transformToByteArray()).equals(forged)).toBe(true);

    const { text, json, report } = await verifyCli([], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${day} version-added ${object.key}`);
    expect(json.code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ day, kind: 'version-added', key: object.key })]);
  });

  it('a new version of the newest manifest is version-added; the exporter goes on from the original and links to it', async () => {
    const { bucket, env, store, before } = await archivedByExporter('att-head');
    const head = before.assessment.head!;
    const original = before.assessment.chain.at(-1)!;
    // The rewrite an auditor hiding an event would make: one event fewer. It cannot be re-signed.
    const rewritten = canonicalJsonBytes({
      ...original.manifest,
      events: original.manifest.events - 1,
      dayEventsTotal: original.manifest.dayEventsTotal - 1,
    });
    await putAs(attacker, bucket, head.key, rewritten);

    const { text, json, report } = await verifyCli([], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${last} version-added ${head.key}`);
    expect(json.code).toBe(1);
    expect(report.problems).toEqual([expect.objectContaining({ day: last, kind: 'version-added', key: head.key })]);
    // The head is still the version the archive wrote.
    expect(report.archive?.head).toEqual(head);

    const exported = await runCli(['export', '--day', nextDay], env);
    expect(exported.stderr).toContain(`${nextDay}: archived`);
    expect(exported.code).toBe(0);
    const after = await readArchiveAfresh(store);
    const appended = after.assessment.chain.at(-1)!;
    expect(appended.manifest).toMatchObject({
      day: nextDay,
      sequence: 4,
      previous: { key: head.key, sequence: 3, sha256: head.sha256 },
    });
    expect(after.assessment.problems).toEqual([
      expect.objectContaining({ day: last, kind: 'version-added', key: head.key }),
    ]);
    // And the evidence stays: verify keeps failing on the forged version, and on nothing else.
    const again = await verifyCli([], env);
    expect(again.json.code).toBe(1);
    expect(again.report.problems).toEqual([
      expect.objectContaining({ day: last, kind: 'version-added', key: head.key }),
    ]);
    expect(again.report.archive?.head?.sequence).toBe(4);
  });

  it('an appended, well-linked manifest signed with another key is signature-invalid; the head stays, and the exporter steps over its key', async () => {
    const { bucket, env, store, before } = await archivedByExporter('att-sign');
    const head = before.assessment.head!;
    const { signature: _signature, ...unsigned } = before.assessment.chain.at(-1)!.manifest;
    const forgedKey = manifestKey(PREFIX, nextDay, 4);
    const forged = signManifest(
      {
        ...unsigned,
        sequence: 4,
        day: nextDay,
        interval: dayInterval(nextDay),
        kind: 'export',
        supersedes: [],
        orphansIgnored: [],
        queries: [],
        objects: [],
        events: 0,
        dayEventsTotal: 0,
        firstEventDate: null,
        lastEventDate: null,
        previous: { key: head.key, sequence: head.sequence, sha256: head.sha256 },
      },
      generateSigningKey(),
    );
    await putAs(attacker, bucket, forgedKey, canonicalJsonBytes(forged));

    const { text, json, report } = await verifyCli([], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${nextDay} signature-invalid ${forgedKey}`);
    expect(json.code).toBe(1);
    expect(report.problems).toEqual([
      expect.objectContaining({ day: nextDay, kind: 'signature-invalid', key: forgedKey }),
    ]);
    expect(report.archive?.head).toEqual(head);

    // The day the forgery claims is still missing, so the exporter archives it, beside the forgery.
    const exported = await runCli(['export', '--day', nextDay], env);
    expect(exported.code).toBe(0);
    const after = await readArchiveAfresh(store);
    expect(
      after.assessment.days.get(nextDay)?.manifests.map((m) => [m.key, m.manifest.sequence, m.manifest.previous?.key]),
    ).toEqual([[manifestKey(PREFIX, nextDay, 5), 5, head.key]]);
    expect(after.assessment.problems).toEqual([
      expect.objectContaining({ day: nextDay, kind: 'signature-invalid', key: forgedKey }),
    ]);
  });

  it('a reconcile signed with the installation key whose part repeats an archived event passes every check but verify --full, which names it', async () => {
    const { env, store, before } = await archivedByExporter('att-dup');
    const day = days[1] as Day;
    const earlier = before.assessment.days.get(day)!.manifests;
    const exported = earlier[0]!.manifest.objects[0]!;
    const line = gunzipSync(await readObject(store, exported.key, exported.versionId))
      .toString('utf8')
      .split('\n')[2]!;
    // What a holder of the key and the exporter's credentials can add: new keys only, each locked,
    // one version each, a manifest signed and linked at the head. Its one event is already archived.
    const raw = Buffer.from(line + '\n');
    const body = gzipSync(raw);
    const partKey = dataKey(PREFIX, day, earlier.flatMap((m) => m.manifest.objects).length + 1);
    const lock = {
      mode: 'COMPLIANCE' as const,
      retainUntil: new Date(Date.now() + (RETENTION_DAYS + 1) * 86_400_000).toISOString(),
    };
    const part = await store.putObject({
      key: partKey,
      body,
      sha256: sha256Hex(body),
      contentType: 'application/gzip',
      lock,
    });
    const partLock = (await store.headObject(partKey, part.versionId))!.lock!;
    const head = before.assessment.head!;
    const { signature: _s, ...unsigned } = earlier.at(-1)!.manifest;
    const forged = signManifest(
      {
        ...unsigned,
        sequence: head.sequence + 1,
        kind: 'reconcile',
        supersedes: earlier.map((m) => ({ key: m.key, sha256: m.sha256 })),
        orphansIgnored: [],
        events: 1,
        dayEventsTotal: unsigned.dayEventsTotal + 1,
        duplicatesDropped: 0,
        outsideIntervalDropped: 0,
        objects: [
          {
            key: partKey,
            versionId: part.versionId,
            sha256Raw: sha256Hex(raw),
            sha256: sha256Hex(body),
            size: body.length,
            rawSize: raw.length,
            events: 1,
            firstEventDate: null,
            lastEventDate: null,
            lockMode: partLock.mode,
            retainUntil: new Date(Date.parse(partLock.retainUntil)).toISOString(),
          },
        ],
        createdAt: new Date().toISOString(),
        previous: head,
      },
      await installationKey(env),
    );
    const bytes = canonicalJsonBytes(forged);
    await store.putObject({
      key: manifestKey(PREFIX, day, head.sequence + 1),
      body: bytes,
      sha256: sha256Hex(bytes),
      contentType: 'application/json',
      lock,
    });

    const fast = await verifyCli([], env);
    expect(fast.report.problems).toEqual([]);
    expect(fast.json.code).toBe(0);
    const { text, json, report } = await verifyCli(['--full'], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      `${day} event-duplicated ${partKey}: Event id "${JSON.parse(line).id}" is in the parts of ${day} 2 times: ${exported.key} line 3, ${partKey} line 1.`,
    );
    expect(json.code).toBe(1);
    expect(report.problems).toEqual([expect.objectContaining({ day, kind: 'event-duplicated', key: partKey })]);
  });

  it('a delete marker on a manifest: the exporter cannot make one, and one made with delete rights is named', async () => {
    const { bucket, env, before } = await archivedByExporter('att-marker');
    const day = days[1] as Day;
    const key = before.assessment.days.get(day)!.manifests[0]!.key;
    // The exporter's role has no s3:DeleteObject: its own credentials cannot even hide a manifest.
    await expect(attacker.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    // Someone with s3:DeleteObject (an administrator) can: a plain delete adds a marker.
    await rawClient().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));

    const { text, json, report } = await verifyCli([], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`${day} delete-marker ${key}`);
    expect(json.code).toBe(1);
    expect(report.problems).toEqual([expect.objectContaining({ day, kind: 'delete-marker', key })]);
  });

  it('junk manifest-shaped keys never wedge: one far in the future, and a run of them under the very keys the exporter writes next', async () => {
    const { bucket, env, store } = await archivedByExporter('att-junk');
    const future = `${PREFIX}/manifests/2099/01/01/9999999999.json`;
    await putAs(attacker, bucket, future, '{"format":"audit-archive/manifest@2","sequence":9999999999}');
    // The exporter's next manifest is sequence 4 of the next day: someone who can list the archive
    // can plant that key, and the next ones, before it is written.
    const planted = [4, 5, 6, 7, 8, 9, 10, 11].map((n) => manifestKey(PREFIX, nextDay, n));
    for (const key of planted) await putAs(attacker, bucket, key, 'junk');

    const exported = await runCli(['export', '--day', nextDay], env);
    expect(exported.stderr).toContain(`${nextDay}: archived`);
    expect(exported.code).toBe(0);
    const after = await readArchiveAfresh(store);
    const head = after.assessment.chain.at(-1)!;
    expect([head.key, head.manifest.previous?.sequence]).toEqual([manifestKey(PREFIX, nextDay, 12), 3]);

    // Bounded by the listing, not by the number in a key (the old verifier counted up to it).
    const { text, json, report } = await verifyCli([], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`2099-01-01 manifest-invalid ${future}`);
    for (const key of planted) expect(text.stdout).toContain(`${nextDay} manifest-invalid ${key}`);
    expect(json.code).toBe(1);
    expect(report.problems).toEqual([
      ...planted.map((key) => expect.objectContaining({ day: nextDay, kind: 'manifest-invalid', key })),
      expect.objectContaining({ day: '2099-01-01', kind: 'manifest-invalid', key: future }),
    ]);
    expect(report.archive?.head?.sequence).toBe(12);
  }, 90_000);

  it('the root object overwritten with a new version (naming another key) is version-added on the root; the original still rules', async () => {
    const { bucket, env, store } = await archivedByExporter('att-root');
    const key = rootKey(PREFIX);
    const root = JSON.parse((await readObject(store, key)).toString('utf8')) as Record<string, unknown>;
    const other = generateSigningKey();
    await putAs(
      attacker,
      bucket,
      key,
      canonicalJsonBytes({
        ...root,
        signingKey: { algorithm: 'Ed25519', publicKey: other.publicKeyBase64, fingerprint: other.fingerprint },
      }),
    );

    const { text, json, report } = await verifyCli([], env);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`archive version-added ${key}`);
    expect(json.code).toBe(1);
    expect(report.problems).toEqual([expect.objectContaining({ day: null, kind: 'version-added', key })]);
    // Signatures are still checked against the key the archive was created with.
    expect(report.archive?.keyFingerprint).toBe((root.signingKey as { fingerprint: string }).fingerprint);
  });
});
