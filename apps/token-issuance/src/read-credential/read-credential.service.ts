import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError, notFound } from '@cb/platform';
import { isRefreshDue } from '@cb/refresh-policy';
import { ConnectorStore, LoadedConnector } from '../connectors/connector-store';
import { CredentialVault, VaultEntry } from '../credential-vault/credential-vault';
import { OnDemandRefresh } from '../refresh-token/on-demand-refresh';
import { tokenLifetime } from '../refresh-token/refresh-policy';
import { describeTokenError, oauthCredential, TokenEndpoint } from '../token-endpoint/token-endpoint';
import { CredentialReadEntity } from './credential-read.entity';
import { CredentialResponse, toCredentialResponse } from './credential.mapper';

/**
 * Hands a connection's credential to an authorized caller and records the read (who, when, which
 * connection; never the secret). A client-credentials connection whose token is due (the schedule's
 * rule: the margin, capped at half the lifetime) gets a new one first, without a user.
 */
@Injectable()
export class ReadCredentialService {
  private readonly logger = new Logger(ReadCredentialService.name);
  private readonly recordRead: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: CredentialVault,
    private readonly connectors: ConnectorStore,
    private readonly tokenEndpoint: TokenEndpoint,
    private readonly onDemand: OnDemandRefresh,
  ) {
    const table = dataSource.getMetadata(CredentialReadEntity).tablePath;
    this.recordRead = `INSERT INTO ${table} (workspace_id, connection_id, api_key_id, include_refresh_token, credential_version, read_at) VALUES ($1, $2, $3, $4, $5, now())`;
  }

  /**
   * No transaction around the common case: one load (and one decryption), the connector (kept in
   * memory), and the audit row as a single autocommitted INSERT, durable before the answer leaves.
   */
  async read(workspaceId: string, connectionId: string, apiKeyId: string, includeRefreshToken: boolean): Promise<CredentialResponse> {
    const manager = this.dataSource.manager;
    let entry = await this.vault.load(manager, connectionId, workspaceId);
    if (!entry) throw notFound('connection');
    if (await this.onDemand.refreshIfDue(entry, workspaceId)) entry = await this.vault.load(manager, connectionId, workspaceId);
    if (!entry) throw notFound('connection');
    const connector = await this.connectors.findCurrent(entry.connection.connectorId);
    const config = connector?.config ?? null;
    this.onDemand.assertUsable(entry, config);
    if (connector && config?.mode === 'OAUTH2' && config.grantType === 'client_credentials' && isRefreshDue(tokenLifetime(entry.connection), new Date())) {
      entry = await this.renewClientCredentials(connector, workspaceId, connectionId);
    }
    await manager.query(this.recordRead, [workspaceId, connectionId, apiKeyId, includeRefreshToken, entry.connection.credentialVersion]);
    return toCredentialResponse(entry.connection, entry.credential, config, includeRefreshToken);
  }

  /** A new client-credentials token under the row lock, unless a concurrent read got one first. */
  private renewClientCredentials(connector: LoadedConnector, workspaceId: string, connectionId: string): Promise<VaultEntry> {
    return this.dataSource.transaction(async (manager) => {
      const entry = await this.vault.loadForUpdate(manager, connectionId, workspaceId);
      if (!entry) throw notFound('connection');
      const config = connector.config;
      if (config.mode !== 'OAUTH2' || !isRefreshDue(tokenLifetime(entry.connection), new Date())) return entry;
      const values = { tenant: entry.connection.tenant, attributes: entry.connection.attributes };
      const result = await this.tokenEndpoint.request(connector, values, {
        grantType: 'client_credentials',
        ...(config.scopes.length ? { scope: config.scopes.join(config.scopeSeparator) } : {}),
      });
      if (!result.ok) {
        this.logger.warn(`client credentials token for connection ${connectionId} failed: ${result.code}`);
        throw new AppError('token_unavailable', describeTokenError(result), 502, { providerError: result.code }, { retriable: result.retriable });
      }
      const credential = oauthCredential(result, config.scopes, new Date(), this.tokenEndpoint.origins(connector, values));
      const connection = await this.vault.save(manager, {
        connectionId,
        workspaceId,
        connectorId: entry.connection.connectorId,
        connectorVersion: connector.entity.version,
        mode: 'OAUTH2',
        endUserId: entry.connection.endUserId,
        credential,
        expiresAt: credential.expiresAt,
        refreshable: false,
        refreshMarginSeconds: config.refreshMarginSeconds,
        reason: 'refresh',
      });
      await this.vault.announce(manager, connection, 'refresh');
      return { connection, credential };
    });
  }
}
