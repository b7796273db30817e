/**
 * The bundle's signature: `SHA256SUMS.sig`, the raw 64-byte Ed25519 signature of `SHA256SUMS` by the
 * archive's own signing key, beside `archive-public-key.pem` (its public half as SPKI PEM, whose
 * SHA-256 over the DER is the fingerprint on the cover and in `audit-archive key show`). So an
 * examiner checks, with OpenSSL alone, that nobody changed a file and recomputed the sums:
 *
 *   openssl pkeyutl -verify -pubin -inkey archive-public-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig
 *
 * The key is the one in effect at report time: the root's, or its successor after a key rotation or
 * restart (key-succession.ts); the bundle also holds the key-succession records that link the root's
 * key to it, so manifests signed by an earlier key are checked with that key (verify_bundle.py).
 * The private key is taken where this installation keeps it (the archive's key store, as a writer
 * takes it); where it is not on this machine the bundle is unsigned and the cover says so, and why.
 */
import { createPublicKey, sign, verify } from 'node:crypto';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { formatFingerprint } from '../../../shared/archive-root';
import type { Archive } from '../archive/archive';
import type { Assessment } from '../archive/assessment';
import { currentPublicKey } from '../archive/key-succession';
import type { SigningKey } from '../archive/signing';

export const PUBLIC_KEY_NAME = 'archive-public-key.pem';
export const SIGNATURE_NAME = 'SHA256SUMS.sig';

export type BundleSigner =
  | { readonly signed: true; readonly fingerprint: string; readonly key: SigningKey }
  | { readonly signed: false; readonly fingerprint: string | null; readonly reason: string };

/**
 * The key in effect (the root's, or its successor after a rotation or restart) when this
 * installation holds it, else why the bundle will be unsigned. A retired key never signs a bundle:
 * its signature would claim a time the archive no longer vouches for.
 */
export async function bundleSigner(archive: Archive, assessment: Assessment): Promise<BundleSigner> {
  const root = assessment.root;
  const current = assessment.keys.current;
  if (root.status !== 'ok' || !current)
    return {
      signed: false,
      fingerprint: null,
      reason: 'the archive has no valid root object, so it names no signing key',
    };
  const fingerprint = current.fingerprint;
  const keys = archive.options.keys;
  try {
    const key = await keys.get(fingerprint, root.root.purpose);
    if (key) return { signed: true, fingerprint, key };
    return {
      signed: false,
      fingerprint,
      reason: `the archive's private signing key in effect (${formatFingerprint(fingerprint)}) is not on this machine (looked in ${keys.description})`,
    };
  } catch (e) {
    return {
      signed: false,
      fingerprint,
      reason: `the archive's private signing key could not be read (${e instanceof Error ? e.message : String(e)})`,
    };
  }
}

/** The public key in effect as SPKI PEM (what `openssl pkeyutl -pubin` reads); null without a valid root. */
export function publicKeyPem(assessment: Assessment): string | null {
  if (assessment.root.status !== 'ok') return null;
  return currentPublicKey(assessment.keys)?.spkiPem ?? null;
}

/** Signs the folder's SHA256SUMS into SHA256SUMS.sig (raw Ed25519, 64 bytes). */
export async function writeSumsSignature(folder: string, key: SigningKey, sumsName: string): Promise<void> {
  const sums = await fs.readFile(path.join(folder, sumsName));
  await fs.writeFile(path.join(folder, SIGNATURE_NAME), sign(null, sums, key.privateKey), { flag: 'wx' });
}

/** Whether `signature` is the Ed25519 signature of `sums` by the SPKI PEM `pem`; null when the PEM is not an Ed25519 key. */
export function sumsSignatureValid(pem: string, sums: Uint8Array, signature: Uint8Array): boolean | null {
  let key;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    return null;
  }
  if (key.asymmetricKeyType !== 'ed25519') return null;
  try {
    return signature.length === 64 && verify(null, sums, key, signature);
  } catch {
    return false;
  }
}
