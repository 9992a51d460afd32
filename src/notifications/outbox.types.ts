/**
 * The contract between features and the notifications module: a feature writes a message into
 * the outbox inside the transaction of the state change that needs it (OutboxService.enqueue),
 * and the delivery worker sends it later, with retries. Features never send mail themselves.
 */
export type TemplateName =
  | 'reset-password'
  | 'password-changed'
  | 'sign-up'
  | 'already-registered'
  | 'verification-code'
  | 'otp-code'
  | 'member-approved'
  | 'recovery-email'
  | 'authenticator-added'
  | 'authenticator-removed'
  | 'password-set-by-admin'
  | 'mfa-reset';

export interface OutboxMessage {
  channel: 'email' | 'sms';
  /** An email address or an E.164 phone number. */
  to: string;
  template: TemplateName;
  /**
   * Values the template fills in (links, codes, names): the keys each template reads are listed in
   * src/notifications/templates.ts. Sealed at rest; never logged in production.
   */
  data: Record<string, string>;
}
