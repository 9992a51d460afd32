import { DeliveryError, describeError } from './delivery-error.js';

/**
 * A minimal HTTP SMS gateway client: `POST SMS_GATEWAY_URL` with the JSON body
 * `{"to": "+15551234567", "text": "..."}`. Any 2xx answer means accepted; 429 and 5xx (and network
 * errors) are retried with backoff; any other 4xx fails the message for good. Put credentials in
 * the URL (`https://user:key@sms.example.com/send`, sent as Basic auth) or run a small adapter in
 * front of the real provider that accepts this body.
 */
export class SmsSender {
  private readonly url: string;
  private readonly authorization: string | undefined;

  constructor(gatewayUrl: string) {
    const url = new URL(gatewayUrl);
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      this.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    this.url = url.toString();
  }

  async send(to: string, text: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.authorization ? { authorization: this.authorization } : {}),
        },
        body: JSON.stringify({ to, text }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new DeliveryError(describeError(err, to));
    }
    // Drain the body so the connection can be reused; its content is not needed (and may echo secrets).
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return;
    const retryable = res.status === 429 || res.status >= 500;
    throw new DeliveryError(`SMS gateway answered HTTP ${res.status}`, !retryable);
  }
}
