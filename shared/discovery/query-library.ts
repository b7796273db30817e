/**
 * The query library: the built-in starters plus the officer's saved queries (settings), how a listed
 * query becomes something to run, and the JSON file saved queries travel in.
 */
import type { Settings } from '../settings';
import { AuditArchiveError } from '../errors';
import type { QueryText } from './compile-query';
import { typedValuesFor, type RawParameterValue } from './parameters';
import {
  SAVED_QUERIES_FORMAT,
  SavedQueriesFileSchema,
  SavedQuerySchema,
  type ListedQuery,
  type SavedQueriesFile,
  type SavedQuery,
} from './saved-query';
import { isStarterId, STARTER_QUERIES } from './starter-queries';
import type { DateRange } from './structured-query';

export function listQueries(settings: Settings): ListedQuery[] {
  return [
    ...STARTER_QUERIES.map((q) => ({ ...q, builtIn: true })),
    ...settings.discovery.savedQueries.map((q) => ({ ...q, builtIn: false })),
  ];
}

/** A listed query by id, or by name without case. */
export function findQuery(settings: Settings, idOrName: string): ListedQuery {
  const all = listQueries(settings);
  const wanted = idOrName.trim();
  const found = all.find((q) => q.id === wanted) ?? all.find((q) => q.name.toLowerCase() === wanted.toLowerCase());
  if (!found) {
    throw new AuditArchiveError(
      'NOT_FOUND',
      `There is no saved or starter query "${wanted}". Known ids: ${all.map((q) => q.id).join(', ')}.`,
    );
  }
  return found;
}

/**
 * What to run for a listed query: SQL with its parameters parsed as their declared types (defaults
 * filled), or the structured form with the range given here (if any).
 */
export function queryTextFor(
  query: SavedQuery,
  input: { parameters?: Readonly<Record<string, RawParameterValue | undefined>>; range?: DateRange | null },
): QueryText {
  if (query.query.kind === 'structured') {
    if (input.parameters && Object.values(input.parameters).some((v) => v !== undefined)) {
      throw new AuditArchiveError(
        'QUERY_INVALID',
        `"${query.name}" is a structured query and takes no parameters; change its fields instead.`,
      );
    }
    return {
      kind: 'structured',
      structured: { ...query.query.structured, ...(input.range ? { range: input.range } : {}) },
    };
  }
  return {
    kind: 'sql',
    sql: query.query.sql,
    parameters: typedValuesFor(query.parameters, input.parameters ?? {}),
    range: input.range ?? null,
  };
}

/** Settings with `query` added, or replacing the saved query of the same id. Starters cannot be replaced. */
export function withSavedQuery(settings: Settings, query: SavedQuery): Settings {
  const parsed = SavedQuerySchema.parse(query);
  if (isStarterId(parsed.id)) {
    throw new AuditArchiveError(
      'INVALID_REQUEST',
      `"${parsed.id}" is the id of a starter query; save yours under another id.`,
    );
  }
  const others = settings.discovery.savedQueries.filter((q) => q.id !== parsed.id);
  return { ...settings, discovery: { ...settings.discovery, savedQueries: [...others, parsed] } };
}

export function withoutSavedQuery(settings: Settings, id: string): Settings {
  if (!settings.discovery.savedQueries.some((q) => q.id === id)) {
    throw new AuditArchiveError(
      'NOT_FOUND',
      isStarterId(id) ? `"${id}" is a starter query; starters cannot be deleted.` : `There is no saved query "${id}".`,
    );
  }
  return {
    ...settings,
    discovery: { ...settings.discovery, savedQueries: settings.discovery.savedQueries.filter((q) => q.id !== id) },
  };
}

export function savedQueriesFile(settings: Settings, exportedAt: string): SavedQueriesFile {
  return { format: SAVED_QUERIES_FORMAT, exportedAt, queries: settings.discovery.savedQueries };
}

/**
 * Settings with the queries of an exported file added (an existing id is replaced). The whole file is
 * checked first: one bad query refuses the import and changes nothing.
 */
export function withImportedQueries(
  settings: Settings,
  file: unknown,
): { settings: Settings; added: number; replaced: number } {
  const parsed = SavedQueriesFileSchema.safeParse(file);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AuditArchiveError(
      'INVALID_REQUEST',
      `This is not a saved-queries file Audit Archive can import (${issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'invalid'}). Nothing was imported.`,
    );
  }
  const starter = parsed.data.queries.find((q) => isStarterId(q.id));
  if (starter)
    throw new AuditArchiveError(
      'INVALID_REQUEST',
      `The file holds "${starter.id}", the id of a starter query. Nothing was imported.`,
    );
  const existing = new Set(settings.discovery.savedQueries.map((q) => q.id));
  const incoming = new Set(parsed.data.queries.map((q) => q.id));
  const kept = settings.discovery.savedQueries.filter((q) => !incoming.has(q.id));
  const replaced = parsed.data.queries.filter((q) => existing.has(q.id)).length;
  return {
    settings: { ...settings, discovery: { ...settings.discovery, savedQueries: [...kept, ...parsed.data.queries] } },
    added: parsed.data.queries.length - replaced,
    replaced,
  };
}
