/**
 * Serving the built renderer (dist/renderer) safely, for both the Electron `app://` protocol and
 * the dev/test HTTP server: one CSP, one path resolver that never leaves the folder, one MIME map.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The renderer's Content Security Policy, sent as a header on every renderer response
 * (index.html repeats it in a meta tag as a second line of defence).
 */
const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Headers for every renderer file, whichever transport serves it. */
export const RENDERER_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

interface RendererFile {
  body: Buffer;
  contentType: string;
}

/**
 * Reads the renderer file for a URL path (`/`, `/assets/x.js`), or null when there is none.
 *
 * Refuses anything that would resolve outside `rootDir` (`..`, encoded separators, NUL) and
 * unknown file types, so the handler cannot be used to read other files on the machine.
 */
export async function readRendererFile(rootDir: string, urlPath: string): Promise<RendererFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split(/[?#]/)[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const root = path.resolve(rootDir);
  const file = path.resolve(root, relative);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  const contentType = MIME[path.extname(file).toLowerCase()];
  if (!contentType) return null;
  try {
    return { body: await readFile(file), contentType };
  } catch {
    return null;
  }
}
