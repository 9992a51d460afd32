import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Builds the admin console (API.md section 14) into dist/console, which the service serves under
 * /console (src/console/console.controller.ts). `npm run build:console`; CONSOLE_OUT_DIR builds
 * elsewhere (the browser tests build a fresh copy). Preact's JSX, the SDK from its sources.
 */
export default defineConfig({
  root: here('.'),
  base: '/console/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { '@auth-bff/sdk': here('../../../libs/sdk/src/index.ts') } },
  build: {
    outDir: process.env.CONSOLE_OUT_DIR ?? here('../../../dist/console'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // No inline <script>/<style> and no data: module preloads: the pages' CSP allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
  },
});
