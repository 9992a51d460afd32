// `npm run start:dev`: compiles with `tsc --watch` and restarts the service after every successful
// compilation (what `nest start --watch` did, without the Nest CLI: see docs/node-versions.md).
// Ctrl-C stops both the compiler and the service.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiler = spawn(
  process.execPath,
  [tsc, '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let service;
let restarting = false;

function startService() {
  service = spawn(process.execPath, ['dist/src/main.js'], { stdio: 'inherit' });
  service.on('exit', () => {
    service = undefined;
    if (restarting) {
      restarting = false;
      startService();
    }
  });
}

function restartService() {
  if (!service) return startService();
  restarting = true;
  service.kill('SIGTERM');
}

compiler.stdout.setEncoding('utf8');
compiler.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  // tsc prints "Found 0 errors. Watching for file changes." after each successful compilation.
  if (/Found 0 errors\./.test(chunk)) restartService();
});

function stop() {
  restarting = false;
  compiler.kill('SIGTERM');
  if (service) service.kill('SIGTERM');
  else process.exit(0);
  service?.on('exit', () => process.exit(0));
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
compiler.on('exit', (code) => {
  if (!service) process.exit(code ?? 0);
});
