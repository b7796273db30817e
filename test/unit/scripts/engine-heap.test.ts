/**
 * Which CLI runs start with V8's young generation capped (scripts/engine-heap.mjs): the commands that
 * read or write whole days, unless they only ask for help or whoever started Node set it already.
 * That the flag reaches the running command is proved on a real process in
 * test/unit/cli/cli-process.test.ts.
 */
import { describe, expect, it } from 'vitest';

type EngineHeapModule = {
  ENGINE_HEAP_FLAGS: string[];
  engineHeapFlagsFor: (args: string[], execArgv?: string[], env?: NodeJS.ProcessEnv) => string[];
};
// @ts-expect-error: plain ESM script without type declarations
const heap = (await import('../../../scripts/engine-heap.mjs')) as EngineHeapModule;
const { ENGINE_HEAP_FLAGS, engineHeapFlagsFor } = heap;

describe('engineHeapFlagsFor', () => {
  it.each([
    ['export', '--day', '2026-03-01'],
    ['catch-up'],
    ['--config', '/etc/audit-archive.json', 'verify', '--full'],
    ['demo', '--dir', '/tmp/demo'],
    ['report', '--results', 'r.query.json'],
  ])('caps it for %s', (...args) => {
    expect(engineHeapFlagsFor(args, [], {})).toEqual(ENGINE_HEAP_FLAGS);
  });

  it.each([[['query', '--saved', 'deletions']], [['status']], [['--version']], [['export', '--help']], [[]]])(
    'leaves %j alone (short, or only help)',
    (args) => {
      expect(engineHeapFlagsFor(args, [], {})).toEqual([]);
    },
  );

  it('never sets it twice, nor over a size given on the command line or in NODE_OPTIONS', () => {
    expect(engineHeapFlagsFor(['export'], ['--max-semi-space-size=16'], {})).toEqual([]);
    expect(engineHeapFlagsFor(['export'], ['--max-semi-space-size=64'], {})).toEqual([]);
    expect(
      engineHeapFlagsFor(['verify'], [], { NODE_OPTIONS: '--max-old-space-size=512 --max-semi-space-size=4' }),
    ).toEqual([]);
    expect(engineHeapFlagsFor(['verify'], [], { NODE_OPTIONS: '--max-old-space-size=512' })).toEqual(ENGINE_HEAP_FLAGS);
  });
});
