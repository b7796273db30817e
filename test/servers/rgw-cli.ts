/**
 * Starts a Ceph RADOS Gateway for development and keeps it up until Ctrl-C.
 *
 * Prints the AUDIT_ARCHIVE_TEST_RGW line that lets `vitest --project integration` reuse it.
 */
import { startCephRgw } from './ceph-rgw';

const rgw = await startCephRgw();
const url = new URL(rgw.endpoint);
url.username = encodeURIComponent(rgw.accessKeyId);
url.password = encodeURIComponent(rgw.secretAccessKey);
url.searchParams.set('exporter', `${rgw.exporter.accessKeyId}:${rgw.exporter.secretAccessKey}`);
console.log(`export AUDIT_ARCHIVE_TEST_RGW='${url.href}'`);
const stop = () => void rgw.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => undefined, 1 << 30);
