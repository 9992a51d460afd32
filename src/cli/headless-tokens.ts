import { Errors } from '../common/errors/app-error.js';
import { validateBody } from '../common/http/validation.js';
import {
  CreateHeadlessTokenDto,
  headlessTokenDto,
  HeadlessTokenListQueryDto,
} from '../headless-member/dto/headless-token.dto.js';
import { HeadlessTokensService } from '../headless-member/headless-tokens.service.js';
import { isUuid } from '../common/validation/ids.js';
import type { CliCommand } from './commands.js';
import { TENANT, tenantArgument } from './input.js';

/**
 * The headless tokens of API.md section 9 from the command line (what POST/GET/DELETE
 * /admin/headless-tokens do): a server's credential for member tokens, without the admin key.
 */
export const HEADLESS_TOKEN_COMMANDS: Record<string, CliCommand> = {
  'headless-tokens:create': {
    usage: `headless-tokens:create --tenant ${TENANT} --name <label> [--client <clientId>]`,
    summary:
      "Create a headless token for a server (POST /api/v1/headless/*); the token is printed only now. --client: the tenant's " +
      'client its member sessions belong to (default: an internal one)',
    options: { tenant: { type: 'string' }, name: { type: 'string' }, client: { type: 'string' } },
    flags: { tenantId: '--tenant', name: '--name', clientId: '--client' },
    async run(v, connect) {
      const tenant = tenantArgument(v.tenant);
      const dto = await validateBody(CreateHeadlessTokenDto, {
        tenantId: tenant.forValidation,
        name: v.name,
        clientId: v.client,
      });
      dto.tenantId = (await tenant.resolve(connect))!;
      const { record, secret } = await (await connect()).get(HeadlessTokensService).create(dto);
      const { id, name, ...rest } = headlessTokenDto(record);
      return { id, name, token: secret, ...rest };
    },
  },

  'headless-tokens:list': {
    usage: `headless-tokens:list [--tenant ${TENANT}]`,
    summary: 'List headless tokens, oldest first (never the tokens themselves)',
    options: { tenant: { type: 'string' } },
    flags: { tenantId: '--tenant' },
    async run(v, connect) {
      const tenant = tenantArgument(v.tenant);
      await validateBody(HeadlessTokenListQueryDto, { tenantId: tenant.forValidation });
      const tenantId = await tenant.resolve(connect);
      return (await (await connect()).get(HeadlessTokensService).list(tenantId)).map(headlessTokenDto);
    },
  },

  'headless-tokens:revoke': {
    usage: 'headless-tokens:revoke --id <headless token id>',
    summary:
      'Revoke (delete) a headless token at once; member tokens it already obtained stay valid until they expire or are revoked',
    options: { id: { type: 'string' } },
    flags: { id: '--id' },
    async run(v, connect) {
      if (typeof v.id !== 'string' || !isUuid(v.id)) {
        throw Errors.validation([{ field: 'id', message: 'id must be the UUID of a headless token' }]);
      }
      await (await connect()).get(HeadlessTokensService).delete(v.id);
      return { id: v.id, revoked: true };
    },
  },
};
