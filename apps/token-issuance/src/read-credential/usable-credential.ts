import type { AuthConfig } from '@cb/auth-modes';
import { AppError } from '@cb/platform';
import { VaultEntry } from '../credential-vault/credential-vault';
import { RefreshOutcome } from '../refresh-token/credential-refresher';
import { canRenew, isExpired, tooCloseToExpiry } from '../refresh-token/refresh-policy';

/**
 * The credential read's last check, on the credential it will hand out (after
 * `CredentialRefresher.refreshIfDue`): refuses an expired one (a renewable one with less than a
 * second left), or any credential of a connection marked needs_reconnect. A refusal of an expired
 * token says why the provider did not renew it and when to ask again (`providerError`,
 * `retryAfterSeconds`, sent as Retry-After).
 */
export function assertUsable(entry: VaultEntry, config: AuthConfig | null, refresh: RefreshOutcome | null): void {
  const { connection } = entry;
  // The grant is known to be dead: a token without an expiry would otherwise be handed out for ever.
  if (connection.status === 'needs_reconnect') {
    throw new AppError('connection_needs_reconnect', 'The connection needs to be reconnected by its end user.', 409, { connectionId: connection.id, status: connection.status });
  }
  const renewable = canRenew(connection, config);
  const usable = renewable ? !tooCloseToExpiry(connection.expiresAt, new Date()) : !isExpired(connection.expiresAt, new Date());
  if (usable) return;
  if (renewable) {
    throw new AppError('token_unavailable', 'The token has expired and the provider could not renew it right now. Please try again later.', 503, { connectionId: connection.id, ...whyNotRenewed(refresh) }, { retriable: true });
  }
  throw new AppError('credential_expired', 'The credential has expired and cannot be renewed; the end user must connect again.', 409, { connectionId: connection.id, status: connection.status });
}

function whyNotRenewed(refresh: RefreshOutcome | null): { providerError?: string; retryAfterSeconds: number } {
  if (refresh?.outcome === 'retry_later') return { providerError: refresh.errorCode, retryAfterSeconds: Math.max(1, Math.ceil((refresh.retryAt.getTime() - Date.now()) / 1000)) };
  if (refresh?.outcome === 'transient_failure') return { providerError: refresh.errorCode, retryAfterSeconds: Math.max(1, refresh.retryAfterSeconds ?? 1) };
  return { retryAfterSeconds: 1 };
}
