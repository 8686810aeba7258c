import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { notFound, schemaOf } from '@cb/platform';
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

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: CredentialVault,
    private readonly connectors: ConnectorStore,
    private readonly refresher: CredentialRefresher,
  ) {
    this.recordRead = `INSERT INTO "${schemaOf(dataSource)}".${dataSource.getMetadata(CredentialReadEntity).tableName} (workspace_id, connection_id, api_key_id, include_refresh_token, credential_version, read_at) VALUES ($1, $2, $3, $4, $5, now())`;
  }

  /**
   * No transaction around the common case: one load (and one decryption), the connector (kept in
   * memory), and the audit row as a single autocommitted INSERT, durable before the answer leaves.
   */
  async read(workspaceId: string, connectionId: string, apiKeyId: string, includeRefreshToken: boolean): Promise<CredentialResponse> {
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
