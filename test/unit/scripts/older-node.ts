/**
 * A Node on this machine older than the supported ones (Debian's or NodeSource's Node 20 at
 * /usr/bin/node on the CI machines), to prove what the project's entry points do on it; null on a
 * machine that has none (the tests that need one then skip).
 */
import { spawnSync } from 'node:child_process';

export function olderNode(): string | null {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    const r = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    const [major, minor] = (r.stdout ?? '').trim().split('.').map(Number);
    if (r.status === 0 && major !== undefined && minor !== undefined && (major < 22 || (major === 22 && minor < 12))) {
      return candidate;
    }
  }
  return null;
}
