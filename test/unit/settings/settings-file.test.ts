import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAuditArchiveError } from '../../../shared/errors';
import { defaultSettings, SettingsSchema, type Settings } from '../../../shared/settings';
import { SettingsFile } from '../../../main/engine/settings/settings-file';
import { isSecretLikeKey } from '../../../main/engine/settings/settings-fields';

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-archive-settings-'));
  path = join(dir, 'settings.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function customised(): Settings {
  const s = defaultSettings();
  s.demo = false;
  s.genesys.region = 'mypurecloud.ie';
  s.genesys.clientId = 'client-123';
  s.archive.target = 's3://bank-audit-archive/genesys';
  s.archive.retentionDays = 3650;
  s.schedule.time = '03:30';
  return s;
}

describe('settings file: first start and normal use', () => {
  it('a first start without a settings file uses the defaults and warns about nothing', async () => {
    const { settings, warnings } = await new SettingsFile(path).load();
    expect(settings).toEqual(SettingsSchema.parse({}));
    expect(settings.archive.retentionDays).toBe(2557);
    expect(settings.archive.lockMode).toBe('COMPLIANCE');
    expect(warnings).toEqual([]);
  });

  it('settings the officer saved are the settings the next start loads', async () => {
    const saved = await new SettingsFile(path).save(customised());
    expect(saved.warnings).toEqual([]);
    const { settings, warnings } = await new SettingsFile(path).load();
    expect(settings).toEqual(customised());
    expect(warnings).toEqual([]);
  });

  it('a partial settings file keeps what it says and defaults the rest', async () => {
    await writeFile(path, JSON.stringify({ archive: { retentionDays: 4000 } }));
    const { settings, warnings } = await new SettingsFile(path).load();
    expect(settings.archive.retentionDays).toBe(4000);
    expect(settings.archive.settlementMinutes).toBe(120);
    expect(warnings).toEqual([]);
  });

  it('the saved file is readable by its owner only and no temp files are left behind', async () => {
    const file = new SettingsFile(path);
    await Promise.all([file.save(customised()), file.save(defaultSettings()), file.save(customised())]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['settings.json']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(customised());
  });

  it('saving into a folder that does not exist yet creates it', async () => {
    const nested = new SettingsFile(join(dir, 'a', 'b', 'settings.json'));
    await nested.save(customised());
    expect((await nested.load()).settings).toEqual(customised());
  });
});

describe('settings file: a broken file never stops the app', () => {
  it('a file that is not JSON gives defaults and a warning naming the file, and the file is kept as it was', async () => {
    const broken = '{ "archive": { "retentionDays": 3650, }';
    await writeFile(path, broken);
    const { settings, warnings } = await new SettingsFile(path).load();
    expect(settings).toEqual(defaultSettings());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(path);
    expect(warnings[0]).toMatch(/not valid JSON/);
    expect(warnings[0]).toMatch(/using defaults for this session; fix or delete the file/);
    expect(await readFile(path, 'utf8')).toBe(broken);
  });

  it('an invalid field is named in the warning', async () => {
    await writeFile(path, JSON.stringify({ archive: { retentionDays: -5 }, schedule: { time: '25:00' } }));
    const { settings, warnings } = await new SettingsFile(path).load();
    expect(settings).toEqual(defaultSettings());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('archive.retentionDays:');
    expect(warnings[0]).toContain('schedule.time: must be a 24-hour time HH:MM');
  });

  it('a file that cannot be read gives defaults and says why', async () => {
    await writeFile(path, JSON.stringify(customised()));
    await chmod(path, 0o000);
    const readable = await readFile(path).then(
      () => true,
      () => false,
    );
    const { settings, warnings } = await new SettingsFile(path).load();
    if (readable) {
      // Running as root: permissions do not stop reading, so the file loads.
      expect(settings).toEqual(customised());
    } else {
      expect(settings).toEqual(defaultSettings());
      expect(warnings[0]).toMatch(/could not be read \(EACCES\)/);
    }
  });

  it('a settings path that is a folder gives defaults and a warning', async () => {
    await rm(dir, { recursive: true });
    await mkdir(path, { recursive: true });
    const { settings, warnings } = await new SettingsFile(path).load();
    expect(settings).toEqual(defaultSettings());
    expect(warnings[0]).toMatch(/could not be read \(it is a folder, not a settings file\)/);
  });

  it('the first save over an invalid file keeps a copy of it, the next save does not', async () => {
    const broken = '{"archive": {"retentionDays": "seven years"}}';
    await writeFile(path, broken);
    const file = new SettingsFile(path);
    const first = await file.save(customised());
    const copies = (await readdir(dir)).filter((n) => n.startsWith('settings.json.invalid-'));
    expect(copies).toHaveLength(1);
    expect(await readFile(join(dir, copies[0]!), 'utf8')).toBe(broken);
    expect(first.warnings[0]).toContain(join(dir, copies[0]!));
    const second = await file.save(customised());
    expect(second.warnings).toEqual([]);
    expect((await readdir(dir)).filter((n) => n.startsWith('settings.json.invalid-'))).toHaveLength(1);
  });

  it('a misspelt field is reported instead of silently leaving the default in force', async () => {
    await writeFile(path, JSON.stringify({ archive: { retentionDay: 3650 } }));
    const { settings, warnings } = await new SettingsFile(path).load();
    expect(settings.archive.retentionDays).toBe(2557);
    expect(warnings).toEqual([expect.stringContaining('unknown field(s) archive.retentionDay')]);
  });
});

describe('settings file: secrets are never kept in it', () => {
  const secret = 'pa55-very-secret-value';

  it('a client secret pasted into the file is ignored with a warning that never repeats it', async () => {
    await writeFile(path, JSON.stringify({ genesys: { clientId: 'abc', clientSecret: secret } }));
    const { settings, warnings } = await new SettingsFile(path).load();
    expect(settings.genesys.clientId).toBe('abc');
    expect(JSON.stringify(settings)).not.toContain(secret);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('genesys.clientSecret');
    expect(warnings[0]).toMatch(/keychain/);
    expect(warnings.join('\n')).not.toContain(secret);
  });

  it('saving after a secret was found rewrites the file without it', async () => {
    await writeFile(path, JSON.stringify({ genesys: { clientId: 'abc', clientSecret: secret } }));
    const file = new SettingsFile(path);
    const { settings } = await file.load();
    await file.save(settings);
    expect(await readFile(path, 'utf8')).not.toContain(secret);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('the kept copy of an invalid file does not carry a secret along', async () => {
    await writeFile(path, JSON.stringify({ archive: { retentionDays: 0 }, aws: { secretAccessKey: secret } }));
    await new SettingsFile(path).save(customised());
    for (const name of await readdir(dir)) {
      expect(await readFile(join(dir, name), 'utf8')).not.toContain(secret);
    }
    expect((await readdir(dir)).some((n) => n.startsWith('settings.json.invalid-'))).toBe(true);
  });

  it('a warning about a file that is not JSON does not quote the file', async () => {
    await writeFile(path, `{"genesys": {"clientSecret": ${secret}}}`);
    const { warnings } = await new SettingsFile(path).load();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain(secret);
    expect(warnings[0]).toMatch(/not valid JSON/);
  });

  it('a warning about a file that is not JSON says where it breaks', async () => {
    await writeFile(path, '{\n  "archive": {\n    "retentionDays": 3650,\n  }\n}\n');
    const { warnings } = await new SettingsFile(path).load();
    expect(warnings[0]).toMatch(/line 4, column 3/);
  });

  it('no settings field has a name that looks like a secret (so nothing legitimate is ever stripped)', () => {
    const keys: string[] = [];
    const walk = (v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, child] of Object.entries(v)) {
          keys.push(k);
          walk(child);
        }
      }
    };
    const full = defaultSettings();
    full.genesys.apiUrl = 'https://api.example.test';
    full.genesys.loginUrl = 'https://login.example.test';
    full.archive.policyStartDate = '2020-01-01';
    full.archive.s3.region = 'us-east-1';
    full.archive.s3.endpoint = 'https://s3.example.test';
    walk(full);
    expect(keys.length).toBeGreaterThan(20);
    expect(keys.filter(isSecretLikeKey)).toEqual([]);
  });
});

describe('settings file: saving refuses invalid settings', () => {
  it('an invalid value is refused with INVALID_SETTINGS naming the field, and the file is unchanged', async () => {
    const file = new SettingsFile(path);
    await file.save(customised());
    const before = await readFile(path, 'utf8');
    const bad = customised();
    bad.archive.retentionDays = 0;
    const error = await file.save(bad).catch((e: unknown) => e);
    expect(isAuditArchiveError(error) && error.code).toBe('INVALID_SETTINGS');
    expect((error as Error).message).toContain('archive.retentionDays');
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('a save that cannot be written says where and why, and leaves nothing half-written behind', async () => {
    // The settings path is taken by a folder, so the final rename must fail.
    await mkdir(join(path, 'occupied'), { recursive: true });
    const error = await new SettingsFile(path).save(customised()).catch((e: unknown) => e);
    expect(isAuditArchiveError(error) && error.code).toBe('INVALID_SETTINGS');
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/\((EISDIR|ENOTEMPTY|EEXIST)\)/);
    expect(await readdir(dir)).toEqual(['settings.json']);
    expect(await readdir(path)).toEqual(['occupied']);
  });
});

describe('settings file: an impossible day never breaks the app', () => {
  it.each(['2026-13-45', 'yesterday', '2026-02-30'])(
    'a policyStartDate of %s loads the defaults with the usual warning naming the field',
    async (policyStartDate) => {
      await writeFile(path, JSON.stringify({ archive: { policyStartDate, retentionDays: 3000 } }));
      const { settings, warnings } = await new SettingsFile(path).load();
      expect(settings).toEqual(defaultSettings());
      expect(warnings).toEqual([
        expect.stringMatching(
          /^Settings file .* is invalid: archive\.policyStartDate: .*; using defaults for this session/,
        ),
      ]);
    },
  );

  it('saving an impossible policyStartDate is refused with INVALID_SETTINGS, and the file is unchanged', async () => {
    const file = new SettingsFile(path);
    await file.save(customised());
    const before = await readFile(path, 'utf8');
    const bad = customised();
    bad.archive.policyStartDate = '2026-13-45';
    const error = await file.save(bad).catch((e: unknown) => e);
    expect(isAuditArchiveError(error) && error.code).toBe('INVALID_SETTINGS');
    expect((error as Error).message).toContain('archive.policyStartDate: is not a real calendar day');
    expect(await readFile(path, 'utf8')).toBe(before);
  });
});

describe('settings file: the kept copy of an invalid file', () => {
  const secret = 'pa55-very-secret-value';

  async function keptCopy(): Promise<{ text: string; mode: number }> {
    await new SettingsFile(path).save(customised());
    const copies = (await readdir(dir)).filter((n) => n.startsWith('settings.json.invalid-'));
    expect(copies).toHaveLength(1);
    const copy = join(dir, copies[0] as string);
    return { text: await readFile(copy, 'utf8'), mode: (await stat(copy)).mode & 0o777 };
  }

  it('is readable by its owner only, even when the original was readable by everyone', async () => {
    await writeFile(path, '{"archive": {"retentionDays": "seven years"}}', { mode: 0o644 });
    await chmod(path, 0o644);
    const { mode, text } = await keptCopy();
    expect(mode).toBe(0o600);
    expect(text).toBe('{"archive": {"retentionDays": "seven years"}}');
  });

  it('of a file that is not JSON keeps its settings but no secret-looking field, whatever its layout', async () => {
    const broken = [
      '{',
      '  "genesys": {',
      '    "clientId": "abc",',
      `    "clientSecret": "${secret}",`,
      '    "apiToken":',
      `      "${secret}-2",`,
      '    "credentials": {',
      `      "accessKeyId": "${secret}-3",`,
      `      "value": "${secret}-4"`,
      '    },',
      '  },',
      '  "archive": { "retentionDays": 3650, }',
      '',
    ].join('\n');
    await writeFile(path, broken, { mode: 0o644 });
    const { mode, text } = await keptCopy();
    expect(mode).toBe(0o600);
    expect(text).not.toContain(secret);
    expect(text).toContain('"clientId": "abc"');
    expect(text).toContain('"archive": { "retentionDays": 3650, }');
    expect(text).toContain('removed: a line with a secret-looking field');
  });
});
