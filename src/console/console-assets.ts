import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Content types of the files vite writes into the console's assets folder. */
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  map: 'application/json; charset=utf-8',
};

/** A hashed asset name as vite writes it: no folders, no dots at the start, a known extension. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** The project's root: the nearest folder above this file that holds a package.json. */
function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export function defaultConsoleDir(): string {
  return join(projectRoot(), 'dist', 'console');
}

export interface Asset {
  body: Buffer;
  /** The body gzipped once at first use (scripts and styles shrink to about a third). */
  gzipped: Buffer | null;
  type: string;
}

/** Types worth compressing: text, not images. */
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg)/;

/** Everything the page needs to start without an inline script: read from a `<meta>` tag. */
export interface ConsolePageConfig {
  /** PUBLIC_URL: the SDK's baseUrl. */
  baseUrl: string;
  /** PUBLIC_URL's path ('' at the root): the console lives at `${basePath}/console`. */
  basePath: string;
  tenant: { id: string; key: string; name: string } | null;
  clientId: string | null;
  redirectUri: string;
  signedOutUrl: string;
  /** Why there is no tenant: `unknown-tenant` (404), `not-found` (404), or null. */
  error: 'unknown-tenant' | 'not-found' | null;
}

function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * The built console (vite's output: index.html and assets/) read from disk once and kept in
 * memory; it is a few files of some kilobytes. Missing files answer undefined.
 */
export class ConsoleAssets {
  private readonly dir: string;
  private readonly cache = new Map<string, Asset | null>();
  private index: string | undefined;

  constructor(dir: string | undefined) {
    this.dir = resolve(dir ?? defaultConsoleDir());
  }

  async asset(name: string): Promise<Asset | undefined> {
    if (!ASSET_NAME.test(name)) return undefined;
    const type = TYPES[name.slice(name.lastIndexOf('.') + 1)];
    if (!type) return undefined;
    if (!this.cache.has(name)) {
      const body = await readFile(join(this.dir, 'assets', name)).catch(() => null);
      const gzipped = body && COMPRESSIBLE.test(type) ? gzipSync(body, { level: 9 }) : null;
      this.cache.set(name, body ? { body, gzipped, type } : null);
    }
    return this.cache.get(name) ?? undefined;
  }

  /** index.html with the page's configuration in a meta tag; undefined when the console is not built. */
  async page(config: ConsolePageConfig): Promise<string | undefined> {
    if (this.index === undefined) {
      const html = await readFile(join(this.dir, 'index.html'), 'utf8').catch(() => undefined);
      if (html === undefined) return undefined;
      this.index = html;
    }
    let html = this.index;
    // Vite writes absolute asset URLs under /console/; behind a PUBLIC_URL with a path, prefix it.
    if (config.basePath) html = html.replace(/(src|href)="\/console\//g, `$1="${config.basePath}/console/`);
    const meta = `<meta name="console-config" content="${escapeAttribute(JSON.stringify(config))}">`;
    return html.replace('</head>', `${meta}\n</head>`);
  }
}
