import { Injectable } from '@nestjs/common';
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import { isUniqueViolation } from '../database/db.js';
import { OneTimeTokensService } from '../tokens/one-time-tokens.service.js';

/** How long an AuthnRequest ID waits for its answer: as long as a login state lives. */
export const SAML_REQUEST_TTL_S = 600;
/** Assertion IDs are remembered a day, far longer than any assertion is valid. */
export const SAML_ASSERTION_MEMORY_S = 24 * 3600;

interface RequestData {
  instant: string;
}

/**
 * The database failed under node-saml: not the provider's fault, so the caller re-throws the
 * cause (503 while the database is unreachable) instead of answering PROVIDER_ERROR.
 */
export class SamlStoreError extends Error {
  constructor(override readonly cause: unknown) {
    super('the SAML request store failed');
  }
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new SamlStoreError(err);
  }
}

/**
 * node-saml's InResponseTo cache and our assertion-replay memory, in Postgres (one_time_token), so
 * any instance can finish a SAML login another started, and a restart forgets nothing. node-saml's
 * own cache is in memory per process and it has no replay check of its own.
 */
@Injectable()
export class SamlStore implements CacheProvider {
  constructor(private readonly oneTime: OneTimeTokensService) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    await guarded(() =>
      this.oneTime.issue({
        purpose: 'saml-request',
        token: key,
        ttlSeconds: SAML_REQUEST_TTL_S,
        data: { instant: value } satisfies RequestData,
      }),
    );
    return { value, createdAt: Date.now() };
  }

  async getAsync(key: string): Promise<string | null> {
    const record = await guarded(() => this.oneTime.peek<RequestData>('saml-request', key));
    return record?.data.instant ?? null;
  }

  /** Spends the request ID: each AuthnRequest is answered once. */
  async removeAsync(key: string | null): Promise<string | null> {
    if (!key) return null;
    const record = await guarded(() => this.oneTime.consume<RequestData>('saml-request', key));
    return record ? key : null;
  }

  /** Records an assertion ID; false when it was accepted before (a replay). */
  async rememberAssertion(assertionId: string): Promise<boolean> {
    try {
      await this.oneTime.issue({
        purpose: 'saml-assertion',
        token: assertionId,
        ttlSeconds: SAML_ASSERTION_MEMORY_S,
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw new SamlStoreError(err);
    }
  }
}
