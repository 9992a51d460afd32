import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsService } from './clients.service.js';
import { CodeBudget } from './credentials/code-budget.js';
import { CredentialCheck } from './credentials/credential-check.js';
import { PasswordHasher } from './credentials/password-hasher.js';
import { PasswordPolicy } from './credentials/password-policy.js';
import { AuthClient } from './entities/auth-client.entity.js';
import { Membership } from './entities/membership.entity.js';
import { Role } from './entities/role.entity.js';
import { Tenant } from './entities/tenant.entity.js';
import { UserCredential } from './entities/user-credential.entity.js';
import { User } from './entities/user.entity.js';
import { MembershipsService } from './memberships.service.js';
import { MfaPolicy } from './mfa-policy.js';
import { ProvisioningService } from './provisioning.service.js';
import { UsersService } from './users.service.js';

/** Tenants, users, credentials, memberships, roles and auth clients. */
@Module({
  imports: [TypeOrmModule.forFeature([Tenant, Role, User, UserCredential, Membership, AuthClient])],
  providers: [
    CodeBudget,
    CredentialCheck,
    PasswordHasher,
    PasswordPolicy,
    UsersService,
    ClientsService,
    MembershipsService,
    MfaPolicy,
    ProvisioningService,
  ],
  exports: [
    CodeBudget,
    CredentialCheck,
    PasswordHasher,
    PasswordPolicy,
    UsersService,
    ClientsService,
    MembershipsService,
    MfaPolicy,
    ProvisioningService,
  ],
})
export class IdentityModule {}
