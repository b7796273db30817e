/**
 * The CLI run in this process as a user would run it from a shell, capturing what it prints; and
 * what an attacker holding a folder would look for in it (private keys).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { main } from '../../../main/cli/main';

export async function cliInProcess(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** Every file under `dir` whose bytes hold a PEM private key ([] when `dir` does not exist). */
export async function privateKeysUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    if ((await fs.readFile(file, 'utf8')).includes('PRIVATE KEY')) found.push(file);
  }
  return found;
}
