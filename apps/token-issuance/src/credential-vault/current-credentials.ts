import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChangeFollowingCache, EntityRowReader, schemaOf } from '@cb/platform';
import { TOKEN_ISSUANCE_CONFIG, type TokenIssuanceConfig } from '../token-issuance.config';
import { ConnectionEntity } from './connection.entity';
import { CredentialVault, type VaultEntry } from './credential-vault';

/**
 * The connection rows that credential reads and proxied calls start from, kept in memory (sealed,
 * opened on every use) while this instance follows `<schema>.connections_changed`, which a trigger
 * sends on every update or deletion of a connection, whoever commits it. Anything that decides
 * under a lock (a refresh, a reconnect) reads the row itself in its transaction.
 */
@Injectable()
export class CurrentCredentials implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CurrentCredentials.name);
  private readonly rows: ChangeFollowingCache<ConnectionEntity>;
  private readonly byId: EntityRowReader<ConnectionEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: CredentialVault,
    @Inject(TOKEN_ISSUANCE_CONFIG) config: TokenIssuanceConfig,
  ) {
    this.byId = new EntityRowReader(dataSource, ConnectionEntity, 'id = $1');
    this.rows = new ChangeFollowingCache({
      databaseUrl: config.databaseUrl,
      applicationName: `${config.serviceName}-connection-changes`,
      channel: `${schemaOf(dataSource)}.connections_changed`,
      keptMs: 60_000,
      limit: 10_000,
      onListenFailure: (error) => this.logger.warn({ err: error.message }, 'cannot follow connection changes; credential reads load the connection meanwhile'),
    });
  }

  onApplicationBootstrap(): void {
    this.rows.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rows.stop();
  }

  /** A workspace's connection, opened, outside any transaction; null when the workspace has no such connection. */
  async load(connectionId: string, workspaceId: string): Promise<VaultEntry | null> {
    const connection = await this.rows.get(connectionId, async () => freeze(await this.byId.one(this.dataSource.manager, [connectionId])));
    if (connection?.workspaceId !== workspaceId) return null;
    return { connection, credential: this.vault.open(connection) };
  }
}

/** A kept row is shared by every caller: nobody may change it. */
function freeze(connection: ConnectionEntity | null): ConnectionEntity | null {
  return connection ? Object.freeze(connection) : null;
}
