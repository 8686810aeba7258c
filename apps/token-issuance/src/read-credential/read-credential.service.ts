import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError, GroupedWrites, METRICS, notFound, schemaOf, ServiceMetrics } from '@cb/platform';
import { ConnectorStore } from '../connectors/connector-store';
import { CredentialVault } from '../credential-vault/credential-vault';
import { CurrentCredentials } from '../credential-vault/current-credentials';
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
export class ReadCredentialService implements OnApplicationShutdown {
  private readonly recordReads: string;
  private readonly audit: GroupedWrites<CredentialReadRow>;
  private readonly reads;
  /** Bound once: the served count is on the hot path. */
  private readonly served;

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: CredentialVault,
    private readonly current: CurrentCredentials,
    private readonly connectors: ConnectorStore,
    private readonly refresher: CredentialRefresher,
    metrics: ServiceMetrics,
  ) {
    this.reads = metrics.counter(METRICS.credentialReads);
    this.served = this.reads.labels('served');
    this.recordReads = `INSERT INTO "${schemaOf(dataSource)}".${dataSource.getMetadata(CredentialReadEntity).tableName} (workspace_id, connection_id, api_key_id, include_refresh_token, credential_version, read_at)
      SELECT *, now() FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::boolean[], $5::int[])`;
    this.audit = new GroupedWrites((rows) => this.insert(rows));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.audit.drained();
  }

  /**
   * No transaction around the common case: the connection and the connector (both kept in memory
   * while this instance follows their changes), one decryption, and the audit row, durable before
   * the answer leaves: reads that finish while a group of rows is being written go together in the
   * next autocommitted INSERT.
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
    let entry = await this.current.load(connectionId, workspaceId);
    if (!entry) throw notFound('connection');
    const connector = await this.connectors.findCurrent(entry.connection.connectorId);
    const config = connector?.config ?? null;
    const refresh = await this.refresher.refreshIfDue(entry, config, workspaceId);
    if (refresh) entry = refresh.outcome === 'refreshed' ? refresh.entry : await this.vault.load(this.dataSource.manager, connectionId, workspaceId);
    if (!entry) throw notFound('connection');
    assertUsable(entry, config, refresh);
    await this.audit.add({ workspaceId, connectionId, apiKeyId, includeRefreshToken, credentialVersion: entry.connection.credentialVersion });
    return toCredentialResponse(entry.connection, entry.credential, config, includeRefreshToken);
  }

  private async insert(rows: CredentialReadRow[]): Promise<void> {
    const column = <K extends keyof CredentialReadRow>(key: K): Array<CredentialReadRow[K]> => rows.map((row) => row[key]);
    await this.dataSource.query(this.recordReads, [column('workspaceId'), column('connectionId'), column('apiKeyId'), column('includeRefreshToken'), column('credentialVersion')]);
  }
}

interface CredentialReadRow {
  workspaceId: string;
  connectionId: string;
  apiKeyId: string;
  includeRefreshToken: boolean;
  credentialVersion: number;
}
