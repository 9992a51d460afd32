/**
 * Client ids the service keeps for itself (API.md section 12): `headless:<tenantId>` (the internal
 * client of headless member tokens) and `console:<tenantId>` (the admin console of section 14).
 * Nobody may create one through the admin routes; the console's is managed by the service alone.
 */
export const RESERVED_CLIENT_PREFIXES = ['headless:', 'console:'] as const;

/** Prefix of the reserved console clients. */
export const CONSOLE_CLIENT_PREFIX = 'console:';

export function isReservedClientId(clientId: string): boolean {
  const lower = clientId.toLowerCase();
  return RESERVED_CLIENT_PREFIXES.some((p) => lower.startsWith(p));
}

/** The console client of a tenant: never edited, rotated or deleted through the admin routes. */
export function isConsoleClientId(clientId: string): boolean {
  return clientId.toLowerCase().startsWith(CONSOLE_CLIENT_PREFIX);
}
