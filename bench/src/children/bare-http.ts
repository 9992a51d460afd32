// What the bench's bare node:http children share: a JSON answer, and the life of a child forked
// with an IPC channel. The parent sends the child's input; the child starts its server on a free
// loopback port and answers {port} (or {error}), and it never outlives the parent.
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type BareServerReply = { port: number } | { error: string };

export function answerJson(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}

/** Runs `start` on the parent's message and reports where its server listens. */
export function runBareChild<T>(start: (input: T) => Server | Promise<Server>): void {
  const failed = (err: unknown) => {
    process.send!({ error: err instanceof Error ? err.message : String(err) } satisfies BareServerReply);
    process.exit(1);
  };
  process.once('message', (message) => {
    Promise.resolve()
      .then(() => start(message as T))
      .then((server) => {
        server.keepAliveTimeout = 60_000;
        server.listen(0, '127.0.0.1', () =>
          process.send!({ port: (server.address() as AddressInfo).port } satisfies BareServerReply),
        );
      }, failed);
  });
  // The parent went away (finished, crashed or was killed): do not outlive it.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
