import type { OAuth2Config } from '@cb/auth-modes';
import type { TokenGrant } from '@cb/oauth-client';
import { StoredCredential } from '../credential-vault/stored-credential';

/**
 * A read refreshes on demand when less than this share of the token's lifetime is left (and less
 * than the connector's margin). The schedule refreshes at half the lifetime, so reads normally find
 * a fresh token and only a late or failed scheduled refresh makes a caller wait.
 */
export const ON_DEMAND_LIFETIME_PERCENT = 25;

export interface TokenTiming {
  /** When the current credential was stored (the vault's `updated_at`). */
  storedAt: Date;
  expiresAt: Date | null;
  refreshMarginSeconds: number;
}

/**
 * Tokens without expiry are treated as valid (the documented policy): they are refreshed only when
 * a caller reports a 401, or by the schedule when token-refresh assumes a lifetime.
 */
export function dueOnDemand(timing: TokenTiming, now: Date): boolean {
  if (!timing.expiresAt) return false;
  const remainingMs = timing.expiresAt.getTime() - now.getTime();
  if (remainingMs <= 0) return true;
  const lifetimeMs = Math.max(0, timing.expiresAt.getTime() - timing.storedAt.getTime());
  return remainingMs <= Math.min(timing.refreshMarginSeconds * 1000, (lifetimeMs * ON_DEMAND_LIFETIME_PERCENT) / 100);
}

export function isExpired(expiresAt: Date | null, now: Date): boolean {
  return expiresAt !== null && expiresAt.getTime() <= now.getTime();
}

/** The grant that renews this credential, or the permanent reason why none can. */
export type RenewalPlan = { grant: TokenGrant } | { impossible: 'refresh_not_supported' | 'no_refresh_token' };

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-6 */
export function renewalPlan(config: OAuth2Config, credential: StoredCredential & { type: 'oauth2' }): RenewalPlan {
  if (config.grantType === 'client_credentials') {
    return { grant: { grantType: 'client_credentials', ...(config.scopes.length ? { scope: config.scopes.join(config.scopeSeparator) } : {}) } };
  }
  if (config.refreshGrantType === 'none') return { impossible: 'refresh_not_supported' };
  if (!credential.refreshToken) return { impossible: 'no_refresh_token' };
  return { grant: { grantType: 'refresh_token', refreshToken: credential.refreshToken } };
}
