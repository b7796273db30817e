import { availableParallelism } from 'node:os';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Three projects:
 * - unit: pure logic and our own in-process servers (Genesys simulator); no system services.
 * - integration: real servers started by globalSetup (Ceph RADOS Gateway with Object Lock) and the
 *   real Secret Service (the test script runs vitest under dbus-run-session with gnome-keyring).
 * - ui: the real renderer in Debian's Chromium through the dev/test transport (Playwright); its
 *   globalSetup builds the renderer once and starts one Chromium for the run (test/servers/ui-setup.ts).
 *
 * `npm test` runs them on Node 24, then vitest.node22.config.ts's selection on Node 22. The unit and
 * integration projects run the `audit-archive` binary in some tests: their globalSetup builds the
 * CLI's bundle first when it is missing or older than its sources (test/servers/cli-bundle.ts).
 */
/**
 * Test files run at once in every project: at least two, even on two cores (Vitest's
 * default would be one), since their files wait on sockets, child processes, Chromium and Ceph as
 * much as they compute. Measured on the 2-core machine under load (README, "How long npm test
 * takes"): the unit files took half the time, four UI files a quarter less. Integration files share
 * one Ceph gateway, each in buckets of its own (test/integration/stores/rgw-fixtures.ts
 * `uniqueBucket`).
 */
const FILES_AT_ONCE = Math.max(2, availableParallelism() - 1);

/**
 * A worker runs its files one after another in one process, loading the engine's modules once
 * rather than once per file (per-file imports added up to about 150 s of a run on two cores). So a
 * file must leave nothing behind for the next: environment variables through `vi.stubEnv`, undone
 * after each test; fake timers put back; servers, folders and processes it started, stopped
 * (docs/TESTING.md, "Test files share a process").
 */
const ONE_PROCESS_PER_WORKER = { isolate: false } as const;

export const unitProject = {
  test: {
    name: 'unit',
    include: ['test/unit/**/*.test.ts'],
    globalSetup: ['test/servers/cli-bundle.ts'],
    testTimeout: 60_000,
    // Some suites export a few days in beforeEach: on a loaded machine that passes Vitest's 10 s default.
    hookTimeout: 60_000,
    maxWorkers: FILES_AT_ONCE,
    ...ONE_PROCESS_PER_WORKER,
  },
} satisfies TestProjectInlineConfiguration;

export const integrationProject = {
  test: {
    name: 'integration',
    include: ['test/integration/**/*.test.ts'],
    // Ceph, and the renderer and Chromium for its UI files (test/integration/ui), started at once.
    globalSetup: ['test/servers/cli-bundle.ts', 'test/servers/integration-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    maxWorkers: FILES_AT_ONCE,
    ...ONE_PROCESS_PER_WORKER,
  },
} satisfies TestProjectInlineConfiguration;

export const uiProject = {
  test: {
    name: 'ui',
    include: ['test/ui/**/*.test.ts'],
    // The renderer built once and one Chromium for the whole run (every UI file connects to it).
    globalSetup: ['test/servers/ui-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: FILES_AT_ONCE,
    ...ONE_PROCESS_PER_WORKER,
  },
} satisfies TestProjectInlineConfiguration;

export default defineConfig({ test: { projects: [unitProject, integrationProject, uiProject] } });
