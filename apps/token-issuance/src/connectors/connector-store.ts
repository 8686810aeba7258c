import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import type { AuthConfig } from '@cb/auth-modes';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { clientSecretContext, ConnectorEntity, fieldDefaultContext } from './connector.entity';

export interface LoadedConnector {
  entity: ConnectorEntity;
  config: AuthConfig;
  /** Opens the sealed client secret; undefined for a public client. */
  clientSecret(): string | undefined;
  /** Opens the sealed defaults of password fields, by field key. */
  secretFieldDefaults(): Record<string, string>;
}

/** Reads the connector projection; the refresh use case needs the same (token URL, client auth). */
@Injectable()
export class ConnectorStore {
  constructor(@Inject(KEYRING) private readonly keyring: Keyring) {}

  async find(manager: EntityManager, connectorId: string): Promise<LoadedConnector | null> {
    const entity = await manager.getRepository(ConnectorEntity).findOne({ where: { connectorId } });
    return entity ? this.loaded(entity, entity.config) : null;
  }

  /**
   * The connector as it was at `version` (a connect session's), with the current secrets: the
   * URLs, client authentication and paths of that version, so that a connector changed during
   * the session cannot send the session's code elsewhere. `not_yet` while this projection has not
   * seen that version; `unknown` when it never will (activated before versions were kept).
   */
  async findVersion(manager: EntityManager, connectorId: string, version: number): Promise<LoadedConnector | 'not_yet' | 'unknown'> {
    const latest = await manager.getRepository(ConnectorEntity).findOne({ where: { connectorId } });
    if (!latest || latest.version < version) return 'not_yet';
    if (latest.version === version) return this.loaded(latest, latest.config);
    const rows: Array<{ config: Record<string, unknown> }> = await manager.query(
      `SELECT config FROM "${(manager.connection.options as PostgresConnectionOptions).schema ?? 'public'}".connector_versions WHERE connector_id = $1 AND version = $2`,
      [connectorId, version],
    );
    const config = rows[0]?.config;
    return config ? this.loaded({ ...latest, version }, config) : 'unknown';
  }

  private loaded(entity: ConnectorEntity, config: Record<string, unknown>): LoadedConnector {
    return {
      entity,
      config: config as unknown as AuthConfig,
      clientSecret: () => (entity.sealedClientSecret ? this.keyring.open(entity.sealedClientSecret, clientSecretContext(entity.connectorId)) : undefined),
      secretFieldDefaults: () =>
        Object.fromEntries(Object.entries(entity.sealedFieldDefaults).map(([key, sealed]) => [key, this.keyring.open(sealed, fieldDefaultContext(entity.connectorId, key))])),
    };
  }
}
