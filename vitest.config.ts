import { defineConfig } from 'vitest/config';

/**
 * Three projects:
 * - unit: pure logic and our own in-process servers (Genesys simulator); no system services.
 * - integration: real servers started by globalSetup (Ceph RADOS Gateway with Object Lock) and the
 *   real Secret Service (the test script runs vitest under dbus-run-session with gnome-keyring).
 * - ui: the real renderer in Debian's Chromium through the dev/test transport (Playwright).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 60_000,
          // Some suites export a few days in beforeEach: on a loaded machine that passes Vitest's 10 s default.
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/servers/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'ui',
          include: ['test/ui/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
