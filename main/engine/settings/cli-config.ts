/**
 * The CLI's settings: `--config FILE`, overridden by environment variables, overridden by flags.
 *
 * Unlike the app (which falls back to defaults with a warning so a person can fix things in the
 * window), the CLI refuses bad settings with INVALID_SETTINGS (the CLI exits 2): it runs from cron
 * or systemd where nobody reads a warning, and an archive job that silently ran with default
 * retention, target or region would be a compliance failure discovered months later.
 *
 * The Genesys client secret comes from the environment only: never a flag (every user on the host
 * sees flags in `ps`) and never the config file (a plain file, often in version control).
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { AuditArchiveError } from '../../../shared/errors';
import { GENESYS_HOSTS } from '../../../shared/genesys-regions';
import { GenesysBaseUrlSchema, withoutUrlCredentials } from '../../../shared/genesys-url';
import {
  ArchiveSettingsSchema,
  ArchiveTargetSchema,
  GenesysSettingsSchema,
  SettingsSchema,
  type Settings,
} from '../../../shared/settings';
import { describeJsonError, describeSettingsIssues } from './settings-file';
import { hasField, isSecretLikeKey, secretLikeFields, setField, unknownFields } from './settings-fields';

/** Settings the CLI accepts as flags. Values may be the raw strings of the command line. */
export interface CliSettingsFlags {
  region?: string;
  apiUrl?: string;
  loginUrl?: string;
  clientId?: string;
  target?: string;
  lockMode?: string;
  retentionDays?: string | number;
  settlementMinutes?: string | number;
  s3ForcePathStyle?: string | boolean;
  s3Endpoint?: string;
  s3Region?: string;
  demo?: string | boolean;
  signingKeyFile?: string;
  copyTarget?: string;
  copyMode?: string;
}

export interface CliConfigInput {
  /** `--config FILE`: JSON with the fields of the app's settings.json. */
  configPath?: string;
  env: NodeJS.ProcessEnv;
  flags: CliSettingsFlags;
}

export interface CliConfig {
  settings: Settings;
  secrets: { genesysClientSecret?: string };
  /** For stderr: things that are allowed but probably not meant (unknown fields in the file). */
  warnings: string[];
}

/** One setting the CLI takes from the environment and/or a flag. */
interface CliSettingSource {
  /** Key in CliSettingsFlags, or null when it is environment-only. */
  flagKey: keyof CliSettingsFlags | null;
  /** `--retention-days`, or null when it is environment-only. */
  flag: string | null;
  /** Environment variable, or null when it is a flag only. */
  env: string | null;
  /** Where it lands in Settings (empty for secrets). */
  path: readonly string[];
  /** What a person should know, for `--help`. */
  meaning: string;
  /** The default, as a person reads it. */
  defaultText: string;
  /** Parses the raw text of the variable or flag. */
  parse: z.ZodType;
}

const settingsShape = {
  genesys: GenesysSettingsSchema.shape,
  archive: ArchiveSettingsSchema.shape,
};

/** A string from the environment or argv, trimmed, then checked by the setting's own schema. */
function text(schema: z.ZodType<unknown, string>): z.ZodType {
  return z.string().trim().pipe(schema);
}

function wholeNumber(schema: z.ZodType<unknown, number>): z.ZodType {
  return z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(schema);
}

const yesNo = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.mypurecloud.ie' });

const regionHost = z.enum(GENESYS_HOSTS, {
  error: `must be a Genesys Cloud region host: one of ${GENESYS_HOSTS.join(', ')}`,
});

const lockMode = z
  .string()
  .trim()
  .toUpperCase()
  .pipe(z.enum(['COMPLIANCE', 'GOVERNANCE'], { error: 'must be COMPLIANCE or GOVERNANCE' }));

const target = ArchiveTargetSchema;

const clientSecret = z.string().min(1).max(1024, 'must be at most 1024 characters');

/** Every setting the CLI takes from outside a config file; `--help` and the parser read this table. */
export const CLI_SETTING_SOURCES: readonly CliSettingSource[] = [
  {
    flagKey: 'region',
    flag: '--region',
    env: 'AUDIT_ARCHIVE_GENESYS_REGION',
    path: ['genesys', 'region'],
    meaning: 'Genesys Cloud region host of your org, e.g. mypurecloud.ie (the part after https://api.).',
    defaultText: 'mypurecloud.com',
    parse: text(regionHost),
  },
  {
    flagKey: 'apiUrl',
    flag: '--api-url',
    env: 'AUDIT_ARCHIVE_GENESYS_API_URL',
    path: ['genesys', 'apiUrl'],
    meaning:
      'Genesys API base URL, overriding the region (private gateways). https only; http only for a test server on localhost/127.0.0.1.',
    defaultText: 'https://api.<region>',
    parse: text(GenesysBaseUrlSchema),
  },
  {
    flagKey: 'loginUrl',
    flag: '--login-url',
    env: 'AUDIT_ARCHIVE_GENESYS_LOGIN_URL',
    path: ['genesys', 'loginUrl'],
    meaning:
      'Genesys login base URL, overriding the region. https only (the client secret is sent there); http only on localhost/127.0.0.1.',
    defaultText: 'https://login.<region>',
    parse: text(GenesysBaseUrlSchema),
  },
  {
    flagKey: 'clientId',
    flag: '--client-id',
    env: 'AUDIT_ARCHIVE_GENESYS_CLIENT_ID',
    path: ['genesys', 'clientId'],
    meaning: 'OAuth client id (client credentials grant, role with audits:audit:view).',
    defaultText: 'none',
    parse: text(settingsShape.genesys.clientId.unwrap().min(1, 'must not be empty')),
  },
  {
    flagKey: null,
    flag: null,
    env: 'AUDIT_ARCHIVE_GENESYS_POLL_MS',
    path: ['genesys', 'statusPollMs'],
    meaning:
      "Milliseconds before the first look at an audit query's status, then x1.5 up to 5 s (10 to 5000). Each look is a request against the rate budget: lower only for a gateway or test server that answers at once.",
    defaultText: '500',
    parse: wholeNumber(settingsShape.genesys.statusPollMs.unwrap()),
  },
  {
    flagKey: null,
    flag: null,
    env: 'AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET',
    path: [],
    meaning:
      'OAuth client secret. Environment only: never a flag (visible in ps) nor the config file. ' +
      'Prefer a systemd credential or an EnvironmentFile readable only by the service user.',
    defaultText: 'none',
    parse: clientSecret,
  },
  {
    flagKey: null,
    flag: null,
    env: 'AUDIT_ARCHIVE_SIGNING_KEY',
    path: [],
    meaning:
      "The archive's private signing key as PEM text (audit-archive key export). Environment only, like the client secret; " +
      'otherwise keys live in the OS keychain or the signing key file. A new archive is signed with it.',
    defaultText: 'none',
    parse: z.string().min(1),
  },
  {
    flagKey: 'signingKeyFile',
    flag: '--signing-key-file',
    env: 'AUDIT_ARCHIVE_SIGNING_KEY_FILE',
    path: ['archive', 'signingKeyFile'],
    meaning:
      'Where the private signing key lives on a machine without an OS keychain: an absolute path outside the state ' +
      'folder, mode 0600 (refused when other users can read it). Created by the first export or `key import`.',
    defaultText: 'unset: the OS keychain (service audit-archive)',
    parse: text(settingsShape.archive.signingKeyFile.unwrap()),
  },
  {
    flagKey: 'copyTarget',
    flag: '--copy-target',
    env: 'AUDIT_ARCHIVE_COPY_TARGET',
    path: ['archive', 'copy', 'target'],
    meaning:
      'A second locked copy: another S3 bucket with Object Lock (another region or account), s3://bucket/prefix; verify --copy checks it.',
    defaultText: 'none',
    parse: text(settingsShape.archive.copy.unwrap().shape.target.unwrap()),
  },
  {
    flagKey: 'copyMode',
    flag: '--copy-mode',
    env: 'AUDIT_ARCHIVE_COPY_MODE',
    path: ['archive', 'copy', 'mode'],
    meaning:
      'write: the product writes every object and manifest to the copy after the primary; check: S3 Replication fills it and the product only checks it.',
    defaultText: 'write',
    parse: text(settingsShape.archive.copy.unwrap().shape.mode.unwrap()),
  },
  {
    flagKey: 'target',
    flag: '--target',
    env: 'AUDIT_ARCHIVE_TARGET',
    path: ['archive', 'target'],
    meaning: 'Where the archive lives: s3://bucket/prefix (S3 with Object Lock) or file:///absolute/path.',
    defaultText: 'none, it is required (only the app and `demo` have a local folder by default)',
    parse: text(target),
  },
  {
    flagKey: 'lockMode',
    flag: '--lock-mode',
    env: 'AUDIT_ARCHIVE_LOCK_MODE',
    path: ['archive', 'lockMode'],
    meaning: 'Object Lock mode per object: COMPLIANCE (SEC 17a-4: nobody can delete) or GOVERNANCE (trials).',
    defaultText: 'COMPLIANCE',
    parse: lockMode,
  },
  {
    flagKey: 'retentionDays',
    flag: '--retention-days',
    env: 'AUDIT_ARCHIVE_RETENTION_DAYS',
    path: ['archive', 'retentionDays'],
    meaning: 'Days each archived object stays locked (1 to 36500).',
    defaultText: '2557 (7 years)',
    parse: wholeNumber(settingsShape.archive.retentionDays.unwrap()),
  },
  {
    flagKey: 'settlementMinutes',
    flag: '--settlement-minutes',
    env: 'AUDIT_ARCHIVE_SETTLEMENT_MINUTES',
    path: ['archive', 'settlementMinutes'],
    meaning: "Minutes after a UTC day's end before it is exported, so late-indexed events are included.",
    defaultText: '120',
    parse: wholeNumber(settingsShape.archive.settlementMinutes.unwrap()),
  },
  {
    flagKey: 's3ForcePathStyle',
    flag: '--s3-force-path-style',
    env: 'AUDIT_ARCHIVE_S3_FORCE_PATH_STYLE',
    path: ['archive', 's3', 'forcePathStyle'],
    meaning: 'true for S3-compatible stores that need path-style URLs (Ceph, on-premises gateways).',
    defaultText: 'false',
    parse: yesNo,
  },
  {
    flagKey: 's3Endpoint',
    flag: '--s3-endpoint',
    env: null,
    path: ['archive', 's3', 'endpoint'],
    meaning: 'S3 endpoint URL (or AWS_ENDPOINT_URL_S3 in the environment).',
    defaultText: "the AWS SDK's",
    parse: text(httpUrl),
  },
  {
    flagKey: 's3Region',
    flag: '--s3-region',
    env: null,
    path: ['archive', 's3', 'region'],
    meaning: 'AWS region of the bucket (or AWS_REGION in the environment).',
    defaultText: "the AWS SDK's",
    parse: text(z.string().min(1, 'must not be empty').max(64)),
  },
  {
    flagKey: 'demo',
    flag: '--demo',
    env: 'AUDIT_ARCHIVE_DEMO',
    path: ['demo'],
    meaning:
      'true: archive the built-in demo organisation (the Genesys simulator) into a demo archive; never into COMPLIANCE storage or a real archive.',
    defaultText: 'false (with no client id, writing commands stop with exit 2)',
    parse: yesNo,
  },
];

const CLIENT_SECRET_ENV = 'AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET';

/**
 * `"abc"`, shortened: enough to recognise a typo, never a secret (secrets are never quoted, and a
 * URL's user:password@ part is masked).
 */
function quoted(value: string): string {
  const shown = withoutUrlCredentials(value);
  return JSON.stringify(shown.length > 80 ? `${shown.slice(0, 80)}…` : shown);
}

/** What the sources merged so far hold, and what was wrong with them. */
interface Merge {
  readonly merged: Record<string, unknown>;
  readonly problems: string[];
  /** Whether any source said `demo` (the CLI archives the simulator only when told to). */
  demoGiven: boolean;
}

/** One setting's raw text from `named` (a variable or a flag), checked and set, or its problem noted. */
function applySource(merge: Merge, source: CliSettingSource, named: string, raw: string): void {
  const parsed = source.parse.safeParse(raw);
  if (parsed.success) {
    setField(merge.merged, source.path, parsed.data);
    if (source.flagKey === 'demo') merge.demoGiven = true;
  } else {
    merge.problems.push(`${named}: ${parsed.error.issues[0]?.message ?? 'is invalid'} (got ${quoted(raw)})`);
  }
}

/** The environment variables of the table; an empty one counts as unset. */
function applyEnvironment(merge: Merge, env: NodeJS.ProcessEnv): void {
  for (const source of CLI_SETTING_SOURCES) {
    if (source.env === null || source.path.length === 0) continue;
    const raw = env[source.env];
    if (raw !== undefined && raw !== '') applySource(merge, source, source.env, raw);
  }
}

/** The flags; a secret is never taken from one (every user on the machine sees flags in `ps`). */
function applyFlags(merge: Merge, flags: CliSettingsFlags): void {
  const flagSources = new Map(
    CLI_SETTING_SOURCES.filter((s) => s.flagKey !== null).map((s) => [s.flagKey as string, s]),
  );
  for (const [key, value] of Object.entries(flags) as [string, unknown][]) {
    if (value === undefined) continue;
    const source = flagSources.get(key);
    if (isSecretLikeKey(key)) {
      merge.problems.push(
        `a secret cannot be given as a flag (every user on this machine sees flags in ps): set ${CLIENT_SECRET_ENV} in the environment instead`,
      );
    } else if (!source?.flag) {
      merge.problems.push(`unknown setting flag "${key}"`);
    } else {
      applySource(merge, source, source.flag, String(value));
    }
  }
}

/** The Genesys client secret, from the environment only; its value is never quoted in a problem. */
function secretsOf(env: NodeJS.ProcessEnv, problems: string[]): CliConfig['secrets'] {
  const raw = env[CLIENT_SECRET_ENV];
  if (raw === undefined || raw === '') return {};
  const parsed = clientSecret.safeParse(raw);
  if (parsed.success) return { genesysClientSecret: parsed.data };
  problems.push(`${CLIENT_SECRET_ENV}: ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return {};
}

/**
 * Settings and secrets for one CLI run: `--config` file < environment < flags.
 *
 * Throws AuditArchiveError INVALID_SETTINGS (exit 2) naming every bad file field, variable or flag
 * at once, so a cron job is fixed in one round. An empty environment variable counts as unset.
 */
export function resolveCliConfig(input: CliConfigInput): CliConfig {
  const file = input.configPath !== undefined ? readConfigFile(input.configPath) : null;
  const merge: Merge = {
    merged: { ...file?.value },
    problems: [],
    demoGiven: file ? hasField(file.value, ['demo']) : false,
  };
  applyEnvironment(merge, input.env);
  applyFlags(merge, input.flags);
  const secrets = secretsOf(input.env, merge.problems);
  if (merge.problems.length > 0) {
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `Invalid settings: ${merge.problems.join('; ')}. Fix them and run again (audit-archive --help lists every setting).`,
    );
  }
  const settings = SettingsSchema.safeParse(merge.merged);
  if (!settings.success) {
    // Each source was valid on its own; only a combination can fail here.
    throw new AuditArchiveError(
      'INVALID_SETTINGS',
      `Invalid settings: ${describeSettingsIssues(settings.error)}. Fix them and run again.`,
    );
  }
  // The CLI archives the simulator only when told to (--demo true): a cron job whose environment
  // lost its client id must fail loudly, never lock simulated events into a real archive.
  if (!merge.demoGiven) settings.data.demo = false;
  return { settings: settings.data, secrets, warnings: file ? [...file.warnings] : [] };
}

/** The config file, validated on its own so errors name the file and the field. */
function readConfigFile(path: string): { value: Record<string, unknown>; warnings: string[] } {
  const fail = (what: string) => new AuditArchiveError('INVALID_SETTINGS', `Config file ${path} ${what}`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'unknown error';
    if (code === 'ENOENT') throw fail('does not exist; check the --config path.');
    throw fail(`cannot be read (${code}); check its permissions.`);
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw fail(`is invalid: ${describeJsonError(text, e)}; fix it and run again.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail("is invalid: it must be a JSON object like the app's settings.json; fix it and run again.");
  }
  const secrets = secretLikeFields(value);
  if (secrets.length > 0) {
    throw fail(
      `contains ${secrets.join(', ')}: secrets never belong in a config file. Remove it and give the client secret ` +
        `in the environment as ${CLIENT_SECRET_ENV} (a systemd credential or an EnvironmentFile readable only by the service user).`,
    );
  }
  const parsed = SettingsSchema.safeParse(value);
  if (!parsed.success) {
    throw fail(`is invalid: ${describeSettingsIssues(parsed.error)}; fix it and run again.`);
  }
  const unknown = unknownFields(value, parsed.data);
  const warnings =
    unknown.length > 0
      ? [`Config file ${path} has unknown field(s) ${unknown.join(', ')}; they are ignored (check the spelling).`]
      : [];
  return { value: value as Record<string, unknown>, warnings };
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Text for `--help`: where settings come from, every variable and flag, its meaning and default. */
export function describeSettingsSources(): string {
  const lines = [
    "Settings come from --config FILE (JSON with the fields of the app's settings.json), overridden by",
    'environment variables, overridden by flags. An empty variable counts as unset. Invalid settings',
    'stop the run with exit status 2.',
    '',
  ];
  for (const s of CLI_SETTING_SOURCES) {
    const names = [s.env, s.flag ? `${s.flag} ${s.parse === yesNo ? 'true|false' : 'VALUE'}` : null].filter(Boolean);
    lines.push(`  ${names.join('  |  ')}`);
    lines.push(...wrap(s.meaning, 92).map((l) => `      ${l}`));
    lines.push(`      Default: ${s.defaultText}.`);
  }
  lines.push(
    '',
    "S3 credentials and options come from the AWS SDK's own variables: AWS_ACCESS_KEY_ID,",
    'AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_S3, ...',
    'Secrets are never read from the config file or from flags.',
  );
  return lines.join('\n');
}
