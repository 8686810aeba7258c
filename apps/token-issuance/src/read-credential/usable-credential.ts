import type { AuthConfig } from '@cb/auth-modes';
import { VaultEntry } from '../credential-vault/credential-vault';
import { RefreshOutcome } from '../refresh-token/credential-refresher';
import { canRenew, isExpired, tooCloseToExpiry } from '../refresh-token/refresh-policy';
import { connectionNeedsReconnect, credentialExpired, tokenUnavailable } from '../token-issuance.errors';

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
    throw connectionNeedsReconnect(connection.id, connection.status);
  }
  const renewable = canRenew(connection, config);
  const usable = renewable ? !tooCloseToExpiry(connection.expiresAt, new Date()) : !isExpired(connection.expiresAt, new Date());
  if (usable) return;
  if (renewable) {
    throw tokenUnavailable({ connectionId: connection.id, ...whyNotRenewed(refresh) });
  }
  throw credentialExpired(connection.id, connection.status);
}

function whyNotRenewed(refresh: RefreshOutcome | null): { providerError?: string; retryAfterSeconds: number } {
  if (refresh?.outcome === 'retry_later') return { providerError: refresh.errorCode, retryAfterSeconds: Math.max(1, Math.ceil((refresh.retryAt.getTime() - Date.now()) / 1000)) };
  if (refresh?.outcome === 'transient_failure') return { providerError: refresh.errorCode, retryAfterSeconds: Math.max(1, refresh.retryAfterSeconds ?? 1) };
  return { retryAfterSeconds: 1 };
}
