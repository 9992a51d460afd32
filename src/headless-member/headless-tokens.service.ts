import { Injectable } from '@nestjs/common';
import { randomToken, sha256 } from '../common/crypto/tokens.js';
import { AppError, Errors } from '../common/errors/app-error.js';
import { Db } from '../database/db.js';
import { ClientsService } from '../identity/clients.service.js';
import type { AuthClient } from '../identity/identity.types.js';
import { TenantsService } from '../identity/tenants.service.js';
import {
  deleteHeadlessToken,
  findHeadlessToken,
  findHeadlessTokenByHash,
  HeadlessToken,
  insertHeadlessToken,
  listHeadlessTokens,
  touchHeadlessToken,
} from './headless-member.queries.js';

/** Prefix of every headless token, so one is recognisable in a config file or a secret scanner. */
export const HEADLESS_TOKEN_PREFIX = 'hdls_';
/** lastUsedAt is written at most this often per token, so busy servers do not rewrite the row on every call. */
const LAST_USED_PRECISION_MS = 60_000;

/** Who calls a headless route: one headless token, acting only inside its tenant. */
export interface HeadlessPrincipal {
  tokenId: string;
  tenantId: string;
  /** The auth client (uuid) chosen for its member sessions, or null for the tenant's internal one. */
  clientId: string | null;
}

/** A headless token as the admin routes show it (never the token itself, except once at creation). */
export interface HeadlessTokenRecord {
  token: HeadlessToken;
  /** The public clientId of its client, or null for the tenant's internal headless client. */
  clientId: string | null;
}

/** The clientId of a tenant's internal headless client (see `clientFor`). */
export function internalClientId(tenantId: string): string {
  return `headless:${tenantId}`;
}

/**
 * Headless tokens: created by an admin (the clear token is shown once), stored as SHA-256,
 * tenant-scoped, deleted to revoke. Member sessions need an auth client: the one chosen at
 * creation, else (none chosen, or it was deleted since) the tenant's internal headless client
 * `headless:<tenantId>`, created on first use: confidential with a secret nobody is ever shown, no
 * redirect URLs and no sign-up, so it serves nothing but these sessions.
 */
@Injectable()
export class HeadlessTokensService {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantsService,
    private readonly clients: ClientsService,
  ) {}

  async create(input: {
    tenantId: string;
    name: string;
    clientId?: string;
  }): Promise<{ record: HeadlessTokenRecord; secret: string }> {
    await this.tenants.requireTenant(input.tenantId);
    let client: AuthClient | null = null;
    if (input.clientId !== undefined) {
      client = await this.clients.requireClient(input.clientId).catch(() => null);
      if (!client || client.tenantId !== input.tenantId)
        throw Errors.notFound('Client not found in that tenant');
    }
    const secret = `${HEADLESS_TOKEN_PREFIX}${randomToken(32)}`;
    const token = await insertHeadlessToken(this.db, {
      tenantId: input.tenantId,
      clientId: client?.id ?? null,
      name: input.name,
      tokenHash: sha256(secret),
    });
    return { record: { token, clientId: client?.clientId ?? null }, secret };
  }

  async list(tenantId: string | undefined): Promise<HeadlessTokenRecord[]> {
    const rows = await listHeadlessTokens(this.db, tenantId);
    return rows.map((r) => ({ token: r.token, clientId: r.publicClientId }));
  }

  async get(id: string): Promise<HeadlessTokenRecord> {
    const token = await findHeadlessToken(this.db, id);
    if (!token) throw Errors.notFound('Headless token not found');
    const client = token.clientId ? await this.clients.findById(token.clientId) : null;
    return { token, clientId: client?.clientId ?? null };
  }

  async delete(id: string): Promise<void> {
    if (!(await deleteHeadlessToken(this.db, id))) throw Errors.notFound('Headless token not found');
  }

  /** The principal of a presented token, or undefined when it is unknown or was deleted. */
  async authenticate(secret: string): Promise<HeadlessPrincipal | undefined> {
    if (!secret.startsWith(HEADLESS_TOKEN_PREFIX) || secret.length > 200) return undefined;
    const row = await findHeadlessTokenByHash(this.db, sha256(secret));
    if (!row) return undefined;
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
      await touchHeadlessToken(this.db, row.id, new Date());
    }
    return { tokenId: row.id, tenantId: row.tenantId, clientId: row.clientId };
  }

  /** The auth client a principal's member sessions are issued for (see the class comment). */
  async clientFor(principal: HeadlessPrincipal): Promise<AuthClient> {
    const chosen = principal.clientId ? await this.clients.findById(principal.clientId) : null;
    if (chosen && chosen.tenantId === principal.tenantId) return chosen;
    const clientId = internalClientId(principal.tenantId);
    const existing = await this.clients.findByClientId(clientId);
    if (existing) return this.checkInternal(existing, principal.tenantId);
    try {
      const { client } = await this.clients.createInternalClient({
        clientId,
        name: 'Headless member tokens (internal)',
        tenantId: principal.tenantId,
        redirectUrls: [],
        public: false,
        allowSignUp: false,
      });
      return client;
    } catch (err) {
      // Another request created it at the same moment.
      const raced = await this.clients.findByClientId(clientId);
      if (raced) return this.checkInternal(raced, principal.tenantId);
      throw err;
    }
  }

  private checkInternal(client: AuthClient, tenantId: string): AuthClient {
    if (client.tenantId !== tenantId) {
      throw new AppError(409, 'CONFLICT', `The clientId ${client.clientId} is taken by another tenant`);
    }
    return client;
  }
}
