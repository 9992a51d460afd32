import { Injectable } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import type { AuthClient } from '../identity/entities/auth-client.entity.js';
import { ProvisioningService } from '../identity/provisioning.service.js';
import { isConsoleClientId } from '../identity/reserved-client-ids.js';
import { SessionsService } from '../tokens/sessions.service.js';
import { AdminPrincipal, assertTenant, tenantFilter } from '../tokens/guards/admin-principal.js';
import type { CreateClientDto, UpdateClientDto } from './dto/client-request.dto.js';
import { queryableOf } from '../database/typeorm-bridge.js';

/**
 * Auth clients, within the caller's reach. `id` is the client's uuid or its clientId. Provisioning
 * drops the CORS origin cache after every change.
 */
@Injectable()
export class AdminClientsService {
  constructor(
    private readonly provisioning: ProvisioningService,
    private readonly sessions: SessionsService,
  ) {}

  create(
    admin: AdminPrincipal,
    dto: CreateClientDto,
  ): Promise<{ client: AuthClient; clientSecret: string | null }> {
    assertTenant(admin, dto.tenantId);
    return this.provisioning.createClient({ ...dto, clientSecret: dto.clientSecret ?? undefined });
  }

  list(admin: AdminPrincipal, tenantId: string | undefined): Promise<AuthClient[]> {
    return this.provisioning.listClients(tenantFilter(admin, tenantId));
  }

  async get(admin: AdminPrincipal, id: string): Promise<AuthClient> {
    const client = await this.provisioning.requireClient(id);
    assertTenant(admin, client.tenantId);
    return client;
  }

  async update(admin: AdminPrincipal, id: string, dto: UpdateClientDto): Promise<AuthClient> {
    const client = await this.managed(admin, id);
    return this.provisioning.updateClient(client.id, dto);
  }

  async rotateSecret(
    admin: AdminPrincipal,
    id: string,
    secret: string | undefined,
  ): Promise<{ client: AuthClient; clientSecret: string }> {
    const client = await this.managed(admin, id);
    return this.provisioning.rotateClientSecret(client.id, secret);
  }

  async delete(admin: AdminPrincipal, id: string): Promise<void> {
    const client = await this.managed(admin, id);
    // End its sessions first: the cascade would delete them without revoking their access tokens.
    // TODO(13b): db.transaction once the identity and token services take a Queryable (helpers J, K).
    await this.provisioning.transaction(async (m) => {
      await this.sessions.endWhereIn(queryableOf(m), { clientId: client.id }, { reason: 'client_deleted' });
      await this.provisioning.deleteClient(client.id, m);
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
