import { resealOutbox } from '@cb/messaging';
import { ResealCommand, resealRows } from '@cb/service-runtime';
import { ConnectorVersionEntity } from '../connectors/connector-version.entity';
import { ConnectorEntity } from '../connectors/connector.entity';
import { ConnectorSecrets } from '../connectors/connector-secrets';
import { ClientRegistrationEntity } from '../discover-connector/client-registration.entity';
import { registrationTokenContext } from '../discover-connector/client-registrations';
import { resealWebhookSecrets } from '../webhooks/endpoints/reseal-webhook-secrets';

/** connector-config's sealed values: each connector's secrets, registration access tokens, webhook signing secrets, and secrets in its outbox's events. */
export const resealConnectorConfig: ResealCommand = {
  serviceName: 'connector-config',
  schema: 'connector_config',
  entities: [ConnectorEntity, ConnectorVersionEntity, ClientRegistrationEntity],
  async reseal(dataSource, keyring) {
    const secrets = new ConnectorSecrets(keyring);
    const connectors = await resealRows(dataSource, {
      entity: ConnectorEntity,
      id: 'id',
      needsRotation: (row) => Object.values(row.sealedSecrets).some((sealed) => keyring.needsRotation(sealed)),
      reseal: (row) => ({ sealedSecrets: secrets.seal(row.id, secrets.open(row.id, row.sealedSecrets)) }),
    });
    const registrations = await resealRows(dataSource, {
      entity: ClientRegistrationEntity,
      id: 'connectorId',
      needsRotation: (row) => row.sealedRegistrationAccessToken !== null && keyring.needsRotation(row.sealedRegistrationAccessToken),
      reseal: (row) => {
        const context = registrationTokenContext(row.connectorId);
        return { sealedRegistrationAccessToken: keyring.seal(keyring.open(row.sealedRegistrationAccessToken as string, context), context) };
      },
    });
    return { connectors, client_registrations: registrations, webhook_endpoints: await resealWebhookSecrets(dataSource, keyring, 'connector_config'), outbox: await resealOutbox(dataSource, 'connector_config', keyring) };
  },
};
