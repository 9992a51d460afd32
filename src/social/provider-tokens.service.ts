import { Injectable, Logger } from '@nestjs/common';
import { SecretBox, sealedAt } from '../common/crypto/secret-box.js';
import { Db } from '../database/db.js';
import { ProviderRegistry } from './provider-registry.js';
import {
  deleteProviderToken,
  findProviderToken,
  listProviderTokens,
  ProviderTokenRecord,
  saveProviderToken,
} from './social.queries.js';
import type { ProviderName, ProviderTokens } from './protocols/provider-strategy.js';

const TABLE = 'social_provider_token';
const COLUMN = 'tokens_enc';

/**
 * Provider tokens, sealed at rest, kept per provider credential for the provider logouts. A login
 * that brings no new refresh token keeps the one before (Google sends one on first consent only).
 */
@Injectable()
export class ProviderTokensService {
  private readonly logger = new Logger('Social');

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly registry: ProviderRegistry,
  ) {}

  /** The kept tokens; none when they do not open here (moved from another row, or an old key). */
  private open(row: ProviderTokenRecord): ProviderTokens {
    try {
      return JSON.parse(
        this.box.decrypt(row.tokensEnc, sealedAt(TABLE, COLUMN, row.credentialId)),
      ) as ProviderTokens;
    } catch {
      return {};
    }
  }

  async save(input: {
    credentialId: string;
    userId: string;
    provider: ProviderName;
    tokens: ProviderTokens;
  }) {
    const previous = await findProviderToken(this.db, input.credentialId);
    const merged: ProviderTokens = { ...input.tokens };
    if (!merged.refreshToken && previous) merged.refreshToken = this.open(previous).refreshToken;
    await saveProviderToken(this.db, {
      credentialId: input.credentialId,
      userId: input.userId,
      provider: input.provider,
      tokensEnc: this.box.encrypt(JSON.stringify(merged), sealedAt(TABLE, COLUMN, input.credentialId)),
    });
  }

  /**
   * Ends the user's sessions at the provider with the tokens kept for them, then forgets the
   * tokens. Never throws: a provider that fails or does not answer is logged, and the local
   * logout (already done) stands. Answers whether every provider call succeeded.
   */
  async endProviderSessions(provider: ProviderName, userId: string): Promise<boolean> {
    const strategy = this.registry.get(provider);
    const rows = await listProviderTokens(this.db, userId, provider);
    let ok = true;
    for (const row of rows) {
      try {
        await strategy.endSession?.(this.open(row));
      } catch (err) {
        ok = false;
        this.logger.warn(`${provider} logout at the provider failed: ${(err as Error).message}`);
      }
      await deleteProviderToken(this.db, row.credentialId);
    }
    return ok;
  }
}
