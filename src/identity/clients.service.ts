import { Injectable } from '@nestjs/common';
import { matchesSha256Hex, randomToken, sha256Hex } from '../common/crypto/tokens.js';
import { Errors } from '../common/errors/app-error.js';
import { normalizeOrigin } from '../common/http/origin.js';
import { AttemptLimiter, IpOnly } from '../common/rate-limit/attempt-limiter.js';
import { isUuid } from '../common/validation/ids.js';
import { Db, Queryable } from '../database/db.js';
import * as clients from './clients.queries.js';
import { mapConflict } from './conflicts.js';
import type { AuthClient, CreateClientInput, UpdateClientInput } from './identity.types.js';
import {
  assertNotReserved,
  CONSOLE_CLIENT_PREFIX,
  isReservedClientId,
  RESERVED_CLIENT_ID_PREFIXES,
} from './reserved-client-ids.js';
import { TenantsService } from './tenants.service.js';

const ORIGIN_CACHE_MS = 10_000;

export const CLIENT_SECRET_MIN_LENGTH = 32;

/** Chosen client secrets must be as strong as generated ones (API.md section 0: at least 32 characters). */
function assertClientSecretLength(secret: string | undefined): void {
  if (secret !== undefined && secret.length < CLIENT_SECRET_MIN_LENGTH) {
    throw Errors.validation([
      {
        field: 'clientSecret',
        message: `clientSecret must be at least ${CLIENT_SECRET_MIN_LENGTH} characters`,
      },
    ]);
  }
}

/** Auth clients: lookup, secret checks, the CORS origins they allow, and their administration. */
@Injectable()
export class ClientsService {
  private origins: { set: Set<string>; loadedAt: number } | undefined;

  constructor(
    private readonly db: Db,
    private readonly tenants: TenantsService,
    private readonly limiter: AttemptLimiter,
  ) {}

  async findByClientId(clientId: string): Promise<AuthClient | null> {
    return (await clients.clientByClientId(this.db, clientId)) ?? null;
  }

  findById(id: string): Promise<AuthClient | null> {
    return this.findByIdIn(this.db, id);
  }

  /** `findById` on the caller's transaction. */
  async findByIdIn(tx: Queryable, id: string): Promise<AuthClient | null> {
    return (await clients.clientById(tx, id)) ?? null;
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
      const origins = await clients.allowedOrigins(this.db);
      this.origins = { set: new Set(origins.map((o) => o.toLowerCase())), loadedAt: now };
    }
    return this.origins.set.has(origin.toLowerCase());
  }

  /** Drops the origin cache after a client changed on this instance. */
  invalidateOrigins(): void {
    this.origins = undefined;
  }

  // ---- administration -------------------------------------------------------------------------

  /**
   * Creates a client; answers it with the clear secret, which is never available again. A reserved
   * client id (`headless:`, `console:`) is 400 VALIDATION_FAILED: those are made by
   * `createInternalClient` only.
   */
  createClient(input: CreateClientInput): Promise<{ client: AuthClient; clientSecret: string | null }> {
    assertNotReserved(input.clientId);
    return this.insertClient(input);
  }

  /** Creates one of the service's own clients, whose id must carry a reserved prefix. */
  createInternalClient(
    input: CreateClientInput,
  ): Promise<{ client: AuthClient; clientSecret: string | null }> {
    if (!isReservedClientId(input.clientId)) {
      throw new Error(`An internal client id must start with ${RESERVED_CLIENT_ID_PREFIXES.join(' or ')}`);
    }
    return this.insertClient(input);
  }

  private async insertClient(
    input: CreateClientInput,
  ): Promise<{ client: AuthClient; clientSecret: string | null }> {
    await this.tenants.requireTenant(input.tenantId);
    const isPublic = input.public ?? false;
    if (isPublic && input.clientSecret !== undefined) {
      throw Errors.validation([{ field: 'clientSecret', message: 'a public client has no secret' }]);
    }
    assertClientSecretLength(input.clientSecret);
    const clientSecret = isPublic ? null : (input.clientSecret ?? randomToken(32));
    try {
      const client = await clients.insertClient(this.db, {
        clientId: input.clientId,
        name: input.name,
        tenantId: input.tenantId,
        secretHash: clientSecret ? sha256Hex(clientSecret) : null,
        isPublic,
        redirectUrls: input.redirectUrls,
        allowedOrigins: (input.allowedOrigins ?? []).map(normalizeOrigin),
        accessTokenExpiration: input.accessTokenExpiration ?? null,
        refreshTokenExpiration: input.refreshTokenExpiration ?? null,
        authCodeExpiration: input.authCodeExpiration ?? null,
        mfaRequired: input.mfaRequired ?? false,
        allowSignUp: input.allowSignUp ?? true,
        requireOwnerApproval: input.requireOwnerApproval ?? false,
        requireEmailVerification: input.requireEmailVerification ?? true,
        captchaRequired: input.captchaRequired ?? false,
        resetPasswordUrl: input.resetPasswordUrl ?? null,
        signUpUrl: input.signUpUrl ?? null,
        idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? 'RS256',
      });
      this.invalidateOrigins();
      return { client, clientSecret };
    } catch (err) {
      mapConflict(err);
    }
  }

  /** The clients of a tenant (or all), oldest first; the service's own console clients are left out. */
  listClients(tenantId?: string): Promise<AuthClient[]> {
    return clients.listClients(this.db, tenantId, CONSOLE_CLIENT_PREFIX);
  }

  /** A client by its uuid, else by its caller-chosen clientId (which may look like a uuid too). */
  requireClient(idOrClientId: string): Promise<AuthClient> {
    return this.requireClientIn(this.db, idOrClientId);
  }

  private async requireClientIn(tx: Queryable, idOrClientId: string): Promise<AuthClient> {
    const client =
      (isUuid(idOrClientId) ? await clients.clientById(tx, idOrClientId) : undefined) ??
      (await clients.clientByClientId(tx, idOrClientId));
    if (!client) throw Errors.notFound('Client not found');
    return client;
  }

  /**
   * Changes a client's settings. Making a client public drops its secret; making it confidential
   * leaves it without one, so it cannot authenticate until its secret is rotated. A reserved client
   * id cannot be taken by a rename (400 VALIDATION_FAILED).
   */
  async updateClient(idOrClientId: string, input: UpdateClientInput): Promise<AuthClient> {
    let updated: AuthClient;
    try {
      updated = await this.db.transaction(async (tx) => {
        const client = await this.requireClientIn(tx, idOrClientId);
        if (input.clientId !== client.clientId) assertNotReserved(input.clientId);
        const { public: isPublic, allowedOrigins, ...rest } = input;
        const patch: Partial<clients.ClientFields> = { ...rest };
        if (allowedOrigins !== undefined) patch.allowedOrigins = allowedOrigins.map(normalizeOrigin);
        if (isPublic !== undefined) {
          patch.isPublic = isPublic;
          if (isPublic) patch.secretHash = null;
        }
        if (!Object.values(patch).some((v) => v !== undefined)) return client;
        return (await clients.updateClient(tx, client.id, patch))!;
      });
    } catch (err) {
      mapConflict(err);
    }
    this.invalidateOrigins();
    return updated;
  }

  /** Replaces a confidential client's secret (generated unless given); answers it in clear once. */
  async rotateClientSecret(
    idOrClientId: string,
    secret?: string,
  ): Promise<{ client: AuthClient; clientSecret: string }> {
    assertClientSecretLength(secret);
    const client = await this.requireClient(idOrClientId);
    if (client.isPublic) throw Errors.conflict('CLIENT_IS_PUBLIC', 'A public client has no secret');
    const clientSecret = secret ?? randomToken(32);
    const rotated = await clients.updateClient(this.db, client.id, { secretHash: sha256Hex(clientSecret) });
    if (!rotated) throw Errors.notFound('Client not found');
    return { client: rotated, clientSecret };
  }

  /** Deletes a client (by uuid) with its sessions and codes (the schema cascades). */
  async deleteClient(tx: Queryable, id: string): Promise<void> {
    if (!(await clients.deleteClient(tx, id))) throw Errors.notFound('Client not found');
    this.invalidateOrigins();
  }
}
