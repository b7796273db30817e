/**
 * SettingsFile: the app's settings, persisted as JSON (in Electron's userData folder).
 *
 * Loading never fails: a missing file means defaults; an unreadable or invalid one means defaults
 * for this session plus a warning that names the file and the field, and the file is left alone so
 * the user can fix it. Only an explicit save replaces it, and the first save over an invalid file
 * keeps a `.invalid-<timestamp>` copy beside it (mode 0600, without secret-looking fields). Secrets
 * are never kept: a secret-looking field is reported and ignored (secrets belong in the OS keychain,
 * see SecretStore).
 *
 * Writes are atomic (temp file in the same folder, fsync, rename) with mode 0600, so a crash or a
 * full disk leaves either the old file or the new one, never half of one.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type * as z from 'zod';
import { AuditArchiveError } from '../../../shared/errors';
import { defaultSettings, SettingsSchema, type Settings } from '../../../shared/settings';
import { readRegularFile } from '../files/regular-file';
import { writeFileAtomically } from '../files/write-file-atomically';
import { isSecretLikeKey, secretLikeFields, unknownFields, withoutSecretLikeFields } from './settings-fields';

interface SettingsLoadResult {
  settings: Settings;
  /** For people: show them (app: a banner; CLI: stderr). Never contain a secret or file contents. */
  warnings: string[];
}

/** What reading a settings file found, before any fallback. */
type SettingsFileReading =
  | { kind: 'missing' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'not-json'; reason: string; text: string }
  | { kind: 'json'; value: unknown; text: string };

const UTF8_BOM = '\uFEFF';
/** Far above any real settings file (saved queries included); past it the file is refused, never read whole. */
const MAX_SETTINGS_FILE_BYTES = 16 * 1024 * 1024;

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
      // A named pipe here would hang the app's start; a link is followed (a user may keep the file elsewhere).
      const read = await readRegularFile(this.path, MAX_SETTINGS_FILE_BYTES, { followLinks: true });
      if (!read.ok) return { kind: 'unreadable', reason: `it is ${read.what}, not a settings file` };
      text = read.text;
    } catch (e) {
      return errorCode(e) === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', reason: errorCode(e) };
    }
    if (text.startsWith(UTF8_BOM)) text = text.slice(1);
    try {
      return { kind: 'json', value: JSON.parse(text) as unknown, text };
    } catch (e) {
      return { kind: 'not-json', reason: describeJsonError(text, e), text };
    }
  }

  /**
   * Keeps a copy of an invalid settings file before it is replaced; returns the copy's path.
   *
   * The copy exists to recover settings, and secrets must not linger on disk: it is readable by its
   * owner only (0600, like the settings file) and holds no secret-looking field, whether the file is
   * JSON (the fields are dropped) or not (lines naming such a field are replaced by a note).
   */
  async #keepInvalidCopy(): Promise<string | null> {
    const reading = await this.#read();
    if (reading.kind === 'missing' || reading.kind === 'unreadable') return null;
    if (reading.kind === 'json' && SettingsSchema.safeParse(withoutSecretLikeFields(reading.value)).success)
      return null;
    let content: string;
    if (reading.kind === 'json') {
      content =
        secretLikeFields(reading.value).length > 0
          ? `${JSON.stringify(withoutSecretLikeFields(reading.value), null, 2)}\n`
          : reading.text;
    } else {
      content = withoutSecretLikeLines(reading.text);
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    for (let attempt = 0; ; attempt++) {
      const copy = `${this.path}.invalid-${stamp}${attempt === 0 ? '' : `-${attempt}`}`;
      try {
        await writeFile(copy, content, { flag: 'wx', mode: 0o600 });
        return copy;
      } catch (e) {
        if (errorCode(e) !== 'EEXIST' || attempt > 100) throw e;
      }
    }
  }
}

/** `"clientSecret":`, `token =`, `'apiKey':`: a field name as it appears in a file that is not JSON. */
const FIELD_IN_TEXT = /["']?([A-Za-z_$][\w$.-]*)["']?\s*[:=]/g;

/**
 * Text of a file that is not JSON with every line that names a secret-looking field replaced by a
 * note, and the lines of its value too when it goes on (a value on the next line, an object or a
 * list left open), so a broken file's copy keeps what is needed to recover settings but no secret.
 */
function withoutSecretLikeLines(text: string): string {
  const out: string[] = [];
  let valueOnNextLine = false;
  let openBrackets = 0;
  for (const line of text.split('\n')) {
    const indent = /^\s*/.exec(line)?.[0] ?? '';
    const note = `${indent}(removed: a line with a secret-looking field; secrets belong in the OS keychain)`;
    if (openBrackets > 0 || (valueOnNextLine && line.trim() !== '')) {
      openBrackets = Math.max(0, openBrackets + bracketBalance(line));
      valueOnNextLine = false;
      out.push(note);
      continue;
    }
    const secretField = [...line.matchAll(FIELD_IN_TEXT)].find((m) => isSecretLikeKey(m[1] ?? ''));
    if (secretField) {
      const rest = line.slice((secretField.index ?? 0) + secretField[0].length);
      valueOnNextLine = rest.trim() === '';
      openBrackets = Math.max(0, bracketBalance(rest));
      out.push(note);
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** Opening minus closing brackets on a line (quotes are not parsed: good enough to find a value's end). */
function bracketBalance(line: string): number {
  let balance = 0;
  for (const c of line) {
    if (c === '{' || c === '[') balance += 1;
    else if (c === '}' || c === ']') balance -= 1;
  }
  return balance;
}
