/**
 * Vitest globalSetup of the integration project: the Ceph RADOS Gateway (global-setup.ts) and the
 * renderer and Chromium its UI files share (ui-setup.ts: the run's own when `npm test` started one
 * for both Vitests, else one of its own), at once. Without the second, each of those files would
 * build the renderer and launch a Chromium of its own, one after another.
 */
import type { TestProject } from 'vitest/node';
import startRgw from './global-setup';
import startUi from './ui-setup';

type Teardown = () => Promise<void>;

export default async function setup(project: TestProject): Promise<Teardown> {
  const started = await Promise.allSettled([startRgw(project), startUi(project)]);
  const teardowns = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const teardown = async () => {
    await Promise.allSettled(teardowns.map((t) => t()));
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await teardown();
    throw failed.reason;
  }
  return teardown;
}
