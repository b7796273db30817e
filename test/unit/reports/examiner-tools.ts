/**
 * The standard tools an examiner runs on an unzipped report bundle, as the issue and the bundle's
 * README.txt name them, written out here rather than taken from the product (so a wrong command in
 * the product fails the tests instead of being followed by them).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a tool in `cwd`; its exit code and its stdout and stderr together. */
export async function examinerTool(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, maxBuffer: 1 << 26 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** `SHA256SUMS.sig` checked against `SHA256SUMS` with the bundle's own public key. */
export function opensslVerify(folder: string): Promise<{ code: number; out: string }> {
  const args = ['pkeyutl', '-verify', '-pubin', '-inkey', 'archive-public-key.pem', '-rawin'];
  return examinerTool('openssl', [...args, '-in', 'SHA256SUMS', '-sigfile', 'SHA256SUMS.sig'], folder);
}
