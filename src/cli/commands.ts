import type { INestApplicationContext } from '@nestjs/common';
import type { ParseArgsConfig } from 'node:util';
import { SecretBox } from '../common/crypto/secret-box.js';
import { Db } from '../database/db.js';
import { validateBody } from '../common/http/validation.js';
import { ClientsService } from '../identity/clients.service.js';
import { RolesService } from '../identity/roles.service.js';
import { TenantsService } from '../identity/tenants.service.js';
import { UsersService } from '../identity/users.service.js';
import { SigningKeysService } from '../tokens/keys/signing-keys.service.js';
import { clientDto, clientWithSecretDto } from '../admin/dto/client.dto.js';
import { CreateClientDto, UpdateClientDto } from '../admin/dto/client-request.dto.js';
import { Errors } from '../common/errors/app-error.js';
import { TenantQueryDto } from '../admin/dto/query.dto.js';
import { CreateRoleDto, roleDto } from '../admin/dto/role.dto.js';
import { CreateTenantDto, tenantDto } from '../admin/dto/tenant.dto.js';
import { CreateUserDto, UserListQueryDto } from '../admin/dto/user-request.dto.js';
import { createdUserDto, userDto } from '../admin/dto/user.dto.js';
import { ReencryptService } from '../admin/reencrypt.service.js';
import { CliInput, readClientSecret, readPassword, TENANT, tenantArgument } from './input.js';
import { HEADLESS_TOKEN_COMMANDS } from './headless-tokens.js';
import { MIGRATION_COMMANDS } from './migrations.js';

/** Boots the application context on first use, so bad arguments fail without touching the database. */
export type Connect = () => Promise<INestApplicationContext>;
/**
 * The URL of the configured database, without booting the application (the embedded development
 * database is started when DATABASE_URL is unset): for the commands that need only the database.
 */
export type DatabaseUrl = () => Promise<string>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CliCommand {
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Request field -> command-line flag, so validation errors name the flag to fix. */
  flags: Record<string, string>;
  run(values: Values, connect: Connect, input: CliInput, databaseUrl: DatabaseUrl): Promise<unknown>;
}

/** `a,b, c` -> ['a', 'b', 'c']; undefined stays undefined so the DTO reports it missing. */
function commaList(value: Values[string]): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  return value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * The CLI's commands. Each validates its arguments with the same DTO as the matching HTTP route,
 * then calls the same identity services; answers are shaped like the HTTP answers.
 */
export const COMMANDS: Record<string, CliCommand> = {
  'tenants:create': {
    usage: 'tenants:create --key <key> --name <name>',
    summary: 'Create a tenant',
    options: { key: { type: 'string' }, name: { type: 'string' } },
    flags: { key: '--key', name: '--name' },
    async run(v, connect) {
      const dto = await validateBody(CreateTenantDto, { key: v.key, name: v.name });
      return tenantDto(await (await connect()).get(TenantsService).createTenant(dto));
    },
  },

  'tenants:list': {
    usage: 'tenants:list',
    summary: 'List tenants',
    options: {},
    flags: {},
    async run(_v, connect) {
      return (await (await connect()).get(TenantsService).listTenants()).map(tenantDto);
    },
  },

  'roles:create': {
    usage: `roles:create --tenant ${TENANT} --name <name> --permissions <a,b,...>`,
    summary: 'Create a role with a comma-separated list of permissions (e.g. ManageAuth)',
    options: { tenant: { type: 'string' }, name: { type: 'string' }, permissions: { type: 'string' } },
    flags: { tenantId: '--tenant', name: '--name', permissions: '--permissions' },
    async run(v, connect) {
      const tenant = tenantArgument(v.tenant);
      const dto = await validateBody(CreateRoleDto, {
        tenantId: tenant.forValidation,
        name: v.name,
        permissions: commaList(v.permissions),
      });
      dto.tenantId = (await tenant.resolve(connect))!;
      return roleDto(await (await connect()).get(RolesService).createRole(dto));
    },
  },

  'clients:create': {
    usage:
      `clients:create --tenant ${TENANT} --client-id <id> --name <name> --redirect-url <url> [--redirect-url <url>]... ` +
      '[--origin <origin>]... [--public] [--mfa-required] [--secret-stdin | --secret <secret>] ' +
      '[--id-token-alg RS256|ES256|EdDSA]',
    summary:
      'Create a client; a confidential one gets the secret piped with --secret-stdin (or --secret), ' +
      'else a generated one, printed only now',
    options: {
      tenant: { type: 'string' },
      'client-id': { type: 'string' },
      name: { type: 'string' },
      'redirect-url': { type: 'string', multiple: true },
      origin: { type: 'string', multiple: true },
      public: { type: 'boolean' },
      'mfa-required': { type: 'boolean' },
      secret: { type: 'string' },
      'secret-stdin': { type: 'boolean' },
      'id-token-alg': { type: 'string' },
    },
    flags: {
      tenantId: '--tenant',
      clientId: '--client-id',
      name: '--name',
      redirectUrls: '--redirect-url',
      allowedOrigins: '--origin',
      public: '--public',
      mfaRequired: '--mfa-required',
      clientSecret: '--secret',
      idTokenSignedResponseAlg: '--id-token-alg',
    },
    async run(v, connect, input) {
      const tenant = tenantArgument(v.tenant);
      const dto = await validateBody(CreateClientDto, {
        tenantId: tenant.forValidation,
        clientId: v['client-id'],
        name: v.name,
        redirectUrls: v['redirect-url'],
        allowedOrigins: v.origin,
        public: v.public,
        mfaRequired: v['mfa-required'],
        clientSecret: await readClientSecret(v, input),
        idTokenSignedResponseAlg: v['id-token-alg'],
      });
      dto.tenantId = (await tenant.resolve(connect))!;
      const { client, clientSecret } = await (
        await connect()
      )
        .get(ClientsService)
        .createClient({ ...dto, clientSecret: dto.clientSecret ?? undefined });
      return clientWithSecretDto(client, clientSecret);
    },
  },

  'clients:update': {
    usage: 'clients:update --client <id or clientId> [--name <name>] [--id-token-alg RS256|ES256|EdDSA]',
    summary: "Change a client's name or how its OpenID Connect ID tokens are signed",
    options: { client: { type: 'string' }, name: { type: 'string' }, 'id-token-alg': { type: 'string' } },
    flags: { name: '--name', idTokenSignedResponseAlg: '--id-token-alg' },
    async run(v, connect) {
      if (typeof v.client !== 'string' || !v.client) {
        throw Errors.validation([{ field: '--client', message: '--client is required' }]);
      }
      const dto = await validateBody(UpdateClientDto, {
        name: v.name,
        idTokenSignedResponseAlg: v['id-token-alg'],
      });
      return clientDto(await (await connect()).get(ClientsService).updateClient(v.client, dto));
    },
  },

  'clients:list': {
    usage: `clients:list [--tenant ${TENANT}]`,
    summary: 'List clients (never their secrets)',
    options: { tenant: { type: 'string' } },
    flags: { tenantId: '--tenant' },
    async run(v, connect) {
      const tenant = tenantArgument(v.tenant);
      await validateBody(TenantQueryDto, { tenantId: tenant.forValidation });
      const tenantId = await tenant.resolve(connect);
      return (await (await connect()).get(ClientsService).listClients(tenantId)).map(clientDto);
    },
  },

  'users:create': {
    usage:
      `users:create --tenant ${TENANT} --email <email> [--username <name>] ` +
      '[--password | --password-stdin | --password-hash <hash>] [--role <role name>]',
    summary:
      'Create a user and their membership of the tenant. --password asks for the password on the terminal ' +
      '(not echoed, twice); --password-stdin reads it from standard input (one line); --password-hash imports a ' +
      'bcrypt or argon2id hash; none of them: a user without a password (social, SAML or code sign-in only)',
    options: {
      tenant: { type: 'string' },
      email: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'boolean' },
      'password-stdin': { type: 'boolean' },
      'password-hash': { type: 'string' },
      role: { type: 'string' },
    },
    flags: {
      tenantId: '--tenant',
      email: '--email',
      username: '--username',
      password: '--password',
      passwordHash: '--password-hash',
      role: '--role',
    },
    async run(v, connect, input) {
      const tenant = tenantArgument(v.tenant);
      const password = await readPassword(v, input);
      const dto = await validateBody(CreateUserDto, {
        tenantId: tenant.forValidation,
        email: v.email,
        username: v.username,
        password,
        passwordHash: v['password-hash'],
        role: v.role,
      });
      dto.tenantId = (await tenant.resolve(connect))!;
      const { user, membership } = await (
        await connect()
      )
        .get(UsersService)
        .createUser({ ...dto, role: dto.role ?? undefined });
      return createdUserDto(user, membership);
    },
  },

  'users:list': {
    usage: `users:list [--tenant ${TENANT}] [--email <email>] [--limit <1-1000>] [--offset <n>]`,
    summary: 'List users with their memberships, oldest first (100 unless --limit)',
    options: {
      tenant: { type: 'string' },
      email: { type: 'string' },
      limit: { type: 'string' },
      offset: { type: 'string' },
    },
    flags: { tenantId: '--tenant', email: '--email', limit: '--limit', offset: '--offset' },
    async run(v, connect) {
      const tenant = tenantArgument(v.tenant);
      const query = await validateBody(UserListQueryDto, {
        tenantId: tenant.forValidation,
        email: v.email,
        limit: v.limit,
        offset: v.offset,
      });
      const records = await (await connect()).get(UsersService).listUsers({
        tenantId: await tenant.resolve(connect),
        email: query.email,
        limit: query.limit ?? 100,
        offset: query.offset ?? 0,
      });
      return records.map(userDto);
    },
  },

  ...HEADLESS_TOKEN_COMMANDS,

  'keys:rotate': {
    usage: 'keys:rotate',
    summary:
      'Create successors of the signing keys: published at once, signing from signsFrom (twice JWKS_MAX_AGE later); ' +
      'the old keys sign until then and keep verifying until their tokens have expired',
    options: {},
    flags: {},
    async run(_v, connect) {
      const { kid, kids, signsFrom } = await (await connect()).get(SigningKeysService).rotate();
      return { kid, kids, signsFrom: signsFrom.toISOString() };
    },
  },

  reencrypt: {
    usage: 'reencrypt',
    summary:
      'Rewrite every secret sealed under ENCRYPTION_KEY_PREVIOUS, or in the older v1 format that is not bound to its ' +
      'row, under ENCRYPTION_KEY and bound to its row and column (batched, idempotent, safe while instances ' +
      'serve); prints counts per column. Drop ENCRYPTION_KEY_PREVIOUS only when "unreadable" is 0',
    options: {},
    flags: {},
    async run(_v, connect) {
      const app = await connect();
      return new ReencryptService(app.get(Db), app.get(SecretBox)).run();
    },
  },

  ...MIGRATION_COMMANDS,
};
