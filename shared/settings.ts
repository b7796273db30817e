/**
 * Settings: everything a user may configure, with defaults. Secrets are NOT settings: they live in
 * the OS keychain (SecretStore) or, headless, come from the environment.
 *
 * Every field has a default so that a partial or older settings file still parses; an invalid file
 * falls back to defaults with a visible warning (see main/engine/settings).
 */
import * as z from 'zod';
import { DaySchema, type Day } from './day';
import { GENESYS_HOSTS } from './genesys-regions';
import { GenesysBaseUrlSchema } from './genesys-url';
import { SavedQuerySchema } from './discovery/saved-query';
import { LockModeSchema, Sha256HexSchema } from './manifest';

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** `s3://bucket/prefix`, `file:///absolute/path` or `azure://account/container/prefix`. */
export const ArchiveTargetSchema = z
  .string()
  .refine(
    (s) =>
      /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(s) ||
      /^file:\/\/\/.+/.test(s) ||
      /^azure:\/\/[^/]+\/[^/]+(\/.*)?$/.test(s),
    'must be s3://bucket/prefix, file:///absolute/path or azure://account/container/prefix',
  )
  .refine((s) => !s.startsWith('file://') || fileTargetPathProblem(s) === null, {
    error: (issue) => fileTargetPathProblem(String(issue.input)) ?? 'is not a usable file:// URL',
  });

/**
 * Why a `file://` target's path cannot be used as written, or null. A `..` segment (as is or
 * percent-encoded, `%2e%2e`) is refused: a URL parser resolves it silently, so
 * `file:///srv/archive/../other` would archive into /srv/other while every message, the journal and
 * the manifests name the URL as written. A `%` that is not an escape cannot be read unambiguously.
 */
function fileTargetPathProblem(target: string): string | null {
  const path = target.replace(/^file:\/\//, '').split(/[?#]/, 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return 'has a "%" that is not an escape such as %20: write a space as %20 and a percent sign as %25';
  }
  if (decoded.split(/[/\\]/).includes('..')) {
    return 'must name its folder without ".." (write the absolute path it leads to, e.g. file:///srv/audit-archive)';
  }
  return null;
}

export const GenesysSettingsSchema = z.object({
  region: z.enum(GENESYS_HOSTS).default('mypurecloud.com'),
  /** Overrides `https://api.{region}` (private gateways; http only on loopback, for tests). */
  apiUrl: GenesysBaseUrlSchema.optional(),
  /** Overrides `https://login.{region}` (same rule: the client secret is sent there). */
  loginUrl: GenesysBaseUrlSchema.optional(),
  /** OAuth client id (not a secret; the client secret lives in the keychain). */
  clientId: z.string().max(200).default(''),
  authMode: z.enum(['client-credentials', 'pkce']).default('client-credentials'),
  /** One query per service name, for orgs that still require `serviceName`. */
  perServiceQueries: z.boolean().default(false),
  /** Requests per minute shared by everything that calls Genesys in this process. */
  requestsPerMinute: z.number().int().min(1).max(6000).default(300),
  /** Days Genesys keeps audit events; older gaps are unrecoverable. */
  retentionDays: z.number().int().min(1).max(3650).default(365),
  /**
   * Milliseconds before the first look at a running audit query's status, then x1.5 up to 5 s
   * (docs/GENESYS.md). Every look is a request against `requestsPerMinute`; a lower first wait only
   * suits a gateway or test server that answers at once.
   */
  statusPollMs: z.number().int().min(10).max(5000).default(500),
  /**
   * Loopback port of "Sign in as myself" (PKCE): register `http://127.0.0.1:<port>/oauth/callback`
   * as a redirect URI on the OAuth client. 0 picks a free port (tests only: Genesys accepts only a
   * registered redirect URI).
   */
  signInRedirectPort: z.number().int().min(0).max(65_535).default(47_615),
});

export const ArchiveSettingsSchema = z.object({
  /** Where the archive lives. Empty: the local folder under the app's data directory. */
  target: z.union([ArchiveTargetSchema, z.literal('')]).default(''),
  lockMode: LockModeSchema.default('COMPLIANCE'),
  /** Retention per object, in days (2557 = 7 years). */
  retentionDays: z.number().int().min(1).max(36_500).default(2557),
  /** Days before this are `not-required` in the calendar. */
  policyStartDate: DaySchema.optional(),
  /** Minutes after a day's end before it may be exported. */
  settlementMinutes: z.number().int().min(0).max(10_080).default(120),
  /** Upper bound of one data part (compressed bytes). */
  maxPartBytes: z
    .number()
    .int()
    .min(1024)
    .max(5 * 1024 ** 3)
    .default(16 * 1024 * 1024),
  /**
   * The single-writer lease: a writer whose heartbeat stops for `staleSeconds` is taken to have died
   * and is taken over; another writer waits up to `waitSeconds` for the holder before giving up.
   */
  lease: z
    .object({
      staleSeconds: z.number().int().min(2).max(3600).default(300),
      waitSeconds: z.number().int().min(0).max(86_400).default(900),
    })
    .prefault({}),
  s3: z
    .object({
      region: z.string().optional(),
      endpoint: HttpUrl.optional(),
      forcePathStyle: z.boolean().default(false),
      /** A named AWS profile (~/.aws/config) for the credentials; unset: the SDK's default chain. */
      profile: z
        .string()
        .max(128)
        .regex(/^[A-Za-z0-9_.@+=,-]+$/, 'must be a profile name from ~/.aws/config (letters, digits, - _ . @)')
        .optional(),
    })
    .prefault({}),
  /**
   * The archive's signing key fingerprint as the officer recorded it: a new archive is signed with
   * this key (held in the OS keychain), and verify checks that the archive's root names it.
   */
  signingKeyFingerprint: Sha256HexSchema.optional(),
  /**
   * CLI only: a file holding the archive's private signing key(s) as PEM, for a machine without an
   * OS keychain. Absolute, outside the state folder, mode 0600 (refused otherwise). Unset: the OS
   * keychain. The app always keeps its key in the keychain.
   */
  signingKeyFile: z
    .string()
    .max(4096)
    .refine((s) => s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s), 'must be an absolute path')
    .optional() /**
   * A second locked copy (SEC 17a-4(f)(2)'s backup set): another S3 bucket with Object Lock
   * (main/engine/archive/copy/). `write`: the product writes every object and manifest there after
   * the primary; `check`: an S3 Replication rule fills it and the product only checks it.
   */,
  copy: z
    .object({
      target: z
        .union([
          z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'must be s3://bucket/prefix'),
          z.literal(''),
        ])
        .default(''),
      mode: z.enum(['write', 'check']).default('write'),
    })
    .prefault({}),
});

const ScheduleSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  /** Local time of the daily run, HH:MM. */
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time HH:MM')
    .default('02:00'),
  /** Days exported concurrently during catch-up. */
  concurrency: z.number().int().min(1).max(8).default(2),
});

const UiSettingsSchema = z.object({
  /** Years shown in the calendar. */
  calendarYears: z.number().int().min(1).max(10).default(7),
});

const AthenaSettingsSchema = z.object({
  /** AWS region of the workgroup; unset: archive.s3.region, else AWS_REGION. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region such as eu-west-1')
    .optional(),
  /** The workgroup queries run in (a dedicated one can pin the result location and cap bytes scanned). */
  workgroup: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be 1-128 letters, digits, ., _ or -')
    .default('primary'),
  /** The Glue database that holds the `audit_events_raw` table (created if missing). */
  database: z
    .string()
    .regex(/^[a-z0-9_]{1,255}$/, 'must be lower-case letters, digits and _')
    .default('audit_archive'),
  /** Where Athena writes results, `s3://bucket/path/`; unset: the workgroup's own result location. */
  outputLocation: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'must be an s3://bucket/path/ URL')
    .optional(),
});

const DiscoverySettingsSchema = z.object({
  /** Where queries run by default: `local` (DuckDB on this machine) or `athena`. */
  engine: z.enum(['local', 'athena']).default('local'),
  athena: AthenaSettingsSchema.prefault({}),
  /**
   * Where the local engine keeps what it derives from the archive (S3 objects downloaded by version,
   * Parquet built from objects whose SHA-256 matched their manifest). Unset: the app's data folder,
   * or the CLI's state folder. Never part of the archive; safe to delete.
   */
  cacheDir: z
    .string()
    .refine((s) => s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s), 'must be an absolute path')
    .optional(),
  /** The officer's own saved queries (the starter library is built in). */
  savedQueries: z
    .array(SavedQuerySchema)
    .max(500)
    .default([])
    .superRefine((qs, ctx) => {
      const ids = qs.map((q) => q.id);
      const dup = ids.find((id, i) => ids.indexOf(id) !== i);
      if (dup) ctx.addIssue({ code: 'custom', message: `two saved queries have the id ${dup}` });
    }),
});

/** The Electron shell only (the CLI and dev:web ignore them). */
const DesktopSettingsSchema = z.object({
  /** Open the app (hidden, in the tray) when the user logs in, so the daily job runs. */
  startAtLogin: z.boolean().default(false),
  /** A tray icon that keeps the app (and its daily job) running when the window is closed. */
  trayIcon: z.boolean().default(true),
});

export const SettingsSchema = z.object({
  /** The demo organisation (built-in simulator) until a real one is connected. */
  demo: z.boolean().default(true),
  genesys: GenesysSettingsSchema.prefault({}),
  archive: ArchiveSettingsSchema.prefault({}),
  schedule: ScheduleSettingsSchema.prefault({}),
  ui: UiSettingsSchema.prefault({}),
  discovery: DiscoverySettingsSchema.prefault({}),
  desktop: DesktopSettingsSchema.prefault({}),
});
export type Settings = z.infer<typeof SettingsSchema>;
/** What a caller may send to change settings: any subset. */
export type SettingsInput = z.input<typeof SettingsSchema>;

/** What decides which days the archive must hold: settled, still held by Genesys, not before the policy start. */
export function calendarRulesOf(settings: Settings): {
  settlementMinutes: number;
  genesysRetentionDays: number;
  policyStartDate?: Day;
} {
  return {
    settlementMinutes: settings.archive.settlementMinutes,
    genesysRetentionDays: settings.genesys.retentionDays,
    ...(settings.archive.policyStartDate ? { policyStartDate: settings.archive.policyStartDate } : {}),
  };
}

export function defaultSettings(): Settings {
  return SettingsSchema.parse({});
}
