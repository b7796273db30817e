/**
 * A benchmark file bundled for plain Node, as the app ships its engine: under tsx the loader alone
 * adds ~45 MB of RSS, which would be counted against the engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bundles = new Map<string, Promise<string>>();

/**
 * Bundles `entry` once per process into a temp folder (removed at exit); returns the .mjs path.
 * `native` packages (DuckDB's bindings load a .node file) stay outside the bundle, imported by
 * absolute path, since the bundle lives in a temp folder with no node_modules beside it.
 */
export function bundleForNode(entry: string, name: string, native: readonly string[] = []): Promise<string> {
  let out = bundles.get(entry);
  if (!out) {
    out = (async () => {
      const dir = mkdtempSync(join(tmpdir(), `${name}-`));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      const outfile = join(dir, `${name}.mjs`);
      // Imported here only: the bundled child must not need esbuild.
      const { build } = await import('esbuild');
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        outfile,
        external: ['esbuild'],
        plugins: [
          {
            name: 'native-packages-by-absolute-path',
            setup(b) {
              const resolveFrom = createRequire(entry);
              for (const pkg of native) {
                const filter = new RegExp(`^${pkg.replace(/[/\\^$.*+?()[\]{}|-]/g, '\\$&')}$`);
                b.onResolve({ filter }, (args) => ({ path: resolveFrom.resolve(args.path), external: true }));
              }
            },
          },
        ],
        logLevel: 'warning',
        // Bundled CommonJS dependencies (the AWS SDK) call require() for Node built-ins.
        banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      });
      return outfile;
    })();
    bundles.set(entry, out);
  }
  return out;
}
