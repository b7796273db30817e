/**
 * A `file://` target must say where the archive is: a `..` in it would be resolved silently, so the
 * archive would land in another folder than the one every message, journal and manifest names.
 */
import { describe, expect, it } from 'vitest';
import { isAuditArchiveError } from '../../../shared/errors';
import { SettingsSchema } from '../../../shared/settings';
import { openArchiveStore } from '../../../main/engine/archive/stores/open-store';

const WITH_PARENT = [
  'file:///srv/audit-archive/../other',
  'file:///srv/audit-archive/..',
  'file:///srv/audit-archive/%2e%2e/other',
  'file:///srv/audit-archive/%2E%2E',
  'file:///srv/audit-archive/.%2e/other',
  'file:///srv/audit-archive/..%2fother',
];

describe('a file:// archive target with ".."', () => {
  it.each(WITH_PARENT)('%s is refused in settings, naming the field and what to write instead', (target) => {
    const parsed = SettingsSchema.safeParse({ archive: { target } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ path: ['archive', 'target'], message: expect.stringContaining('without ".."') }),
    ]);
  });

  it.each(WITH_PARENT)('%s is refused when the store is opened, before any folder is touched', (target) => {
    let error: unknown;
    try {
      openArchiveStore(target, { forcePathStyle: false }, {});
    } catch (e) {
      error = e;
    }
    expect(isAuditArchiveError(error) && error.code).toBe('INVALID_SETTINGS');
    expect((error as Error).message).toContain(`The archive target "${target}" must name its folder without ".."`);
  });

  it('a "%" that is not an escape is refused with how to write it', () => {
    const parsed = SettingsSchema.safeParse({ archive: { target: 'file:///srv/100%/archive' } });
    expect(parsed.error?.issues[0]?.message).toMatch(/"%" that is not an escape.*%25/);
  });

  it.each([
    'file:///srv/audit-archive',
    'file:///srv/audit..archive/x',
    'file:///srv/.../x',
    'file:///srv/a%20b',
    's3://bank-audit/genesys/..',
  ])('%s is accepted (no ".." segment in a local path)', (target) => {
    expect(SettingsSchema.safeParse({ archive: { target } }).success).toBe(true);
  });
});
