/**
 * SettingsFile: the app's settings, persisted as JSON (in Electron's userData folder).
 *
 * Loading never fails: a missing file means defaults; an unreadable or invalid one means defaults
 * for this session plus a warning that names the file and the field, and the file is left alone so
 * the user can fix it. Only an explicit save replaces it, and the first save over an invalid file
 * keeps a `.invalid-<timestamp>` copy beside it. Secrets are never kept: a secret-looking field is
 * reported and ignored (secrets belong in the OS keychain, see SecretStore).
 *
 * Writes are atomic (temp file in the same folder, fsync, rename) with mode 0600, so a crash or a
 * full disk leaves either the old file or the new one, never half of one.
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { AuditArchiveError } from '../../../shared/errors';
import { defaultSettings, SettingsSchema, type Settings } from '../../../shared/settings';
import { writeFileAtomically } from '../files/write-file-atomically';
import { secretLikeFields, unknownFields, withoutSecretLikeFields } from './settings-fields';

export interface SettingsLoadResult {
  settings: Settings;
  /** For people: show them (app: a banner; CLI: stderr). Never contain a secret or file contents. */
  warnings: string[];
}

/** What reading a settings file found, before any fallback. */
type SettingsFileReading =
  | { kind: 'missing' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'not-json'; reason: string }
  | { kind: 'json'; value: unknown };

const UTF8_BOM = '\uFEFF';

/** `archive.retentionDays: Too big: expected number to be <=36500; …` (at most five issues). */
export function describeSettingsIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(whole file)'}: ${i.message}`);
  const more = error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '';
  return shown.join('; ') + more;
}

/**
 * Where a JSON parse failed, without quoting the file (it might hold a secret).
 *
 * V8's messages quote a snippet of the input, so only the position is kept.
 */
export function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/end of JSON input/.test(message)) return 'it is not valid JSON (it ends too early)';
  const match = /position (\d+)/.exec(message);
  if (!match?.[1]) return 'it is not valid JSON';
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `it is not valid JSON (line ${line}, column ${column})`;
}

function errorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : 'unknown error';
}

export class SettingsFile {
  readonly path: string;
  /** Saves run one after another so two quick saves cannot interleave their backup checks. */
  #saving: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  /** Settings to use now; falls back to defaults with a warning, never throws for a bad file. */
  async load(): Promise<SettingsLoadResult> {
    const reading = await this.#read();
    const useDefaults = 'using defaults for this session; fix or delete the file';
    switch (reading.kind) {
      case 'missing':
        return { settings: defaultSettings(), warnings: [] };
      case 'unreadable':
        return {
          settings: defaultSettings(),
          warnings: [`Settings file ${this.path} could not be read (${reading.reason}); ${useDefaults}.`],
        };
      case 'not-json':
        return {
          settings: defaultSettings(),
          warnings: [`Settings file ${this.path} is invalid: ${reading.reason}; ${useDefaults}.`],
        };
      case 'json': {
        const warnings: string[] = [];
        const secrets = secretLikeFields(reading.value);
        if (secrets.length > 0) {
          warnings.push(
            `Settings file ${this.path} contains ${secrets.join(', ')}: secrets belong in the OS keychain, not in a ` +
              'settings file, so it was ignored. Enter the secret again in Settings (it is then kept in the keychain); ' +
              'saving settings rewrites the file without it.',
          );
        }
        const value = withoutSecretLikeFields(reading.value);
        const parsed = SettingsSchema.safeParse(value);
        if (!parsed.success) {
          warnings.push(
            `Settings file ${this.path} is invalid: ${describeSettingsIssues(parsed.error)}; ${useDefaults}.`,
          );
          return { settings: defaultSettings(), warnings };
        }
        const unknown = unknownFields(value, parsed.data);
        if (unknown.length > 0) {
          warnings.push(
            `Settings file ${this.path} has unknown field(s) ${unknown.join(', ')}; they are ignored (check the spelling).`,
          );
        }
        return { settings: parsed.data, warnings };
      }
    }
  }

  /**
   * Validates and writes `settings` atomically (mode 0600).
   *
   * Throws AuditArchiveError INVALID_SETTINGS (nothing written) when a field is invalid. If the file
   * on disk is invalid, a `.invalid-<timestamp>` copy is kept first and a warning says where.
   */
  save(settings: Settings): Promise<SettingsLoadResult> {
    const run = this.#saving.then(
      () => this.#save(settings),
      () => this.#save(settings),
    );
    this.#saving = run.catch(() => undefined);
    return run;
  }

  async #save(settings: Settings): Promise<SettingsLoadResult> {
    const parsed = SettingsSchema.safeParse(settings);
    if (!parsed.success) {
      throw new AuditArchiveError(
        'INVALID_SETTINGS',
        `Settings were not saved: ${describeSettingsIssues(parsed.error)}. Correct these fields and save again.`,
      );
    }
    const warnings: string[] = [];
    const dir = dirname(this.path);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const kept = await this.#keepInvalidCopy();
      if (kept) warnings.push(`The previous settings file was invalid; a copy of it is kept at ${kept}.`);
      await writeFileAtomically(this.path, `${JSON.stringify(parsed.data, null, 2)}\n`);
    } catch (e) {
      throw new AuditArchiveError(
        'INVALID_SETTINGS',
        `Settings could not be saved to ${this.path} (${errorCode(e)}); check that the folder exists, is writable and the disk is not full, then save again.`,
        { cause: e },
      );
    }
    return { settings: parsed.data, warnings };
  }

  async #read(): Promise<SettingsFileReading> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      return errorCode(e) === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', reason: errorCode(e) };
    }
    if (text.startsWith(UTF8_BOM)) text = text.slice(1);
    try {
      return { kind: 'json', value: JSON.parse(text) as unknown };
    } catch (e) {
      return { kind: 'not-json', reason: describeJsonError(text, e) };
    }
  }

  /**
   * Copies an invalid settings file aside before it is replaced; returns the copy's path.
   *
   * A secret found in a readable file is not copied along: the copy exists to recover settings, and
   * secrets must not linger on disk.
   */
  async #keepInvalidCopy(): Promise<string | null> {
    const reading = await this.#read();
    if (reading.kind === 'missing' || reading.kind === 'unreadable') return null;
    if (reading.kind === 'json' && SettingsSchema.safeParse(withoutSecretLikeFields(reading.value)).success)
      return null;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    for (let attempt = 0; ; attempt++) {
      const copy = `${this.path}.invalid-${stamp}${attempt === 0 ? '' : `-${attempt}`}`;
      try {
        if (reading.kind === 'json' && secretLikeFields(reading.value).length > 0) {
          const redacted = `${JSON.stringify(withoutSecretLikeFields(reading.value), null, 2)}\n`;
          await writeFile(copy, redacted, { flag: 'wx', mode: 0o600 });
        } else {
          await copyFile(this.path, copy, constants.COPYFILE_EXCL);
        }
        return copy;
      } catch (e) {
        if (errorCode(e) !== 'EEXIST' || attempt > 100) throw e;
      }
    }
  }
}

