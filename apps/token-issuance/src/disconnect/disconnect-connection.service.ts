import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { renderOAuth2Urls } from '@cb/auth-modes';
import { ConnectionDeleted } from '@cb/events';
import { OutboxWriter } from '@cb/messaging';
import { METRICS, notFound, ServiceMetrics } from '@cb/platform';
import { ConnectorStore, LoadedConnector } from '../connectors/connector-store';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { CredentialVault, VaultEntry } from '../credential-vault/credential-vault';
import { RefreshStateRepository } from '../refresh-token/refresh-state.repository';
import { RefreshLeases } from '../refresh-token/refresh-leases';
import { TokenEndpoint } from '../token-endpoint/token-endpoint';
import { ConnectionDeletionEntity, RevocationOutcome } from './connection-deletion.entity';
import { connectionBusy } from '../token-issuance.errors';

export interface DisconnectResult {
  connectionId: string;
  revocation: RevocationOutcome;
  revocationError: string | null;
  deletedAt: string;
}

/**
 * Deletes a connection: revokes its grant at the provider when the connector has a revocation URL
 * (the refresh token with token_type_hint, which ends the whole grant; else the access token),
 * destroys the sealed credential, records the outcome and emits ConnectionDeleted. The revocation
 * runs under a lease (RefreshLeases), not a row lock: no refresh rotates the token meanwhile, and no
 * database connection is held while the provider answers. A provider that fails to revoke does not
 * block the deletion.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
@Injectable()
export class DisconnectConnection {
  private readonly logger = new Logger(DisconnectConnection.name);
  private readonly revocations;

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: CredentialVault,
    private readonly connectors: ConnectorStore,
    private readonly states: RefreshStateRepository,
    private readonly outbox: OutboxWriter,
    private readonly leases: RefreshLeases,
    private readonly tokenEndpoint: TokenEndpoint,
    metrics: ServiceMetrics,
  ) {
    this.revocations = metrics.counter(METRICS.revocations);
  }

  async disconnect(workspaceId: string, connectionId: string): Promise<DisconnectResult> {
    const { entry, connector } = await this.leaseForRevocation(workspaceId, connectionId);
    const { revocation, error } = await this.revoke(entry, connector);
    this.revocations.inc({ outcome: revocation });
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.vault.loadForUpdate(manager, connectionId, workspaceId))) throw notFound('connection');
      const deletedAt = new Date();
      await manager.getRepository(ConnectionDeletionEntity).save({
        connectionId,
        workspaceId,
        connectorId: entry.connection.connectorId,
        revocation,
        revocationError: error,
        deletedAt,
      });
      await this.destroy(manager, connectionId);
      await this.outbox.append(manager, ConnectionDeleted, {
        connectionId,
        workspaceId,
        connectorId: entry.connection.connectorId,
        endUserId: entry.connection.endUserId,
        revocation,
        deletedAt: deletedAt.toISOString(),
      });
      this.logger.log({ connectionId, revocation, revocationError: error }, 'connection deleted');
      return { connectionId, revocation, revocationError: error, deletedAt: deletedAt.toISOString() };
    });
  }

  /** Waits for a refresh under way to end, then holds the lease so that no refresh rotates the token while it is revoked. */
  private async leaseForRevocation(workspaceId: string, connectionId: string): Promise<{ entry: VaultEntry; connector: LoadedConnector | null }> {
    for (let waited = 0; ; waited++) {
      const taken = await this.dataSource.transaction(async (manager): Promise<{ until: Date } | { entry: VaultEntry; connector: LoadedConnector | null }> => {
        const entry = await this.vault.loadForUpdate(manager, connectionId, workspaceId);
        if (!entry) throw notFound('connection');
        const lease = await this.leases.check(manager, connectionId);
        if (lease.state === 'held') return { until: lease.until };
        await this.leases.take(manager, connectionId, entry.connection.credentialVersion, 'revocation');
        return { entry, connector: await this.connectors.find(manager, entry.connection.connectorId) };
      });
      if ('entry' in taken) return taken;
      if (waited >= 2) throw connectionBusy(connectionId);
      await this.leases.waitUntilReleased(connectionId, taken.until);
    }
  }

  private async revoke(entry: VaultEntry, connector: LoadedConnector | null): Promise<{ revocation: RevocationOutcome; error: string | null }> {
    const { connection, credential } = entry;
    const config = connector?.config;
    if (!connector || config?.mode !== 'OAUTH2' || credential.type !== 'oauth2') return { revocation: 'not_supported', error: null };
    let revocationUrl: string | undefined;
    try {
      revocationUrl = renderOAuth2Urls(config, { ...(connection.tenant ? { tenant: connection.tenant } : {}), attributes: connection.attributes }).revocationUrl;
    } catch {
      return { revocation: 'failed', error: 'revocation_url_unrenderable' };
    }
    if (!revocationUrl || !config.clientId) return { revocation: 'not_supported', error: null };
    const token = credential.refreshToken ?? credential.accessToken;
    if (!token) return { revocation: 'nothing_to_revoke', error: null };
    if (credential.origins && ![credential.origins.revocation, credential.origins.token].includes(new URL(revocationUrl).origin)) {
      // the token goes only where the connector sent tokens when it was issued
      this.logger.warn({ connectionId: connection.id }, 'revocation not sent: the revocation endpoint moved to another origin');
      return { revocation: 'failed', error: 'revocation_endpoint_moved' };
    }
    const answer = await this.tokenEndpoint.revoke(connector, revocationUrl, token, credential.refreshToken ? 'refresh_token' : 'access_token');
    if (answer.ok) return { revocation: 'revoked', error: null };
    this.logger.warn({ connectionId: connection.id, errorCode: answer.code, detail: answer.detail }, 'revocation failed; deleting anyway');
    return { revocation: 'failed', error: answer.code };
  }

  /** The sealed credential goes with the row; refresh bookkeeping goes too. */
  private async destroy(manager: EntityManager, connectionId: string): Promise<void> {
    await manager.getRepository(ConnectionEntity).delete({ id: connectionId });
    await this.states.delete(manager, connectionId);
  }
}
