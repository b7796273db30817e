/**
 * Vitest globalSetup of the integration project: one real Ceph RADOS Gateway for the whole run.
 *
 * Tests read it with `inject('rgw')`. Set AUDIT_ARCHIVE_TEST_RGW=http://ACCESS:SECRET@127.0.0.1:PORT
 * (with `/?exporter=ACCESS:SECRET`) to reuse a gateway that is already running (`npx tsx test/servers/rgw-cli.ts` prints one) and
 * skip the ~17 s cluster start while iterating.
 */
import type { TestProject } from 'vitest/node';
import { type RgwConnection, startCephRgw } from './ceph-rgw';

declare module 'vitest' {
  export interface ProvidedContext {
    rgw: RgwConnection;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reuse = process.env.AUDIT_ARCHIVE_TEST_RGW;
  if (reuse) {
    project.provide('rgw', parseRgwUrl(reuse));
    return async () => undefined;
  }
  const rgw = await startCephRgw();
  project.provide('rgw', {
    endpoint: rgw.endpoint,
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
    region: rgw.region,
    exporter: rgw.exporter,
  });
  return () => rgw.stop();
}

/** `http://ACCESS:SECRET@127.0.0.1:PORT/?exporter=ACCESS:SECRET`, as printed by rgw-cli.ts. */
export function parseRgwUrl(text: string): RgwConnection {
  const url = new URL(text);
  const [exporterKey, exporterSecret] = (url.searchParams.get('exporter') ?? '').split(':');
  if (url.protocol !== 'http:' || !url.username || !url.password || !exporterKey || !exporterSecret) {
    throw new Error(
      'AUDIT_ARCHIVE_TEST_RGW must look like http://ACCESS:SECRET@127.0.0.1:PORT/?exporter=ACCESS:SECRET (printed by test/servers/rgw-cli.ts)',
    );
  }
  return {
    endpoint: `${url.protocol}//${url.host}`,
    accessKeyId: decodeURIComponent(url.username),
    secretAccessKey: decodeURIComponent(url.password),
    region: 'us-east-1',
    exporter: { accessKeyId: exporterKey, secretAccessKey: exporterSecret },
  };
}
