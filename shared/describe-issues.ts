/**
 * One message for a schema's findings, naming each field: what every boundary (the IPC contract, the
 * archive's records, the settings file) says when an input does not fit its schema.
 */
import type * as z from 'zod';

/** Turns zod issues into one message naming the field, e.g. `settings.archive.retentionDays: …`. */
export function describeIssues(error: z.ZodError, root = 'request'): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}
