import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, IncomingMessage, Server as HttpServer } from 'node:http';
import { connect, createServer, Server, Socket } from 'node:net';
import { expect } from 'vitest';
import { createTestApp, TestApp } from './test-app.js';

/**
 * Support for the headless login and OAuth 2.0 tests: an app whose PUBLIC_URL is its real
 * address (fullUrls, discovery and mailed links must work from a browser or a stock client), PKCE
 * pairs, visitor tokens, and a real captcha verifier on loopback.
 */

/** A plain TCP forwarder (a reverse proxy in miniature) listening before the app exists. */
class Forwarder {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  targetPort = 0;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export interface PublicApp {
  t: TestApp;
  /** PUBLIC_URL: reaches the app through the forwarder. */
  publicUrl: string;
  close(): Promise<void>;
}

/**
 * Boots the real app with PUBLIC_URL set to an address that reaches it (`host`: 127.0.0.1, or
 * localhost where a browser needs a host name, e.g. as the WebAuthn RP id).
 */
export async function createPublicApp(
  env: Record<string, string | undefined> = {},
  host: '127.0.0.1' | 'localhost' = '127.0.0.1',
): Promise<PublicApp> {
  const forwarder = new Forwarder();
  await forwarder.start();
  const publicUrl = `http://${host}:${forwarder.port}`;
  const t = await createTestApp({ PUBLIC_URL: publicUrl, ...env });
  forwarder.targetPort = Number(new URL(t.baseUrl).port);
  return {
    t,
    publicUrl,
    close: async () => {
      await forwarder.stop();
      await t.close();
    },
  };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Visitor tokens of a client (POST /oauth2/token, grantType anonymous). */
export async function visitorToken(t: TestApp, clientId: string): Promise<string> {
  const res = await t.http.post('/oauth2/token').send({ clientId, grantType: 'anonymous' });
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

/**
 * A captcha verifier like reCAPTCHA's siteverify: a form POST of `secret`, `response` and
 * `remoteip`, answering `{success}`. Tokens in `valid` pass with the right secret.
 */
export class CaptchaVerifier {
  readonly valid = new Set<string>();
  readonly requests: Record<string, string>[] = [];
  private server: HttpServer | undefined;
  url = '';

  constructor(readonly secret: string) {}

  async start(): Promise<void> {
    this.server = createHttpServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(body));
        this.requests.push(form);
        const success =
          req.method === 'POST' && form.secret === this.secret && this.valid.has(form.response ?? '');
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify(
            success ? { success: true } : { success: false, 'error-codes': ['invalid-input-response'] },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/siteverify`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** The query (or fragment) parameters of a redirect `Location`. */
export function redirectParams(
  location: string,
  part: 'query' | 'fragment' = 'query',
): Record<string, string> {
  const url = new URL(location);
  return Object.fromEntries(part === 'query' ? url.searchParams : new URLSearchParams(url.hash.slice(1)));
}
