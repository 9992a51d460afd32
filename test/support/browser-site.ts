import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { promisify } from 'node:util';

/**
 * A client's own web site for browser tests: a login page on its own origin that loads the SDK of
 * libs/sdk (compiled from its source into a temporary folder, as `npm run build` compiles it) as
 * an ES module, and a /callback page for redirects.
 */

/** Compiles libs/sdk into a fresh folder; answers it (remove it when done). */
export async function buildSdk(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'sdk-'));
  await promisify(execFile)(
    process.execPath,
    [
      'node_modules/typescript/bin/tsc',
      '-p',
      'libs/sdk/tsconfig.json',
      '--outDir',
      out,
      '--declaration',
      'false',
      '--declarationMap',
      'false',
      '--sourceMap',
      'false',
    ],
    { cwd: process.cwd() },
  );
  return out;
}

const page = (serviceUrl: string, clientId: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Example app</title></head>
<body><h1>Example app</h1>
<script type="module">
  import * as sdk from '/sdk/index.js';
  window.sdk = sdk;
  window.newClient = (clientId) => new sdk.AuthClient({ baseUrl: ${JSON.stringify(serviceUrl)}, clientId: clientId ?? ${JSON.stringify(clientId)} });
  window.ready = true;
</script></body></html>`;

export class ClientSite {
  private server: Server | undefined;
  origin = '';

  constructor(
    private readonly sdkDir: string,
    private readonly serviceUrl: string,
    public clientId = '',
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path.startsWith('/sdk/')) {
        const file = normalize(path.slice('/sdk/'.length));
        if (file.startsWith('..') || !file.endsWith('.js')) {
          res.statusCode = 404;
          return res.end();
        }
        readFile(join(this.sdkDir, file))
          .then((js) => {
            res.setHeader('content-type', 'text/javascript; charset=utf-8');
            res.end(js);
          })
          .catch(() => {
            res.statusCode = 404;
            res.end();
          });
        return;
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        path === '/callback'
          ? '<!doctype html><title>callback</title><p>back</p>'
          : page(this.serviceUrl, this.clientId),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://localhost:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}
