import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuthClient } from './entities/auth-client.entity.js';
import { matchesSha256Hex } from '../common/crypto/tokens.js';
import { Errors } from '../common/errors/app-error.js';
import { AttemptLimiter, IpOnly } from '../common/rate-limit/attempt-limiter.js';

const ORIGIN_CACHE_MS = 10_000;

/** Auth clients: lookup, secret checks, and the CORS origins they allow. */
@Injectable()
export class ClientsService {
  private origins: { set: Set<string>; loadedAt: number } | undefined;

  constructor(
    @InjectRepository(AuthClient) private readonly clients: Repository<AuthClient>,
    private readonly limiter: AttemptLimiter,
  ) {}

  findByClientId(clientId: string): Promise<AuthClient | null> {
    return this.clients.findOneBy({ clientId });
  }

  findById(id: string): Promise<AuthClient | null> {
    return this.clients.findOneBy({ id });
  }

  /**
   * The client of a request: it must exist, and a confidential client's secret must match
   * (compared in constant time against its SHA-256). Public clients need no secret.
   * Throws 401 INVALID_CLIENT otherwise. An unknown client id or a secret check counts per IP only
   * (a client secret is a long random string: limiting it per client would let strangers lock the
   * right secret out), and past the limit that address gets 429. A public client checks nothing,
   * so it counts nothing.
   */
  async authenticate(clientId: string, clientSecret: string | undefined, ip: string): Promise<AuthClient> {
    const client = await this.findByClientId(clientId);
    if (client?.isPublic) return client;
    const attempt = await this.limiter.begin(IpOnly.clientSecret, ip);
    const ok =
      client &&
      typeof clientSecret === 'string' &&
      client.secretHash !== null &&
      matchesSha256Hex(clientSecret, client.secretHash);
    if (!ok) throw Errors.invalidClient();
    await attempt.succeeded();
    return client;
  }

  /** Whether any client lists `origin` in its allowedOrigins (cached for a few seconds). */
  async isOriginAllowed(origin: string): Promise<boolean> {
    const now = Date.now();
    if (!this.origins || now - this.origins.loadedAt > ORIGIN_CACHE_MS) {
      const rows: { origin: string }[] = await this.clients.query(
        'SELECT DISTINCT unnest(allowed_origins) AS origin FROM auth_client',
      );
      this.origins = { set: new Set(rows.map((r) => r.origin.toLowerCase())), loadedAt: now };
    }
    return this.origins.set.has(origin.toLowerCase());
  }

  /** Drops the origin cache after a client changed on this instance. */
  invalidateOrigins(): void {
    this.origins = undefined;
  }
}
