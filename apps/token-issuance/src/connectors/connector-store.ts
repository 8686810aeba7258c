import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
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
    if (!entity) return null;
    return {
      entity,
      config: entity.config as unknown as AuthConfig,
      clientSecret: () => (entity.sealedClientSecret ? this.keyring.open(entity.sealedClientSecret, clientSecretContext(entity.connectorId)) : undefined),
      secretFieldDefaults: () =>
        Object.fromEntries(Object.entries(entity.sealedFieldDefaults).map(([key, sealed]) => [key, this.keyring.open(sealed, fieldDefaultContext(entity.connectorId, key))])),
    };
  }
}
