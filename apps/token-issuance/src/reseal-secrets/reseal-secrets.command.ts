import { resealOutbox } from '@cb/messaging';
import { ResealCommand, resealRows } from '@cb/service-runtime';
import { keyIdOf } from '@cb/vault-crypto';
import { clientSecretContext, ConnectorEntity, fieldDefaultContext } from '../connectors/connector.entity';
import { connectionContext, ConnectionEntity } from '../credential-vault/connection.entity';
import { ENTITIES, SCHEMA } from '../token-issuance.module';

/** token-issuance's sealed values: the vault's credentials, the connector projection's secrets, its outbox. */
export const resealTokenIssuance: ResealCommand = {
  serviceName: 'token-issuance',
  schema: SCHEMA,
  entities: ENTITIES,
  async reseal(dataSource, keyring) {
    const reseal = (sealed: string, context: string): string => (keyring.needsRotation(sealed) ? keyring.seal(keyring.open(sealed, context), context) : sealed);
    const connections = await resealRows(dataSource, {
      entity: ConnectionEntity,
      id: 'id',
      needsRotation: (row) => keyring.needsRotation(row.sealedCredential),
      reseal: (row) => {
        const sealedCredential = reseal(row.sealedCredential, connectionContext(row.id));
        return { sealedCredential, credentialKeyId: keyIdOf(sealedCredential) ?? keyring.primaryKeyId };
      },
    });
    const connectors = await resealRows(dataSource, {
      entity: ConnectorEntity,
      id: 'connectorId',
      needsRotation: (row) => (row.sealedClientSecret !== null && keyring.needsRotation(row.sealedClientSecret)) || Object.values(row.sealedFieldDefaults).some((s) => keyring.needsRotation(s)),
      reseal: (row) => ({
        sealedClientSecret: row.sealedClientSecret === null ? null : reseal(row.sealedClientSecret, clientSecretContext(row.connectorId)),
        sealedFieldDefaults: Object.fromEntries(Object.entries(row.sealedFieldDefaults).map(([key, sealed]) => [key, reseal(sealed, fieldDefaultContext(row.connectorId, key))])),
      }),
    });
    return { connections, connectors, outbox: await resealOutbox(dataSource, SCHEMA, keyring) };
  },
};
