import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAuditArchiveError, type AuditArchiveError } from '../../../shared/errors';
import { defaultSettings } from '../../../shared/settings';
import {
  CLI_SETTING_SOURCES,
  describeSettingsSources,
  resolveCliConfig,
  type CliConfigInput,
} from '../../../main/engine/settings/cli-config';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-archive-cli-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function configFile(content: unknown): string {
  const path = join(dir, 'audit-archive.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** The error resolveCliConfig throws (the CLI maps INVALID_SETTINGS to exit 2). */
function refusal(input: CliConfigInput): AuditArchiveError {
  try {
    resolveCliConfig(input);
  } catch (e) {
    if (isAuditArchiveError(e)) return e;
    throw e;
  }
  throw new Error('expected the settings to be refused');
}

describe('CLI settings: where they come from', () => {
  it('with no config file, environment or flags the CLI has the default settings, and no demo unless asked for', () => {
    const config = resolveCliConfig({ env: {}, flags: {} });
    expect(config.settings).toEqual({ ...defaultSettings(), demo: false });
    expect(config.secrets).toEqual({});
    expect(config.warnings).toEqual([]);
  });

  it('the environment overrides the config file and flags override both, field by field', () => {
    const configPath = configFile({
      genesys: { region: 'mypurecloud.ie', clientId: 'from-file' },
      archive: {
        target: 'file:///srv/archive',
        lockMode: 'GOVERNANCE',
        retentionDays: 3000,
        settlementMinutes: 60,
        s3: { endpoint: 'https://s3.bank.internal' },
      },
    });
    const { settings } = resolveCliConfig({
      configPath,
      env: {
        AUDIT_ARCHIVE_TARGET: 's3://bank-audit/genesys',
        AUDIT_ARCHIVE_RETENTION_DAYS: '3650',
        AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
        AUDIT_ARCHIVE_GENESYS_CLIENT_ID: 'from-env',
      },
      flags: { retentionDays: '4000', clientId: 'from-flag' },
    });
    expect(settings.archive.retentionDays).toBe(4000);
    expect(settings.genesys.clientId).toBe('from-flag');
    expect(settings.archive.target).toBe('s3://bank-audit/genesys');
    expect(settings.archive.s3).toEqual({ endpoint: 'https://s3.bank.internal', forcePathStyle: true });
    expect(settings.archive.lockMode).toBe('GOVERNANCE');
    expect(settings.archive.settlementMinutes).toBe(60);
    expect(settings.genesys.region).toBe('mypurecloud.ie');
  });

  it('every documented environment variable lands in its setting', () => {
    const { settings } = resolveCliConfig({
      env: {
        AUDIT_ARCHIVE_GENESYS_REGION: 'mypurecloud.de',
        AUDIT_ARCHIVE_GENESYS_API_URL: 'http://127.0.0.1:8080',
        AUDIT_ARCHIVE_GENESYS_LOGIN_URL: 'http://127.0.0.1:8081',
        AUDIT_ARCHIVE_GENESYS_CLIENT_ID: 'archiver',
        AUDIT_ARCHIVE_TARGET: 'file:///var/lib/audit-archive',
        AUDIT_ARCHIVE_LOCK_MODE: 'governance',
        AUDIT_ARCHIVE_RETENTION_DAYS: '2200',
        AUDIT_ARCHIVE_SETTLEMENT_MINUTES: '30',
        AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE: '1',
        AUDIT_ARCHIVE_GENESYS_POLL_MS: '25',
      },
      flags: {},
    });
    expect(settings.genesys).toMatchObject({
      region: 'mypurecloud.de',
      apiUrl: 'http://127.0.0.1:8080',
      loginUrl: 'http://127.0.0.1:8081',
      clientId: 'archiver',
      statusPollMs: 25,
    });
    expect(settings.archive).toMatchObject({
      target: 'file:///var/lib/audit-archive',
      lockMode: 'GOVERNANCE',
      retentionDays: 2200,
      settlementMinutes: 30,
      s3: { forcePathStyle: true },
    });
  });

  it('flags may arrive as typed values from the argument parser', () => {
    const { settings } = resolveCliConfig({
      env: {},
      flags: { retentionDays: 1000, settlementMinutes: 0, s3ForcePathStyle: true, s3Region: 'eu-west-1', demo: false },
    });
    expect(settings.archive.retentionDays).toBe(1000);
    expect(settings.archive.settlementMinutes).toBe(0);
    expect(settings.archive.s3).toMatchObject({ forcePathStyle: true, region: 'eu-west-1' });
    expect(settings.demo).toBe(false);
  });

  it('an empty environment variable counts as unset', () => {
    const configPath = configFile({ archive: { retentionDays: 3000 } });
    const { settings } = resolveCliConfig({ configPath, env: { AUDIT_ARCHIVE_RETENTION_DAYS: '' }, flags: {} });
    expect(settings.archive.retentionDays).toBe(3000);
  });

  it('configuring a client id means a real org, unless demo mode is asked for explicitly', () => {
    expect(resolveCliConfig({ env: { AUDIT_ARCHIVE_GENESYS_CLIENT_ID: 'archiver' }, flags: {} }).settings.demo).toBe(
      false,
    );
    expect(
      resolveCliConfig({ configPath: configFile({ genesys: { clientId: 'x' } }), env: {}, flags: {} }).settings.demo,
    ).toBe(false);
    expect(
      resolveCliConfig({ env: { AUDIT_ARCHIVE_GENESYS_CLIENT_ID: 'archiver', AUDIT_ARCHIVE_DEMO: 'true' }, flags: {} })
        .settings.demo,
    ).toBe(true);
  });

  it('a misspelt field in the config file is reported as a warning', () => {
    const config = resolveCliConfig({
      configPath: configFile({ archive: { retentionDay: 3650 } }),
      env: {},
      flags: {},
    });
    expect(config.settings.archive.retentionDays).toBe(2557);
    expect(config.warnings).toEqual([expect.stringContaining('archive.retentionDay')]);
  });
});

describe('CLI settings: bad settings stop the run (exit 2) instead of running with defaults', () => {
  it('a bad environment variable is refused with INVALID_SETTINGS naming the variable and the value', () => {
    const error = refusal({ env: { AUDIT_ARCHIVE_RETENTION_DAYS: 'seven years' }, flags: {} });
    expect(error.code).toBe('INVALID_SETTINGS');
    expect(error.message).toContain('AUDIT_ARCHIVE_RETENTION_DAYS: must be a whole number (got "seven years")');
  });

  it("a first status wait that would poll Genesys without pause, or wait longer than the backoff's cap, is refused", () => {
    for (const raw of ['0', '9', '5001']) {
      const error = refusal({ env: { AUDIT_ARCHIVE_GENESYS_POLL_MS: raw }, flags: {} });
      expect(error.code).toBe('INVALID_SETTINGS');
      expect(error.message).toContain(`AUDIT_ARCHIVE_GENESYS_POLL_MS: `);
      expect(error.message).toContain(`(got "${raw}")`);
    }
    expect(resolveCliConfig({ env: {}, flags: {} }).settings.genesys.statusPollMs).toBe(500);
  });

  it('every bad variable and flag is named at once, so a cron job is fixed in one round', () => {
    const error = refusal({
      env: {
        AUDIT_ARCHIVE_GENESYS_REGION: 'api.mypurecloud.ie',
        AUDIT_ARCHIVE_LOCK_MODE: 'WORM',
        AUDIT_ARCHIVE_TARGET: 's3:/bucket',
        AUDIT_ARCHIVE_SETTLEMENT_MINUTES: '99999',
        AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE: 'maybe',
        AUDIT_ARCHIVE_GENESYS_API_URL: 'ftp://example.com',
      },
      flags: { retentionDays: '0' },
    });
    expect(error.code).toBe('INVALID_SETTINGS');
    expect(error.message).toMatch(
      /AUDIT_ARCHIVE_GENESYS_REGION: must be a Genesys Cloud region host: one of mypurecloud\.com, mypurecloud\.ie/,
    );
    expect(error.message).toContain('AUDIT_ARCHIVE_LOCK_MODE: must be COMPLIANCE or GOVERNANCE');
    expect(error.message).toContain('AUDIT_ARCHIVE_TARGET: must be s3://bucket/prefix');
    expect(error.message).toContain('AUDIT_ARCHIVE_SETTLEMENT_MINUTES:');
    expect(error.message).toContain('AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE: must be true or false');
    expect(error.message).toContain('AUDIT_ARCHIVE_GENESYS_API_URL: must be an https:// URL');
    expect(error.message).toContain('--retention-days:');
  });

  it('an invalid config file is an error naming the file and the field, unlike the app which falls back', () => {
    const configPath = configFile({ archive: { retentionDays: 0 } });
    const error = refusal({ configPath, env: {}, flags: {} });
    expect(error.code).toBe('INVALID_SETTINGS');
    expect(error.message).toContain(configPath);
    expect(error.message).toContain('archive.retentionDays');
  });

  it('a config file that is not JSON, or does not exist, is an error', () => {
    expect(refusal({ configPath: configFile('{ "archive": '), env: {}, flags: {} }).message).toMatch(
      /is invalid: it is not valid JSON/,
    );
    expect(refusal({ configPath: configFile('[1, 2]'), env: {}, flags: {} }).message).toMatch(/must be a JSON object/);
    const missing = join(dir, 'nope.json');
    expect(refusal({ configPath: missing, env: {}, flags: {} }).message).toBe(
      `Config file ${missing} does not exist; check the --config path.`,
    );
  });

  it('a setting flag the CLI does not know is refused', () => {
    const error = refusal({ env: {}, flags: { retention: '3' } as never });
    expect(error.message).toContain('unknown setting flag "retention"');
  });
});

describe('CLI settings: the client secret comes from the environment only', () => {
  const secret = 'Zx9-client-secret-value';

  it('the client secret is taken from AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET and kept out of the settings', () => {
    const config = resolveCliConfig({
      env: { AUDIT_ARCHIVE_GENESYS_CLIENT_ID: 'archiver', AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: secret },
      flags: {},
    });
    expect(config.secrets.genesysClientSecret).toBe(secret);
    expect(JSON.stringify(config.settings)).not.toContain(secret);
  });

  it('a client secret given as a flag is refused, because every user sees flags in ps', () => {
    const error = refusal({ env: {}, flags: { clientSecret: secret } as never });
    expect(error.code).toBe('INVALID_SETTINGS');
    expect(error.message).toMatch(/ps/);
    expect(error.message).toContain('AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET');
    expect(error.message).not.toContain(secret);
  });

  it('a client secret in the config file is refused without repeating it', () => {
    const configPath = configFile({ genesys: { clientId: 'archiver', clientSecret: secret } });
    const error = refusal({ configPath, env: {}, flags: {} });
    expect(error.code).toBe('INVALID_SETTINGS');
    expect(error.message).toContain('genesys.clientSecret');
    expect(error.message).toContain('AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET');
    expect(error.message).not.toContain(secret);
  });

  it('a client secret that cannot be right is refused without being quoted', () => {
    const long = 'S'.repeat(2000);
    const error = refusal({ env: { AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET: long }, flags: {} });
    expect(error.message).toContain('AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET:');
    expect(error.message).not.toContain('SSSSSSSSSS');
  });
});

describe('CLI settings: --help', () => {
  const help = describeSettingsSources();

  it('lists every environment variable the CLI reads, with its meaning and default', () => {
    for (const name of [
      'AUDIT_ARCHIVE_GENESYS_REGION',
      'AUDIT_ARCHIVE_GENESYS_API_URL',
      'AUDIT_ARCHIVE_GENESYS_LOGIN_URL',
      'AUDIT_ARCHIVE_GENESYS_CLIENT_ID',
      'AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET',
      'AUDIT_ARCHIVE_TARGET',
      'AUDIT_ARCHIVE_LOCK_MODE',
      'AUDIT_ARCHIVE_RETENTION_DAYS',
      'AUDIT_ARCHIVE_SETTLEMENT_MINUTES',
      'AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE',
      'AWS_ACCESS_KEY_ID',
    ]) {
      expect(help).toContain(name);
    }
    expect(help).toMatch(/AUDIT_ARCHIVE_RETENTION_DAYS  \|  --retention-days VALUE\n.*\n\s+Default: 2557/);
    expect(help).toMatch(/AUDIT_ARCHIVE_SETTLEMENT_MINUTES.*\n.*\n\s+Default: 120\./);
    for (const source of CLI_SETTING_SOURCES) {
      if (source.flag) expect(help).toContain(source.flag);
    }
  });

  it('offers no flag for the client secret', () => {
    const secretSource = CLI_SETTING_SOURCES.find((s) => s.env === 'AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET');
    expect(secretSource?.flag).toBeNull();
    expect(help).not.toMatch(/--client-secret/);
  });
});
