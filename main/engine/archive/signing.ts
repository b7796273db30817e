/**
 * Manifest signatures: Ed25519 with Node's crypto, no dependency.
 *
 * A manifest is stored as canonical JSON (keys sorted at every level, 2-space indent, final
 * newline). Its signature covers the canonical bytes of the manifest without its `signature`
 * field, so a reader rebuilds exactly what was signed from what it parsed; a reader also insists
 * that the stored bytes are the canonical form of what they parse to, so no byte of a manifest
 * (an added field, a reordered key, trailing junk) can change without the check failing.
 *
 * The key's fingerprint is the SHA-256 of its public key's DER (SPKI) encoding, in hex: what the
 * root object names and the officer records.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { AuditArchiveError } from '../../../shared/errors';
import { SIGNATURE_ALGORITHM, type ArchiveManifest, type UnsignedManifest } from '../../../shared/manifest';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SHA-256 of the SPKI DER, hex. */
  readonly fingerprint: string;
  /** Base64 of the SPKI DER (what the root object stores). */
  readonly publicKeyBase64: string;
}

export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signingKeyFrom(privateKey);
}

function signingKeyFrom(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey, fingerprint: sha256Hex(der), publicKeyBase64: der.toString('base64') };
}

/** A PKCS#8 PEM private key as stored in the keychain, a key file or the environment. */
export function signingKeyFromPem(pem: string, where: string): SigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `${where} does not hold a PEM private key. Export the key again from the machine that created the archive (audit-archive key export).`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `${where} holds a ${key.asymmetricKeyType ?? 'unknown'} key, not the Ed25519 key an archive is signed with.`,
    );
  }
  return signingKeyFrom(key);
}

export function signingKeyToPem(key: SigningKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** The public key a root object names, or null when it is not an Ed25519 SPKI key. */
export function publicKeyFromBase64(base64: string): KeyObject | null {
  try {
    const key = createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

export function fingerprintOfPublicKey(key: KeyObject): string {
  return sha256Hex(key.export({ format: 'der', type: 'spki' }));
}

/** Canonical JSON bytes: keys sorted at every level, 2-space indent, final newline. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(sortKeys(value), null, 2) + '\n', 'utf8');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

export function signManifest(unsigned: UnsignedManifest, key: SigningKey): ArchiveManifest {
  return signDocument(unsigned, key);
}

/** Whether the manifest's signature is valid for `publicKey` (whose fingerprint is `fingerprint`). */
export function manifestSignatureValid(manifest: ArchiveManifest, publicKey: KeyObject, fingerprint: string): boolean {
  return documentSignatureValid(manifest, publicKey, fingerprint);
}

/** A signature over the canonical bytes of `unsigned`, as manifests carry it. */
export interface DocumentSignature {
  readonly algorithm: typeof SIGNATURE_ALGORITHM;
  readonly keyFingerprint: string;
  readonly value: string;
}

/** Any archive document (a manifest, a report record) signed like a manifest: over its canonical bytes without `signature`. */
export function signDocument<T extends object>(unsigned: T, key: SigningKey): T & { signature: DocumentSignature } {
  const value = sign(null, canonicalJsonBytes(unsigned), key.privateKey).toString('base64');
  return { ...unsigned, signature: { algorithm: SIGNATURE_ALGORITHM, keyFingerprint: key.fingerprint, value } };
}

export function documentSignatureValid(
  document: { readonly signature: DocumentSignature },
  publicKey: KeyObject,
  fingerprint: string,
): boolean {
  if (document.signature.keyFingerprint !== fingerprint) return false;
  const { signature, ...unsigned } = document;
  try {
    return verify(null, canonicalJsonBytes(unsigned), publicKey, Buffer.from(signature.value, 'base64'));
  } catch {
    return false;
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
