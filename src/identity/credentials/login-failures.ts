/**
 * Failed sign-ins, counted for the reports of the tenant whose client the sign-in went through
 * (the console's dashboard). Defined here, where the password check lives; implemented by the
 * login-activity module, which stores counts per tenant, hour and method. Recording is
 * best-effort and never delays or fails a login: `record` returns at once and swallows errors.
 */
export interface LoginFailureSink {
  record(failure: { tenantId: string; authMethod: string }): void;
}

export const LOGIN_FAILURE_SINK = Symbol('LOGIN_FAILURE_SINK');
