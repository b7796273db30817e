/**
 * The settings being edited (the draft a form shows before it is saved): one section changed at a
 * time, the rest kept as they are.
 */
import type { Settings } from '../../shared/settings';

/** The sections a form edits field by field. */
export type DraftSection = 'genesys' | 'archive' | 'schedule' | 'ui' | 'desktop';

/** The draft with `patch` applied to one section. */
export function patchSection<K extends DraftSection>(
  settings: Settings,
  section: K,
  patch: Partial<Settings[K]>,
): Settings {
  return { ...settings, [section]: { ...settings[section], ...patch } };
}
