/**
 * `npm run bench`: runs every benchmark in its own process (so each peak RSS is its own) and
 * prints their figures. Name benchmarks to run a subset (`npm run bench -- genesys keys`); what
 * follows the names is passed to each of them (`npm run bench -- archive --only copy`,
 * `npm run bench -- reports 10000`): each bench's header documents its flags.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => basename(f, '.ts'))
  .sort();

/** The leading arguments that name benchmarks, and everything after them (passed to each). */
function splitBenchArgs(argv: readonly string[], known: readonly string[]): { names: string[]; passed: string[] } {
  const firstOther = argv.findIndex((a) => !known.includes(a));
  const cut = firstOther < 0 ? argv.length : firstOther;
  return { names: argv.slice(0, cut), passed: argv.slice(cut) };
}

const { names, passed } = splitBenchArgs(process.argv.slice(2), all);
if (names.length === 0 && passed.length > 0) {
  console.error(
    `'${passed[0]}' is not a benchmark (${all.join(', ')}). Name the benchmark first, then its flags: npm run bench -- archive --only copy`,
  );
  process.exit(2);
}
const benches = names.length === 0 ? all : all.filter((name) => names.includes(name));

let failed = 0;
for (const name of benches) {
  console.log(`\n=== bench: ${name}${passed.length ? ` ${passed.join(' ')}` : ''}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`), ...passed], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed++;
    console.log(`=== bench ${name} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);
