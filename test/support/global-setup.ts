import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, EmbeddedDatabase } from '../../src/database/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server URL on which each test file creates (and drops) its own database. */
    maintenanceDatabaseUrl: string;
  }
}

let embedded: EmbeddedDatabase | undefined;

/**
 * Tests run against DATABASE_URL when it is set (CI: the machine's PostgreSQL), else against an
 * embedded PostgreSQL started here. Either way each test file gets a fresh database of its own.
 */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres({ baseDir: `.data/test-pg-${process.pid}`, persistent: false });
    url = embedded.url;
  }
  project.provide('maintenanceDatabaseUrl', url);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
}
