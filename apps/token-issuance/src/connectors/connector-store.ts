import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthConfig } from '@cb/auth-modes';
import { ChangeFollowingCache, EntityRowReader, schemaOf } from '@cb/platform';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { TOKEN_ISSUANCE_CONFIG, TokenIssuanceConfig } from '../token-issuance.config';
import { clientSecretContext, ConnectorEntity, fieldDefaultContext } from './connector.entity';

export interface LoadedConnector {
  entity: ConnectorEntity;
  config: AuthConfig;
  /** Opens the sealed client secret; undefined for a public client. */
  clientSecret(): string | undefined;
  /** Opens the sealed defaults of password fields, by field key. */
  secretFieldDefaults(): Record<string, string>;
}

/**
 * Reads the connector projection; the refresh use case needs the same (token URL, client auth).
 * Credential reads take the connector from memory (`findCurrent`), kept while this instance follows
 * `<schema>.connectors_changed`, which a trigger sends on every change of the projection.
 */
@Injectable()
export class ConnectorStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConnectorStore.name);
  private readonly current: ChangeFollowingCache<ConnectorEntity>;
  private readonly byId: EntityRowReader<ConnectorEntity>;

  constructor(
    @Inject(KEYRING) private readonly keyring: Keyring,
    private readonly dataSource: DataSource,
    @Inject(TOKEN_ISSUANCE_CONFIG) config: TokenIssuanceConfig,
  ) {
    this.byId = new EntityRowReader(dataSource, ConnectorEntity, 'connector_id = $1');
    this.current = new ChangeFollowingCache({
      databaseUrl: config.databaseUrl,
      applicationName: `${config.serviceName}-connector-changes`,
      channel: `${schemaOf(dataSource)}.connectors_changed`,
      keptMs: 60_000,
      limit: 10_000,
      onListenFailure: (error) => this.logger.warn({ err: error.message }, 'cannot follow connector changes; credential reads load the connector meanwhile'),
    });
  }

  onApplicationBootstrap(): void {
    this.current.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.current.stop();
  }

  /** The latest connector, outside any transaction, from memory when it can be. */
  async findCurrent(connectorId: string): Promise<LoadedConnector | null> {
    const entity = await this.current.get(connectorId, () => this.byId.one(this.dataSource.manager, [connectorId]));
    return entity ? this.loaded(entity, entity.config) : null;
  }

  async find(manager: EntityManager, connectorId: string): Promise<LoadedConnector | null> {
    const entity = await this.byId.one(manager, [connectorId]);
    return entity ? this.loaded(entity, entity.config) : null;
  }

  /**
   * The connector as it was at `version` (a connect session's), with the current secrets: the
   * URLs, client authentication and paths of that version, so that a connector changed during
   * the session cannot send the session's code elsewhere. `not_yet` while this projection has not
   * seen that version; `unknown` when it never will (activated before versions were kept).
   */
  async findVersion(manager: EntityManager, connectorId: string, version: number): Promise<LoadedConnector | 'not_yet' | 'unknown'> {
    const latest = await this.byId.one(manager, [connectorId]);
    if (!latest || latest.version < version) return 'not_yet';
    if (latest.version === version) return this.loaded(latest, latest.config);
    // connector_versions keeps each version's configuration as ConnectorActivated carried it
    const rows: Array<{ config: AuthConfig }> = await manager.query(
      `SELECT config FROM "${schemaOf(manager)}".connector_versions WHERE connector_id = $1 AND version = $2`,
      [connectorId, version],
    );
    const config = rows[0]?.config;
    return config ? this.loaded({ ...latest, version }, config) : 'unknown';
  }

  private loaded(entity: ConnectorEntity, config: AuthConfig): LoadedConnector {
    return {
      entity,
      config,
      clientSecret: () => (entity.sealedClientSecret ? this.keyring.open(entity.sealedClientSecret, clientSecretContext(entity.connectorId)) : undefined),
      secretFieldDefaults: () =>
        Object.fromEntries(Object.entries(entity.sealedFieldDefaults).map(([key, sealed]) => [key, this.keyring.open(sealed, fieldDefaultContext(entity.connectorId, key))])),
    };
  }
}
