/**
 * Vite builds the renderer only (root renderer/, output dist/renderer). Relative base './' because
 * the files are served from `app://audit-archive/` in Electron and from the loopback server in
 * dev/test; no modulepreload polyfill, so the output has no inline script and the strict CSP holds.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: path.join(root, 'renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: path.join(root, 'dist', 'renderer'),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'chrome130',
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources put `@__PURE__` comments where Rollup cannot use them; it drops them (no
        // change to the output) and says so for each on every build, burying warnings of our own.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return;
        warn(warning);
      },
    },
  },
});
