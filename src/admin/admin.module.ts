import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { AdminClientsService } from './admin-clients.service.js';
import { AdminRolesService } from './admin-roles.service.js';
import { AdminUsersService } from './admin-users.service.js';
import { AdminGuard } from '../tokens/guards/admin.guard.js';
import { ClientsController } from './clients.controller.js';
import { MembersController } from './members.controller.js';
import { RolesController } from './roles.controller.js';
import { TenantsController } from './tenants.controller.js';
import { UsersController } from './users.controller.js';
import { AdminUserSessionsService } from './admin-user-sessions.service.js';
import { UserSessionsController } from './user-sessions.controller.js';

/** Provisioning routes (API.md section 1) over the identity store; the CLI in cli/ wraps the same services. */
@Module({
  imports: [IdentityModule, TokensModule, NotificationsModule],
  controllers: [
    TenantsController,
    RolesController,
    ClientsController,
    UsersController,
    MembersController,
    UserSessionsController,
  ],
  providers: [
    AdminGuard,
    AdminRolesService,
    AdminClientsService,
    AdminUsersService,
    AdminUserSessionsService,
  ],
})
export class AdminModule {}
