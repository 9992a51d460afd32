import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsISO8601, IsOptional } from 'class-validator';
import { AUTH_METHODS } from '../../tokens/login-activity-recorder.js';

/**
 * One login, refresh/switch or logout (API.md section 6). Every field is present unless
 * `filter.fields` leaves it out.
 */
export class LoginActivityDto {
  @ApiProperty({ format: 'uuid', example: '0b8f8b8e-4a5e-4f57-9d0e-6f1f3c2a9b10' })
  id?: string;

  @ApiProperty({
    format: 'uuid',
    description: "The user id (the token's `sub`)",
    example: '6c1e2f0a-3d4b-4a7c-8e9f-0a1b2c3d4e5f',
  })
  actor?: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The tenant the token was issued for',
    example: '3f1c2f7e-8f5a-4c1e-9d57-0b7a6f2d9e11',
  })
  tenantId?: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' })
  loginTime?: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "JSON string of the issued access token's claims (null on LOGOUT rows); stored encrypted",
    example: '{"sub":"6c1e2f0a-...","tid":"3f1c2f7e-...","cid":"acme-web","permissions":["ViewProfile"]}',
  })
  tokenPayload?: string | null;

  @ApiProperty({
    enum: ['ACCESS', 'RELOGIN', 'LOGOUT'],
    description: 'ACCESS: a new session; RELOGIN: refresh or tenant switch; LOGOUT',
    example: 'ACCESS',
  })
  loginType?: string;

  @ApiProperty({
    enum: AUTH_METHODS,
    description:
      'How the session began: PASSWORD, OTP, TOTP, RECOVERY_CODE, GOOGLE, AZURE, APPLE, COGNITO, FACEBOOK, ' +
      'INSTAGRAM, KEYCLOAK, SAML, SSO_TOKEN, HEADLESS, HEADLESS_LOGIN, PASSKEY',
    example: 'PASSWORD',
  })
  authMethod?: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The device_id header of the login or refresh',
    example: 'ios-4f2a',
  })
  deviceInfo?: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Client IP; stored encrypted',
    example: '203.0.113.7',
  })
  ipAddress?: string | null;
}

export class CountDto {
  @ApiProperty({ example: 42 }) count: number;
}

const FILTER_DESCRIPTION =
  'JSON: `{"where": {...}, "fields": {...} | [...], "order": "loginTime DESC" | [...], "limit": 100, "skip": 0}`. ' +
  '`where` fields: id, actor, tenantId, loginTime, loginType, authMethod; operators: eq, neq, gt, gte, lt, lte, ' +
  'inq, nin, between, like, and, or. `limit` defaults to 100, at most 1000; `offset` is an alias of `skip`. ' +
  'Anything else: 400 INVALID_FILTER.';

export class LoginActivityListQueryDto {
  @ApiPropertyOptional({
    type: String,
    description: FILTER_DESCRIPTION,
    example:
      '{"where":{"loginType":"ACCESS","loginTime":{"gte":"2026-11-01T00:00:00.000Z"}},"order":"loginTime DESC","limit":50}',
  })
  @Allow()
  filter?: unknown;
}

export class LoginActivityCountQueryDto {
  @ApiPropertyOptional({
    type: String,
    description: 'JSON where object (same fields and operators as `filter.where`)',
    example: '{"and":[{"loginType":{"inq":["ACCESS","RELOGIN"]}},{"authMethod":"PASSWORD"}]}',
  })
  @Allow()
  where?: unknown;
}

export class LoginActivityByIdQueryDto {
  @ApiPropertyOptional({
    type: String,
    description: 'JSON `{"fields": ...}` (only fields applies to one row)',
    example: '{"fields":["id","actor","loginTime","loginType"]}',
  })
  @Allow()
  filter?: unknown;
}

/** The window of a report (active users, login failures): startDate and endDate, both optional. */
export class ReportWindowQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Start of the window, inclusive (default: 30 days before endDate)',
    example: '2026-11-01T00:00:00.000Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  startDate?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'End of the window, inclusive (default: now)',
    example: '2026-11-30T23:59:59.999Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  endDate?: string;
}

export class ActiveUsersQueryDto extends ReportWindowQueryDto {
  @ApiPropertyOptional({
    type: String,
    description:
      'JSON `{"inclusion": true|false, "userIdentity": "actorId"|"userName", "userIdentifier": [...]}`: only ' +
      '(inclusion) or all but (exclusion) these users, named by user id or by username/email. Bad JSON or shape: ' +
      '400 INVALID_FILTER.',
    example: '{"inclusion":true,"userIdentity":"userName","userIdentifier":["ada@example.com"]}',
  })
  @Allow()
  filter?: unknown;
}

/** `{period: {loginType: LoginActivity[]}}`, documented for Swagger. */
export const ACTIVE_USERS_SCHEMA = {
  type: 'object',
  description:
    'Keyed by period (daily `YYYY-MM-DD`, weekly ISO `YYYY-Www`, monthly `MM-YYYY`, UTC), each keyed by ' +
    "loginType, holding each distinct actor's first activity of that type in that period.",
  additionalProperties: {
    type: 'object',
    additionalProperties: { type: 'array', items: { $ref: '#/components/schemas/LoginActivityDto' } },
  },
  example: {
    '2026-11-21': {
      ACCESS: [
        {
          id: '0b8f8b8e-4a5e-4f57-9d0e-6f1f3c2a9b10',
          actor: '6c1e2f0a-3d4b-4a7c-8e9f-0a1b2c3d4e5f',
          tenantId: '3f1c2f7e-8f5a-4c1e-9d57-0b7a6f2d9e11',
          loginTime: '2026-11-21T08:12:44.120Z',
          tokenPayload: '{"sub":"6c1e2f0a-..."}',
          loginType: 'ACCESS',
          authMethod: 'PASSWORD',
          deviceInfo: null,
          ipAddress: '203.0.113.7',
        },
      ],
    },
  },
};
