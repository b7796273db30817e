/**
 * Saved queries: a name, a description, SQL (with typed `:name` parameters) or a structured form.
 * Kept in the settings (`discovery.savedQueries`), exported and imported as one JSON file; the
 * starter library (starter-queries.ts) is built in and cannot be overwritten.
 */
import * as z from 'zod';
import { MAX_SQL_LENGTH } from './compile-query';
import { ParameterDefinitionSchema, scanNamedParameters } from './parameters';
import { StructuredQuerySchema } from './structured-query';

export const SavedQueryIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes (at most 64), e.g. queue-changes');

const SavedQueryBodySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sql'), sql: z.string().min(1, 'must not be empty').max(MAX_SQL_LENGTH) }).strict(),
  z.object({ kind: z.literal('structured'), structured: StructuredQuerySchema }).strict(),
]);

export const SavedQuerySchema = z
  .object({
    /** Stable handle: `audit-archive query --saved <id>`. */
    id: SavedQueryIdSchema,
    name: z.string().trim().min(1, 'must not be empty').max(120),
    description: z.string().max(2000).default(''),
    query: SavedQueryBodySchema,
    /** Typed parameters of a SQL query, one per `:name` it uses; none for a structured one. */
    parameters: z.array(ParameterDefinitionSchema).max(20).default([]),
  })
  .strict()
  .superRefine((q, ctx) => {
    const declared = q.parameters.map((p) => p.name);
    const dup = declared.find((n, i) => declared.indexOf(n) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['parameters'], message: `declares :${dup} twice` });
    if (q.query.kind === 'structured') {
      if (q.parameters.length > 0)
        ctx.addIssue({ code: 'custom', path: ['parameters'], message: 'a structured query has no parameters' });
      return;
    }
    let used: string[];
    try {
      used = [...new Set(scanNamedParameters(q.query.sql).names)];
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['query', 'sql'], message: e instanceof Error ? e.message : String(e) });
      return;
    }
    for (const name of used.filter((n) => !declared.includes(n))) {
      ctx.addIssue({ code: 'custom', path: ['parameters'], message: `the SQL uses :${name}, which is not declared` });
    }
    for (const name of declared.filter((n) => !used.includes(n))) {
      ctx.addIssue({ code: 'custom', path: ['parameters'], message: `declares :${name}, which the SQL does not use` });
    }
  });
export type SavedQuery = z.infer<typeof SavedQuerySchema>;
export type SavedQueryInput = z.input<typeof SavedQuerySchema>;

export const SAVED_QUERIES_FORMAT = 'audit-archive/saved-queries@1';

/** The export/import file: `audit-archive-queries.json`. */
export const SavedQueriesFileSchema = z
  .object({
    format: z.literal(SAVED_QUERIES_FORMAT),
    exportedAt: z.string().datetime({ offset: false }).optional(),
    queries: z.array(SavedQuerySchema).max(500),
  })
  .strict()
  .superRefine((f, ctx) => {
    const ids = f.queries.map((q) => q.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['queries'], message: `holds the id ${dup} twice` });
  });
export type SavedQueriesFile = z.infer<typeof SavedQueriesFileSchema>;

/** A saved query as the list shows it: built-in starters are marked and cannot be edited. */
export interface ListedQuery extends SavedQuery {
  readonly builtIn: boolean;
}
