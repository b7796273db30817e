/**
 * Serves the renderer from `app://audit-archive/` instead of file://, so the page has a real origin
 * (CSP `'self'` means exactly our files), every response carries the strict CSP header, and the
 * handler never reads outside dist/renderer.
 */
import { protocol } from 'electron';
import { readRendererFile, RENDERER_HEADERS } from '../engine/service/renderer-files';
import { APP_HOST, APP_SCHEME } from '../engine/service/trusted-origin';

/** Must run before the app is ready. */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Must run after the app is ready. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.hostname !== APP_HOST || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('Not found', { status: 404, headers: RENDERER_HEADERS });
    }
    const file = await readRendererFile(rendererDir, url.pathname);
    if (!file) return new Response('Not found', { status: 404, headers: RENDERER_HEADERS });
    return new Response(new Uint8Array(file.body), {
      status: 200,
      headers: { ...RENDERER_HEADERS, 'Content-Type': file.contentType },
    });
  });
}
