import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(input: string): Buffer {
  const clean = input.replace(/=+$/, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/**
 * RFC 6238 computed here, independently of the service's library: HMAC-SHA-1 over the 8-byte
 * big-endian step, dynamic truncation, 6 digits.
 */
export function totpAt(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

export function currentStep(now = Date.now()): number {
  return Math.floor(now / 30_000);
}

/**
 * A user's authenticator as the server sees it: each time step is accepted once per user, and the
 * server accepts the previous, current and next step. `next()` answers a code of a step after the
 * last one used, preferring the current and next step (valid for at least 30 s more); when both
 * are spent it waits for the clock (up to 30 s).
 */
export class TotpUser {
  lastStep = -1;

  async next(secret: string): Promise<{ code: string; step: number }> {
    let now = currentStep();
    let step = Math.max(this.lastStep + 1, now);
    while (step > now + 1) {
      await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 50));
      now = currentStep();
      step = Math.max(this.lastStep + 1, now);
    }
    this.lastStep = step;
    return { code: totpAt(secret, step), step };
  }

  /** A code for a step the server has already accepted (a replay). */
  replay(secret: string): string {
    return totpAt(secret, this.lastStep);
  }
}

/** A 6-digit string that is not the code of any step the server would accept now. */
export function wrongCode(secret: string): string {
  const now = currentStep();
  const valid = new Set([now - 1, now, now + 1, now + 2].map((s) => totpAt(secret, s)));
  for (let i = 0; ; i++) {
    const candidate = String((123456 + i * 7919) % 1_000_000).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}
