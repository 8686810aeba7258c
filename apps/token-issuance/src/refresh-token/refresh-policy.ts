import type { AuthConfig, OAuth2Config } from '@cb/auth-modes';
import type { TokenGrant } from '@cb/oauth-client';
import { isRefreshDue, retryDelayMs, type BackoffPolicy, type TokenLifetime } from '@cb/refresh-policy';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { StoredCredential } from '../credential-vault/stored-credential';
import { clientCredentialsGrant, usesClientCredentials } from '../token-endpoint/client-credentials';

/** The connection's current token as the shared due rule (@cb/refresh-policy) sees it. */
export function tokenLifetime(connection: Pick<ConnectionEntity, 'updatedAt' | 'expiresAt' | 'refreshMarginSeconds'>): TokenLifetime {
  return { issuedAt: connection.updatedAt, expiresAt: connection.expiresAt, refreshMarginSeconds: connection.refreshMarginSeconds };
}

/** Whether the connection's current token is due for renewal, by the schedule's own rule. */
export function isDue(connection: Pick<ConnectionEntity, 'updatedAt' | 'expiresAt' | 'refreshMarginSeconds'>, now: Date): boolean {
  return isRefreshDue(tokenLifetime(connection), now);
}

/** Whether the broker renews the connection's token without its user: a refresh token, or client credentials. */
export function canRenew(connection: Pick<ConnectionEntity, 'refreshable'>, config: AuthConfig | null): boolean {
  return connection.refreshable || usesClientCredentials(config);
}

export function isExpired(expiresAt: Date | null, now: Date): boolean {
  return expiresAt !== null && expiresAt.getTime() <= now.getTime();
}

/** A renewable token with less left than this is renewed (or refused) rather than handed out: the caller needs time to use it. */
export const MIN_USABLE_LIFETIME_MS = 1000;

export function tooCloseToExpiry(expiresAt: Date | null, now: Date): boolean {
  return isExpired(expiresAt, new Date(now.getTime() + MIN_USABLE_LIFETIME_MS));
}

/** The grant that renews this credential, or the permanent reason why none can. */
export type RenewalPlan = { grant: TokenGrant } | { impossible: 'refresh_not_supported' | 'no_refresh_token' };

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-6 */
export function renewalPlan(config: OAuth2Config, credential: StoredCredential & { type: 'oauth2' }): RenewalPlan {
  if (usesClientCredentials(config)) return { grant: clientCredentialsGrant(config) };
  if (config.refreshGrantType === 'none') return { impossible: 'refresh_not_supported' };
  if (!credential.refreshToken) return { impossible: 'no_refresh_token' };
  return { grant: { grantType: 'refresh_token', refreshToken: credential.refreshToken } };
}

/** Reads of an expired token retry its refresh no sooner than this backoff after the last failure. */
const READ_RETRY_BACKOFF: BackoffPolicy = { leaseSeconds: 1, capSeconds: 60 };

/**
 * When a read may next try to refresh a token whose refresh keeps failing: the connection's own
 * backoff (doubling from one second to a minute per failed attempt, whichever path made it), and
 * never before the provider's Retry-After.
 */
export function readRetryAt(state: { failedAttempts: number; lastAttemptAt: Date | null; notBefore: Date | null }): Date {
  const last = state.lastAttemptAt?.getTime() ?? 0;
  const backoffEnd = last + retryDelayMs(state.failedAttempts, null, READ_RETRY_BACKOFF, () => 0);
  return new Date(Math.max(backoffEnd, state.notBefore?.getTime() ?? 0));
}
