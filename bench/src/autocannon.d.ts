// The part of autocannon 9's API the bench uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  export interface RequestParams {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  }

  export interface Request extends RequestParams {
    /** Called before each request; answers the request to send. */
    setupRequest?: (req: RequestParams, context: Record<string, unknown>) => RequestParams;
    /** Called with each answer (status, body as text). */
    onResponse?: (status: number, body: string) => void;
  }

  export interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    requests?: Request[];
    connections?: number;
    pipelining?: number;
    /** Seconds before a request counts as a timeout. */
    timeout?: number;
    /** Seconds. */
    duration?: number;
    /** Requests per second over all connections (0: as fast as they go). */
    overallRate?: number;
  }

  export interface Histogram {
    average: number;
    total: number;
  }

  export interface Result {
    requests: Histogram;
    non2xx: number;
    errors: number;
    timeouts: number;
    statusCodeStats: Record<string, { count: number }>;
    /** Seconds the run lasted. */
    duration: number;
  }

  export interface Instance extends EventEmitter {
    stop(): void;
    on(
      event: 'response',
      listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void,
    ): this;
  }

  export default function autocannon(
    options: Options,
    callback: (err: Error | null, result: Result) => void,
  ): Instance;
}
