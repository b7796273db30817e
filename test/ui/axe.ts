/**
 * axe-core in the page under test: injected through the DevTools protocol (the app's CSP refuses
 * inline scripts, rightly; what the protocol evaluates is not a page script), run on the whole
 * document, and any violation fails the test with its rule, impact and the first nodes it names.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterEach } from 'vitest';

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

function source(): string {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly unknown[]; readonly failureSummary?: string }[];
}

/**
 * axe-core's source evaluated in the page's main world by the DevTools protocol's Runtime.evaluate:
 * less than half the time of `page.evaluate(source)`, which hands the 550 kB text to Playwright's
 * utility script to `eval` (about 0.25 s against 0.6 s a page on the 2-core machine at load 5; a page is
 * checked after each test).
 */
async function injectAxe(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { exceptionDetails } = await cdp.send('Runtime.evaluate', { expression: source() });
    if (exceptionDetails) throw new Error(`axe-core did not load in the page: ${exceptionDetails.text}`);
  } finally {
    await cdp.detach();
  }
}

/** The violations axe finds on the page as it is now (WCAG 2.x A and AA, and axe's best practices). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await injectAxe(page);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
}

/** One line per violation: `rule (impact, N nodes): help — first targets`. */
export function describeViolations(violations: readonly AxeViolation[]): string[] {
  return violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'n/a'}, ${v.nodes.length} node(s)): ${v.help} — ${v.nodes
        .slice(0, 3)
        .map((n) => JSON.stringify(n.target))
        .join(', ')}`,
  );
}

/** Fails, naming every violation, unless axe finds none on the page in the state it is in (`state` names it). */
export async function expectAxeClean(page: Page, state: string): Promise<void> {
  const found = describeViolations(await axeViolations(page));
  if (found.length > 0) throw new Error(`axe found ${found.length} violation(s) in "${state}":\n${found.join('\n')}`);
}

/**
 * After each test of the file, axe on the page as the test left it. Vitest runs after-hooks last
 * registered first: register this after the hook that closes the page.
 */
export function axeAfterEach(page: () => Page | undefined): void {
  afterEach(async (context) => {
    const p = page();
    if (!p || p.isClosed() || context.task.result?.state === 'fail') return;
    await expectAxeClean(p, `the last state of "${context.task.name}"`);
  });
}
