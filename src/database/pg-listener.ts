import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { connectionOptions } from './connection.js';

type Handler = (payload: string) => void;
type ReconnectHandler = () => void | Promise<void>;

/**
 * One dedicated Postgres connection per instance that LISTENs on channels (revocations, key
 * rotations). Reconnects with backoff; after a reconnect every subscriber is told to resync,
 * since notifications sent while we were away are lost.
 */
@Injectable()
export class PgListener implements OnApplicationShutdown {
  private readonly logger = new Logger('PgListener');
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, Handler[]>();
  private readonly reconnectHandlers: ReconnectHandler[] = [];
  private closed = false;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private sending: Promise<unknown> = Promise.resolve();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Whether the LISTEN connection is up now (notifications sent while it is down are lost). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  async listen(channel: string, handler: Handler, onReconnect?: ReconnectHandler): Promise<void> {
    const list = this.handlers.get(channel) ?? [];
    list.push(handler);
    this.handlers.set(channel, list);
    if (onReconnect) this.reconnectHandlers.push(onReconnect);
    await this.ensureConnected();
    if (list.length === 1 && this.client) await this.send(this.client, `LISTEN ${channel}`);
  }

  /** One statement at a time on the connection, whoever asks (several services listen at start-up). */
  private send(client: pg.Client, sql: string): Promise<void> {
    const sent = this.sending.then(() => client.query(sql));
    this.sending = sent.catch(() => undefined);
    return sent.then(() => undefined);
  }

  private ensureConnected(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(connectionOptions(this.config.databaseUrl!));
    client.on('notification', (msg) => {
      for (const h of this.handlers.get(msg.channel) ?? []) {
        try {
          h(msg.payload ?? '');
        } catch (err) {
          this.logger.error(`notification handler failed: ${(err as Error).message}`);
        }
      }
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      client.end().catch(() => undefined);
      if (!this.closed) {
        this.logger.warn(`LISTEN connection lost${err ? ` (${err.message})` : ''}; reconnecting`);
        this.scheduleReconnect(500);
      }
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await this.send(client, `LISTEN ${channel}`);
      this.client = client;
    } catch (err) {
      client.end().catch(() => undefined);
      if (!this.closed) {
        this.logger.warn(`LISTEN connection failed (${(err as Error).message}); retrying`);
        this.scheduleReconnect(1000);
      }
    }
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = undefined;
      await this.ensureConnected();
      if (this.client) {
        for (const h of this.reconnectHandlers) await Promise.resolve(h()).catch(() => undefined);
      } else {
        this.scheduleReconnect(Math.min(delayMs * 2, 5000));
      }
    }, delayMs);
    this.retryTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
