/**
 * README.txt: what the bundle holds and the exact commands that check it, for whoever unzips it on
 * a machine without Audit Archive (sha256sum, openssl and python3 are enough).
 */
import { formatFingerprint } from '../../../shared/archive-root';
import type { ReportEvidence } from '../../../shared/reports/report-evidence';
import {
  gapsStatement,
  keyHistoryStatement,
  keyTrustStatement,
  signatureStatement,
  storageStatement,
} from '../../../shared/reports/report-words';
import { ARCHIVE_FOLDER } from './bundle-archive-files';
import { PUBLIC_KEY_NAME, SIGNATURE_NAME } from './bundle-signature';
import { VERIFY_SCRIPT_NAME } from './bundle-verify-script';

function files(e: ReportEvidence): string[] {
  const objects = e.bundle.objects.included
    ? 'and the archived objects the events come from'
    : `(not the archived objects the events come from: ${e.bundle.objects.reason})`;
  return [
    'Files',
    '  report.pdf          the report for people: cover and verdict, the queries, a summary, every event, the evidence',
    '  events.ndjson       every event of the report, one per line, byte for byte as the archive holds it',
    `  ${e.bundle.eventLines.padEnd(19)} for each line of events.ndjson: its SHA-256, the archived object and the line number it is`,
    '  events.csv          the same events as a table (UTC and local time, user, action, entity, property changes as JSON)',
    '  evidence.json       the evidence for machines: the archive, every day of the period with its manifests and objects,',
    '                      the verification, the days not archived, each result and how its rows were checked',
    '  results/            each cited result: its rows (CSV) and its exact query and metadata (.query.json)',
    ...(e.bundle.publicKey
      ? [
          `  ${PUBLIC_KEY_NAME}`,
          "                      the archive's Ed25519 public key in effect (SPKI PEM); its fingerprint is the one on the cover",
        ]
      : []),
    `  ${ARCHIVE_FOLDER}/            the archive's own files, byte for byte as stored, under their keys: the root object,`,
    ...(e.archive.keys.length > 1
      ? ["                      the key-succession records linking the root's key to the key in effect,"]
      : []),
    "                      the period's signed manifests and those linking them to the chain's head,",
    `                      ${objects}`,
    `  ${VERIFY_SCRIPT_NAME.padEnd(19)} checks all of this with Python's standard library`,
    '  SHA256SUMS          the SHA-256 of every file above',
    ...(e.signature.signed
      ? [`  ${SIGNATURE_NAME.padEnd(19)} the archive key's Ed25519 signature of SHA256SUMS (64 bytes)`]
      : []),
  ];
}

function commands(e: ReportEvidence): string[] {
  const fp = e.archive.keyFingerprint;
  return [
    'How to check it, in this folder',
    '  1. sha256sum -c SHA256SUMS',
    '       every file is the one the report wrote (any file not listed was added afterwards: step 4 names it)',
    ...(e.signature.signed
      ? [
          `  2. openssl pkeyutl -verify -pubin -inkey ${PUBLIC_KEY_NAME} -rawin -in SHA256SUMS -sigfile ${SIGNATURE_NAME}`,
          '       "Signature Verified Successfully": SHA256SUMS is the one the archive\'s key signed',
        ]
      : [`  2. (no ${SIGNATURE_NAME}: this bundle is unsigned, see above)`]),
    ...(fp
      ? [
          `  3. openssl pkey -pubin -in ${PUBLIC_KEY_NAME} -outform DER | sha256sum`,
          `       prints the key's fingerprint: ${fp}`,
          "       (the cover's, in groups of four); compare it with the one recorded when the archive was",
          '       created or its key last changed (`audit-archive key show`): only that shows whose key signed this bundle',
        ]
      : []),
    `  4. python3 ${VERIFY_SCRIPT_NAME}${fp ? ` --expect-key ${fp}` : ''}`,
    '       the hashes, files added or removed, the root object, the key history (each key-succession record),',
    '       the public key, every manifest (each signature checked by OpenSSL with the key in effect at its',
    "       sequence), the chain links to the head, the archived objects, every event's line; --expect-key also",
    '       accepts an earlier key you recorded when every key change since is a rotation it signed',
    '  5. with access to the archive:',
    `     audit-archive verify --full --from ${e.period.from} --to ${e.period.to}${fp ? ` --expect-key ${fp}` : ''}`,
    '       the archive is still complete and unaltered, and is the archive of that key',
  ];
}

/** The text of README.txt. */
export function bundleReadme(e: ReportEvidence, copy: { bundleKey: string; recordKey: string } | null): string {
  const lines = [
    `Audit response report ${e.reportId}`,
    `Request: ${e.request.reference}`,
    `Period: ${e.period.from} to ${e.period.to} (UTC days)`,
    `Generated: ${e.generatedAt} (UTC) by Audit Archive ${e.tool.version}${e.clock === 'fixed' ? ' (a fixed time, for a reproducible report)' : ''}`,
    `Archive: ${e.archive.url}${e.archive.archiveId ? ` (archive id ${e.archive.archiveId})` : ''}`,
    e.archive.keyFingerprint
      ? `Signing key fingerprint: ${formatFingerprint(e.archive.keyFingerprint)}`
      : 'Signing key: none (no valid root object)',
    `Verdict: ${e.verdict.headline}`,
    ...e.verdict.findings.map((f) => `  - ${f}`),
    `Storage: ${storageStatement(e)}`,
    `Days: ${gapsStatement(e)}`,
    `Signature: ${signatureStatement(e)}`,
    `Key checked against: ${keyTrustStatement(e)}`,
    ...(keyHistoryStatement(e) ? [`Key changes: ${keyHistoryStatement(e)}`] : []),
    '',
    ...files(e),
    '',
    ...commands(e),
    '',
    copy
      ? `The archive keeps a copy of this bundle: ${copy.bundleKey}, with ${copy.recordKey} (its version and SHA-256, signed with the archive's key); verify checks both.`
      : 'No copy of this bundle was written into the archive.',
    '',
    e.notes.redaction,
    '',
  ];
  return lines.join('\n');
}
