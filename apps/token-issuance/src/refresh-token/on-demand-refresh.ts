import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthConfig } from '@cb/auth-modes';
import { AppError } from '@cb/platform';
import { VaultEntry } from '../credential-vault/credential-vault';
import { CredentialRefresher } from './credential-refresher';
import { isRefreshDue } from '@cb/refresh-policy';
import { isExpired, tokenLifetime, tooCloseToExpiry } from './refresh-policy';

/**
 * The credential read path's guard, in two steps: `refreshIfDue` refreshes a loaded token that is
 * due by the schedule's own rule (the same single flight as the schedule, in its own transaction,
 * so a failure's bookkeeping or needs_reconnect mark commits even when the read is refused); `assertUsable`
 * runs on the credential the read loaded and refuses an expired one (a renewable one with less than
 * a second left), or any credential of a connection marked needs_reconnect, instead of handing it out.
 * Client-credentials connections are renewed by the read service itself.
 */
@Injectable()
export class OnDemandRefresh {
  constructor(
    private readonly dataSource: DataSource,
    private readonly refresher: CredentialRefresher,
  ) {}

  /**
   * Refreshes the loaded credential when it is renewable and due, in a transaction of its own;
   * true when a refresh ran, and the caller reads the credential again.
   */
  async refreshIfDue(entry: VaultEntry, workspaceId: string): Promise<boolean> {
    const { connection } = entry;
    if (connection.status !== 'active' || !connection.refreshable) return false;
    if (!isRefreshDue(tokenLifetime(connection), new Date())) return false;
    await this.dataSource.transaction((manager) => this.refresher.refresh(manager, connection.id, { kind: 'on_demand' }, workspaceId));
    return true;
  }

  assertUsable(entry: VaultEntry, config: AuthConfig | null): void {
    const { connection } = entry;
    if (config?.mode === 'OAUTH2' && config.grantType === 'client_credentials') return;
    // The grant is known to be dead: a token without an expiry would otherwise be handed out for ever.
    if (connection.status === 'needs_reconnect') {
      throw new AppError('connection_needs_reconnect', 'The connection needs to be reconnected by its end user.', 409, { connectionId: connection.id, status: connection.status });
    }
    const usable = connection.refreshable ? !tooCloseToExpiry(connection.expiresAt, new Date()) : !isExpired(connection.expiresAt, new Date());
    if (usable) return;
    if (connection.refreshable) {
      throw new AppError('token_unavailable', 'The token has expired and the provider could not refresh it right now. Please try again later.', 503, { connectionId: connection.id }, { retriable: true });
    }
    throw new AppError('credential_expired', 'The credential has expired and cannot be renewed; the end user must connect again.', 409, { connectionId: connection.id, status: connection.status });
  }
}
