import { Module } from '@nestjs/common';
import { ClientsService } from './clients.service.js';
import { CodeBudget } from './credentials/code-budget.js';
import { CredentialCheck } from './credentials/credential-check.js';
import { PasswordHasher } from './credentials/password-hasher.js';
import { PasswordPolicy } from './credentials/password-policy.js';
import { MembershipsService } from './memberships.service.js';
import { MfaPolicy } from './mfa-policy.js';
import { RolesService } from './roles.service.js';
import { TenantsService } from './tenants.service.js';
import { UsersService } from './users.service.js';

const SERVICES = [
  CodeBudget,
  CredentialCheck,
  PasswordHasher,
  PasswordPolicy,
  TenantsService,
  RolesService,
  UsersService,
  ClientsService,
  MembershipsService,
  MfaPolicy,
];

/**
 * Tenants, users, credentials, memberships, roles and auth clients: one service per aggregate, on
 * Db (their SQL in this folder's `*.queries.ts`).
 */
@Module({ providers: SERVICES, exports: SERVICES })
export class IdentityModule {}
