/**
 * Vitest globalSetup of the projects whose tests run the `audit-archive` binary: builds the CLI's
 * bundle (scripts/build.mjs `buildCli`) once per run when it is missing or older than its sources, so
 * those tests run the CLI as it ships and a source edit never meets a refusal from the bin.
 */
interface CliBundleModule {
  cliBundleProblem: () => string | null;
}
interface BuildModule {
  buildCli: (options: { quiet: boolean }) => Promise<void>;
}

export default async function setup(): Promise<void> {
  // @ts-expect-error: plain ESM script without type declarations
  const { cliBundleProblem } = (await import('../../scripts/cli-bundle.mjs')) as CliBundleModule;
  if (cliBundleProblem() === null) return;
  // @ts-expect-error: plain ESM script without type declarations
  const { buildCli } = (await import('../../scripts/build.mjs')) as BuildModule;
  await buildCli({ quiet: true });
  const problem = cliBundleProblem();
  if (problem) throw new Error(`The CLI bundle was built but is still refused: ${problem}`);
}
