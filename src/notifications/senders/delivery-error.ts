/**
 * A failed delivery, described without secrets (no recipient, no message body, no credentials):
 * the description is stored in notification_outbox.last_error and logged. `permanent` errors
 * (the server refused the recipient for good, a template cannot render) are not retried.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

/** A short description of any error, with the recipient masked and URL credentials removed. */
export function describeError(err: unknown, recipient: string): string {
  const e = err as { code?: unknown; responseCode?: unknown; message?: unknown };
  const parts: string[] = [];
  if (typeof e?.code === 'string') parts.push(e.code);
  if (typeof e?.responseCode === 'number') parts.push(String(e.responseCode));
  let message = typeof e?.message === 'string' ? e.message : String(err);
  if (recipient) message = message.split(recipient).join('<recipient>');
  message = message.replace(/\/\/[^/@\s]*@/g, '//<credentials>@');
  return `${parts.length ? parts.join(' ') + ': ' : ''}${message}`.slice(0, 500);
}
