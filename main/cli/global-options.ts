/**
 * The flags every command takes: `--config`, `--state-dir`, `--help` and the settings flags
 * (`--target`, `--region`, …), which come from the one table that also documents them
 * (main/engine/settings/cli-config.ts `CLI_SETTING_SOURCES`).
 */
import type { ParseArgsConfig } from 'node:util';
import { CLI_SETTING_SOURCES, type CliSettingsFlags } from '../engine/settings/cli-config';
import { str, type FlagValues } from './usage';

type CliOptions = NonNullable<ParseArgsConfig['options']>;

/** The settings flags by name (without `--`), each with its key in CliSettingsFlags. */
const SETTINGS_FLAGS = new Map<string, keyof CliSettingsFlags>(
  CLI_SETTING_SOURCES.filter((s) => s.flag && s.flagKey).map((s) => [
    (s.flag as string).replace(/^--/, ''),
    s.flagKey as keyof CliSettingsFlags,
  ]),
);

export const GLOBAL_OPTIONS: CliOptions = {
  config: { type: 'string' },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries([...SETTINGS_FLAGS.keys()].map((name) => [name, { type: 'string' as const }])),
};

/** What the composition root (main/cli/composition.ts) reads the settings and the state folder from. */
export interface GlobalFlags {
  readonly configPath?: string;
  readonly stateDir?: string;
  readonly settings: CliSettingsFlags;
}

export function globalFlagsOf(values: FlagValues): GlobalFlags {
  const settings: CliSettingsFlags = {};
  for (const [name, key] of SETTINGS_FLAGS) {
    const v = str(values[name]);
    if (v !== undefined) settings[key] = v;
  }
  const configPath = str(values.config);
  const stateDir = str(values['state-dir']);
  return {
    ...(configPath !== undefined ? { configPath } : {}),
    ...(stateDir !== undefined ? { stateDir } : {}),
    settings,
  };
}
