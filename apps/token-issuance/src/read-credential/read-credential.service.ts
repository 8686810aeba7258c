import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError, METRICS, notFound, schemaOf, ServiceMetrics } from '@cb/platform';
import { ConnectorStore } from '../connectors/connector-store';
import { CredentialVault } from '../credential-vault/credential-vault';
import { CredentialRefresher } from '../refresh-token/credential-refresher';
import { CredentialReadEntity } from './credential-read.entity';
import { CredentialResponse, toCredentialResponse } from './credential.mapper';
import { assertUsable } from './usable-credential';

/**
 * Hands a connection's credential to an authorized caller and records the read (who, when, which
 * connection; never the secret). A token that is due (the schedule's rule: the margin, capped at
 * half the lifetime) is renewed first, a client-credentials one without a user (refreshIfDue).
 */
@Injectable()
export class ReadCredentialService {
  private readonly recordRead: string;
  private readonly reads;
  /** Bound once: the served count is on the hot path. */
  private readonly served;

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: CredentialVault,
    private readonly connectors: ConnectorStore,
    private readonly refresher: CredentialRefresher,
    metrics: ServiceMetrics,
  ) {
    this.reads = metrics.counter(METRICS.credentialReads);
    this.served = this.reads.labels('served');
    this.recordRead = `INSERT INTO "${schemaOf(dataSource)}".${dataSource.getMetadata(CredentialReadEntity).tableName} (workspace_id, connection_id, api_key_id, include_refresh_token, credential_version, read_at) VALUES ($1, $2, $3, $4, $5, now())`;
  }

  /**
   * No transaction around the common case: one load (and one decryption), the connector (kept in
   * memory), and the audit row as a single autocommitted INSERT, durable before the answer leaves.
   */
  async read(workspaceId: string, connectionId: string, apiKeyId: string, includeRefreshToken: boolean): Promise<CredentialResponse> {
    try {
      const response = await this.readAndRecord(workspaceId, connectionId, apiKeyId, includeRefreshToken);
      this.served.inc();
      return response;
    } catch (error) {
      // A refusal's code is one of this service's own (bounded); anything else is an error.
      this.reads.inc({ outcome: error instanceof AppError ? error.code : 'error' });
      throw error;
    }
  }

  private async readAndRecord(workspaceId: string, connectionId: string, apiKeyId: string, includeRefreshToken: boolean): Promise<CredentialResponse> {
    const manager = this.dataSource.manager;
    let entry = await this.vault.load(manager, connectionId, workspaceId);
    if (!entry) throw notFound('connection');
    const connector = await this.connectors.findCurrent(entry.connection.connectorId);
    const config = connector?.config ?? null;
    const refresh = await this.refresher.refreshIfDue(entry, config, workspaceId);
    if (refresh) entry = refresh.outcome === 'refreshed' ? refresh.entry : await this.vault.load(manager, connectionId, workspaceId);
    if (!entry) throw notFound('connection');
    assertUsable(entry, config, refresh);
    await manager.query(this.recordRead, [workspaceId, connectionId, apiKeyId, includeRefreshToken, entry.connection.credentialVersion]);
    return toCredentialResponse(entry.connection, entry.credential, config, includeRefreshToken);
  }
}
