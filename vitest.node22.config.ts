import { defineConfig } from 'vitest/config';
import { integrationProject, unitProject } from './vitest.config';

/**
 * `npm test`'s second pass, on Node 22 (scripts/test.mjs): the test files whose outcome can depend
 * on the Node version, with their projects' own settings. Everything runs on Node 24 first.
 *
 * What cannot differ is left out: the compiler keeps the code to the APIs both Nodes have (ES2023,
 * Node 20's typings), and pure logic (settings, schemas, query compilation, the calendar) means the
 * same on V8 12.4 (Node 22) and 13.6 (Node 24). What can differ is what each Node release brings
 * and binds, each on its own update schedule (as of 22.23 and 24.22: undici 6.29 and 7.30, zlib
 * 1.3.1 and Chromium's 1.3.2; OpenSSL 3.5 and ICU 78 in both, until one of them moves):
 * - streams and zlib: gzip parts written and read back, part sizes, back-pressure;
 * - crypto: SHA-256, Ed25519 signatures, PKCE;
 * - HTTP: node:http for Genesys pages, fetch (undici) for tokens, the AWS SDK's handler, and how
 *   each reports a dropped connection or a 5xx;
 * - ICU's time-zone data: the schedule's 02:00 local across DST, a report's local times;
 * - native modules through N-API: DuckDB and keytar (built once, loaded by both Nodes);
 * - the CLI as a process: the bundle, its start-up and its exit codes.
 */
export const NODE22_FILES = {
  unit: [
    // streams, zlib, SHA-256 and Ed25519: an export end to end, its parts, and verify reading them back
    'test/unit/archive/export-day.test.ts',
    'test/unit/archive/part-writer.test.ts',
    'test/unit/archive/verify.test.ts',
    'test/unit/archive/local-store.test.ts',
    // the writer lease: file locks and whether a process id is alive
    'test/unit/archive/writer-lease.test.ts',
    // node:http and fetch against the simulator: pages, dropped connections, 5xx, 429 and Retry-After
    'test/unit/genesys/client.test.ts',
    'test/unit/genesys/faults.test.ts',
    // the loopback redirect server and PKCE (crypto)
    'test/unit/genesys/sign-in.test.ts',
    // DuckDB (N-API) and the result files it writes
    'test/unit/discovery/local-engine.test.ts',
    'test/unit/discovery/cli-query.test.ts',
    // pdfkit, fflate's zip, hashes, and times in the requester's time zone (ICU)
    'test/unit/reports/report.test.ts',
    'test/unit/reports/report-integrity.test.ts',
    // the daily 02:00 local across DST changes (ICU's time-zone data)
    'test/unit/schedule/next-run-at.test.ts',
    // the CLI's bundle as a process, linked onto PATH
    'test/unit/cli/cli-process.test.ts',
  ],
  integration: [
    // keytar (N-API) against the real Secret Service
    'test/integration/secrets/keytar.test.ts',
    // the AWS SDK's HTTP handler, streamed bodies and checksums against Ceph with Object Lock
    'test/integration/stores/s3-store.test.ts',
  ],
};

export default defineConfig({
  test: {
    projects: [
      { test: { ...unitProject.test, include: NODE22_FILES.unit } },
      { test: { ...integrationProject.test, include: NODE22_FILES.integration } },
    ],
  },
});
