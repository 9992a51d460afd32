import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { AuthClient } from '../identity/identity.types.js';
import { ClientsService } from '../identity/clients.service.js';
import { Db } from '../database/db.js';
import { isConsoleClientId } from '../identity/reserved-client-ids.js';
import { SessionsService } from '../tokens/sessions.service.js';
import { AdminPrincipal, assertTenant, tenantFilter } from '../tokens/guards/admin-principal.js';
import type { CreateClientDto, UpdateClientDto } from './dto/client-request.dto.js';

/**
 * Auth clients, within the caller's reach. `id` is the client's uuid or its clientId. ClientsService
 * drops the CORS origin cache after every change.
 */
@Injectable()
export class AdminClientsService {
  constructor(
    private readonly db: Db,
    private readonly clients: ClientsService,
    private readonly sessions: SessionsService,
  ) {}

  create(
    admin: AdminPrincipal,
    dto: CreateClientDto,
  ): Promise<{ client: AuthClient; clientSecret: string | null }> {
    assertTenant(admin, dto.tenantId);
    return this.clients.createClient({ ...dto, clientSecret: dto.clientSecret ?? undefined });
  }

  list(admin: AdminPrincipal, tenantId: string | undefined): Promise<AuthClient[]> {
    return this.clients.listClients(tenantFilter(admin, tenantId));
  }

  async get(admin: AdminPrincipal, id: string): Promise<AuthClient> {
    const client = await this.clients.requireClient(id);
    assertTenant(admin, client.tenantId);
    return client;
  }

  async update(admin: AdminPrincipal, id: string, dto: UpdateClientDto): Promise<AuthClient> {
    const client = await this.managed(admin, id);
    return this.clients.updateClient(client.id, dto);
  }

  async rotateSecret(
    admin: AdminPrincipal,
    id: string,
    secret: string | undefined,
  ): Promise<{ client: AuthClient; clientSecret: string }> {
    const client = await this.managed(admin, id);
    return this.clients.rotateClientSecret(client.id, secret);
  }

  async delete(admin: AdminPrincipal, id: string): Promise<void> {
    const client = await this.managed(admin, id);
    // End its sessions first: the cascade would delete them without revoking their access tokens.
    await this.db.transaction(async (tx) => {
      await this.sessions.endWhereIn(tx, { clientId: client.id }, { reason: 'client_deleted' });
      await this.clients.deleteClient(tx, client.id);
    });
  }

  /** A client the caller may change: the console's (`console:<tenantId>`) is the service's own (403). */
  private async managed(admin: AdminPrincipal, id: string): Promise<AuthClient> {
    const client = await this.get(admin, id);
    if (isConsoleClientId(client.clientId)) {
      throw Errors.forbidden('The admin console client is managed by the service and cannot be changed');
    }
    return client;
  }
}
