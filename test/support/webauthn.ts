import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign } from 'node:crypto';

/**
 * A software authenticator (ES256, attestation "none") for the API tests of passkeys: it answers
 * creation and request options with the WebAuthn JSON forms a browser's `credential.toJSON()`
 * gives, and can be told to misbehave (another origin or RP id, no user presence, an old counter,
 * another user handle) to test each refusal. The browser tests use Chromium's virtual authenticator.
 */

// ---- a minimal CBOR encoder (unsigned/negative ints, byte and text strings, maps) ----------------

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

type Cbor = number | string | Buffer | Map<Cbor, Cbor>;

function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  const parts: Buffer[] = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const b64 = (b: Buffer) => b.toString('base64url');

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface Ceremony {
  /** The origin the "browser" reports (default: the authenticator's). */
  origin?: string;
  /** The RP id whose hash goes into authenticator data (default: the options' RP id). */
  rpId?: string;
  /** User presence (default true). */
  up?: boolean;
  uv?: boolean;
  /** Overrides the signature counter of this assertion. */
  counter?: number;
  /** Overrides the challenge answered. */
  challenge?: string;
  /** Overrides the user handle of an assertion (base64url). */
  userHandle?: string | null;
}

interface CreationOptions {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string };
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly coseKey: Buffer;
  private userHandle: string | null = null;
  private rpId: string | null = null;
  counter = 0;

  constructor(readonly origin: string) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.coseKey = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
  }

  get id(): string {
    return b64(this.credentialId);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }

  /** `credential.toJSON()` of navigator.credentials.create(). */
  create(options: CreationOptions, c: Ceremony = {}): Record<string, unknown> {
    const rpId = c.rpId ?? options.rp.id!;
    this.rpId = options.rp.id!;
    this.userHandle = options.user.id;
    const flags = (c.up === false ? 0 : FLAG_UP) | (c.uv === false ? 0 : FLAG_UV) | FLAG_AT;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(c.counter ?? this.counter);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([flags]),
      counter,
      Buffer.alloc(16),
      idLength,
      this.credentialId,
      this.coseKey,
    ]);
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const clientDataJSON = this.clientData(
      'webauthn.create',
      c.challenge ?? options.challenge,
      c.origin ?? this.origin,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64(clientDataJSON),
        attestationObject: b64(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /** `credential.toJSON()` of navigator.credentials.get(); the counter goes up by one each time. */
  get(options: RequestOptions, c: Ceremony = {}): Record<string, unknown> {
    const rpId = c.rpId ?? options.rpId ?? this.rpId!;
    this.counter += 1;
    const flags = (c.up === false ? 0 : FLAG_UP) | (c.uv === false ? 0 : FLAG_UV);
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(c.counter ?? this.counter);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([flags]), counter]);
    const clientDataJSON = this.clientData(
      'webauthn.get',
      c.challenge ?? options.challenge,
      c.origin ?? this.origin,
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.privateKey);
    const userHandle = c.userHandle === undefined ? this.userHandle : c.userHandle;
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64(clientDataJSON),
        authenticatorData: b64(authData),
        signature: b64(signature),
        ...(userHandle ? { userHandle } : {}),
      },
    };
  }
}
