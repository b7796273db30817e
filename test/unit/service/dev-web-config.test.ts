/**
 * What `npm run dev:web` is told, read once by its composition root: defaults, each variable and
 * flag reaching only its own part, and a port that is not a whole number falling back to any free one.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDevWebConfig } from '../../../main/devweb/dev-web-config';
import { DEFAULT_RENDERER_DIR } from '../../../main/devweb/renderer-build';

describe('the dev server is told', () => {
  it('nothing: the dev user-data folder under home, any free port, the default renderer folder, no watch, no daily job', () => {
    expect(readDevWebConfig({}, ['node', 'serve.ts'], '/home/officer')).toEqual({
      userDataDir: path.join('/home/officer', '.config', 'audit-archive-dev'),
      renderer: { dir: DEFAULT_RENDERER_DIR, watch: false },
      server: { port: 0 },
      schedule: false,
    });
  });

  it('its folders, port and flags, each handed to its own part', () => {
    const env = {
      AUDIT_ARCHIVE_USER_DATA: '/tmp/ud',
      AUDIT_ARCHIVE_DEV_PORT: '4173',
      AUDIT_ARCHIVE_RENDERER_DIR: '/tmp/r',
    };
    expect(readDevWebConfig(env, ['node', 'serve.ts', '--watch', '--schedule'], '/home/officer')).toEqual({
      userDataDir: '/tmp/ud',
      renderer: { dir: '/tmp/r', watch: true },
      server: { port: 4173 },
      schedule: true,
    });
  });

  it('a port that is not a whole number: any free port', () => {
    expect(readDevWebConfig({ AUDIT_ARCHIVE_DEV_PORT: '80.5' }, [], '/h').server.port).toBe(0);
  });
});
