import { Injectable } from '@nestjs/common';
import type { AuthConfig } from '@cb/auth-modes';
import { AppError } from '@cb/platform';
import { isRefreshDue } from '@cb/refresh-policy';
import { VaultEntry } from '../credential-vault/credential-vault';
import { CredentialRefresher, RefreshOutcome } from './credential-refresher';
import { isExpired, tokenLifetime, tooCloseToExpiry } from './refresh-policy';

/**
 * The credential read path's guard, in two steps: `refreshIfDue` renews a loaded token that is due
 * by the schedule's own rule (a refresh token grant, or a new client-credentials token), through the
 * same single flight as the schedule; `assertUsable` runs on the credential the read will hand out
 * and refuses an expired one (a renewable one with less than a second left), or any credential of a
 * connection marked needs_reconnect. A refusal of an expired token says why the provider did not
 * renew it and when to ask again (`providerError`, `retryAfterSeconds`, sent as Retry-After).
 */
@Injectable()
export class OnDemandRefresh {
  constructor(private readonly refresher: CredentialRefresher) {}

  /** The refresh's outcome when the loaded credential was due; null when nothing had to be done. */
  async refreshIfDue(entry: VaultEntry, config: AuthConfig | null, workspaceId: string): Promise<RefreshOutcome | null> {
    const { connection } = entry;
    if (connection.status !== 'active' || !(connection.refreshable || isClientCredentials(config))) return null;
    if (!isRefreshDue(tokenLifetime(connection), new Date())) return null;
    return this.refresher.refresh(connection.id, { kind: 'on_demand' }, workspaceId);
  }

  assertUsable(entry: VaultEntry, config: AuthConfig | null, refresh: RefreshOutcome | null): void {
    const { connection } = entry;
    // The grant is known to be dead: a token without an expiry would otherwise be handed out for ever.
    if (connection.status === 'needs_reconnect') {
      throw new AppError('connection_needs_reconnect', 'The connection needs to be reconnected by its end user.', 409, { connectionId: connection.id, status: connection.status });
    }
    const renewable = connection.refreshable || isClientCredentials(config);
    const usable = renewable ? !tooCloseToExpiry(connection.expiresAt, new Date()) : !isExpired(connection.expiresAt, new Date());
    if (usable) return;
    if (renewable) {
      throw new AppError('token_unavailable', 'The token has expired and the provider could not renew it right now. Please try again later.', 503, { connectionId: connection.id, ...whyNotRenewed(refresh) }, { retriable: true });
    }
    throw new AppError('credential_expired', 'The credential has expired and cannot be renewed; the end user must connect again.', 409, { connectionId: connection.id, status: connection.status });
  }
}

function isClientCredentials(config: AuthConfig | null): boolean {
  return config?.mode === 'OAUTH2' && config.grantType === 'client_credentials';
}

function whyNotRenewed(refresh: RefreshOutcome | null): { providerError?: string; retryAfterSeconds: number } {
  if (refresh?.outcome === 'retry_later') return { providerError: refresh.errorCode, retryAfterSeconds: Math.max(1, Math.ceil((refresh.retryAt.getTime() - Date.now()) / 1000)) };
  if (refresh?.outcome === 'transient_failure') return { providerError: refresh.errorCode, retryAfterSeconds: Math.max(1, refresh.retryAfterSeconds ?? 1) };
  return { retryAfterSeconds: 1 };
}
