import { AppError } from '../common/errors/app-error.js';

/**
 * Client ids the service gives its own clients (`headless:<tenantId>` for headless member tokens,
 * `console:` for the admin console): nobody may create or rename a client to one (API.md section
 * 12), or a tenant could take another tenant's internal client id.
 */
export const RESERVED_CLIENT_ID_PREFIXES = ['headless:', 'console:'] as const;

export function isReservedClientId(clientId: string): boolean {
  const lower = clientId.toLowerCase();
  return RESERVED_CLIENT_ID_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** 400 VALIDATION_FAILED naming clientId (the contract's status for a reserved id). */
export function assertNotReserved(clientId: string | undefined): void {
  if (clientId === undefined || !isReservedClientId(clientId)) return;
  throw new AppError(400, 'VALIDATION_FAILED', 'Validation failed', {
    details: [
      {
        field: 'clientId',
        message: `client ids starting ${RESERVED_CLIENT_ID_PREFIXES.join(' or ')} are reserved for the service's own clients`,
      },
    ],
  });
}

/** Prefix of the reserved console clients. */
export const CONSOLE_CLIENT_PREFIX = 'console:';

/** The console client of a tenant: never edited, rotated or deleted through the admin routes. */
export function isConsoleClientId(clientId: string): boolean {
  return clientId.toLowerCase().startsWith(CONSOLE_CLIENT_PREFIX);
}
