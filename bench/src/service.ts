// The built service (settings.entry) as child processes on the bench database, and the start-up
// comparison with the minimal Nest app.
import { randomBytes } from 'node:crypto';
import { median, MINIMAL_NEST_APP, MINIMAL_NEST_BUNDLE } from './bounds.js';
import { freePort } from './database.js';
import { defer, memoryOf, type Started, startHttpChild, stopChild } from './processes.js';
import { log, type Settings } from './settings.js';

/** One public URL (so one JWT issuer) for every instance, as behind a load balancer. */
export const PUBLIC_URL = 'http://auth.bench.localhost';

export interface ServiceEnv {
  env: NodeJS.ProcessEnv;
  adminKey: string;
}

export function serviceEnv(settings: Settings, databaseUrl: string): ServiceEnv {
  const adminKey = randomBytes(24).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    ADMIN_API_KEY: adminKey,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PUBLIC_URL,
    LOG_LEVEL: 'warn',
    // The bench sends everything from one IP: the limits are set out of reach.
    RATE_LIMIT_PER_IP: '10000000',
    RATE_LIMIT_PER_ACCOUNT: '10000000',
  };
  if (settings.redisUrl) env.REDIS_URL = settings.redisUrl;
  if (settings.serviceUvThreadpoolSize) env.UV_THREADPOOL_SIZE = settings.serviceUvThreadpoolSize;
  if (settings.serviceDatabasePoolSize) env.DATABASE_POOL_SIZE = settings.serviceDatabasePoolSize;
  return { env, adminKey };
}

export interface Instance extends Started {
  readyOn: string;
}

/** Starts an instance of the service for the load; it runs until clean-up. */
export async function startInstance(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  name: string,
  readyOn: string,
) {
  const started = await startHttpChild({
    name,
    script: settings.entry,
    port: await freePort(),
    env,
    readyPath: '/health/ready',
  });
  defer(`stop ${name}`, () => stopChild(started.child));
  log(`${name} ready at ${started.base} in ${started.readyMs} ms, on the ${readyOn}`);
  return { ...started, readyOn } satisfies Instance;
}

export interface StartTimes {
  /** Spawn to GET /health/ready = 200 on the migrated database, each sample. */
  serviceMs: number[];
  /** Spawn to GET / = 200 of the minimal Nest app, each sample. */
  minimalNestMs: number[];
  serviceMedianMs: number | null;
  minimalNestMedianMs: number | null;
  /**
   * The minimal app bundled as the service is (for information: the bound stays the unbundled
   * app of the definition; this says how much of the ratio bundling alone explains).
   */
  minimalNestBundleMs: number[];
  minimalNestBundleMedianMs: number | null;
  /** Peak RSS of the started-and-stopped services, MB (idle: start-up only). */
  servicePeakRssAtReadyMb: number | null;
}

/**
 * `settings.starts` samples of each, alternated (service, minimal app, service, ...) so that a
 * busy moment of the machine weighs on both; each process is stopped once it has answered.
 */
export async function measureStarts(settings: Settings, env: NodeJS.ProcessEnv): Promise<StartTimes> {
  const serviceMs: number[] = [];
  const minimalNestMs: number[] = [];
  const minimalNestBundleMs: number[] = [];
  let rss = 0;
  for (let i = 0; i < settings.starts; i++) {
    const service = await startHttpChild({
      name: `start probe ${i + 1}`,
      script: settings.entry,
      port: await freePort(),
      env,
      readyPath: '/health/ready',
    });
    rss = Math.max(rss, memoryOf(service.child.pid).peakRssMb ?? 0);
    await stopChild(service.child);
    serviceMs.push(service.readyMs);
    for (const [label, script, samples] of [
      ['minimal Nest app', MINIMAL_NEST_APP, minimalNestMs],
      ['minimal Nest app, bundled', MINIMAL_NEST_BUNDLE, minimalNestBundleMs],
    ] as const) {
      const minimal = await startHttpChild({
        name: `${label} ${i + 1}`,
        script,
        port: await freePort(),
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' },
        readyPath: '/',
      });
      await stopChild(minimal.child);
      samples.push(minimal.readyMs);
    }
  }
  const result = {
    serviceMs,
    minimalNestMs,
    serviceMedianMs: median(serviceMs),
    minimalNestMedianMs: median(minimalNestMs),
    minimalNestBundleMs,
    minimalNestBundleMedianMs: median(minimalNestBundleMs),
    servicePeakRssAtReadyMb: rss || null,
  };
  log(
    `start to first 200 (median of ${settings.starts}): service ${result.serviceMedianMs} ms ` +
      `(${serviceMs.join(', ')}), minimal Nest app ${result.minimalNestMedianMs} ms (${minimalNestMs.join(', ')}), ` +
      `the same bundled ${result.minimalNestBundleMedianMs} ms (${minimalNestBundleMs.join(', ')})`,
  );
  return result;
}
