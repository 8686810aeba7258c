import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { deleteClientRegistration, type RegisteredClient } from '@cb/oauth-client';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { CONNECTOR_CONFIG_CONFIG, type ConnectorConfigConfig } from '../connector-config.config';
import { ClientRegistrationEntity } from './client-registration.entity';

/** The clients the broker registered for connectors (RFC 7591), and their removal (RFC 7592). */
@Injectable()
export class ClientRegistrations {
  private readonly logger = new Logger(ClientRegistrations.name);

  constructor(
    @Inject(CONNECTOR_CONFIG_CONFIG) private readonly config: ConnectorConfigConfig,
    @Inject(KEYRING) private readonly keyring: Keyring,
  ) {}

  async record(manager: EntityManager, connectorId: string, workspaceId: string, endpoint: string, registered: RegisteredClient): Promise<void> {
    await manager.insert(ClientRegistrationEntity, {
      connectorId,
      workspaceId,
      registrationEndpoint: endpoint,
      registrationClientUri: registered.registrationClientUri ?? null,
      sealedRegistrationAccessToken: registered.registrationAccessToken === undefined ? null : this.keyring.seal(registered.registrationAccessToken, registrationTokenContext(connectorId)),
      clientSecretExpiresAt: registered.clientSecretExpiresAt ?? null,
      registeredAt: new Date(),
    });
  }

  /** The connector's registration, read before the connector (and with it the row) is deleted. */
  find(manager: EntityManager, connectorId: string): Promise<ClientRegistrationEntity | null> {
    return manager.findOneBy(ClientRegistrationEntity, { connectorId });
  }

  /** Deletes the client at the server, once its connector is gone; a failure is logged, the connector stays deleted. */
  async unregister(registration: ClientRegistrationEntity): Promise<void> {
    const { connectorId, registrationClientUri, sealedRegistrationAccessToken } = registration;
    if (registrationClientUri === null || sealedRegistrationAccessToken === null) return;
    const token = this.keyring.open(sealedRegistrationAccessToken, registrationTokenContext(connectorId));
    const deleted = await deleteClientRegistration(registrationClientUri, token, { outbound: this.config.outbound, timeoutMs: this.config.discoveryTimeoutMs });
    const origin = new URL(registrationClientUri).origin;
    if (deleted) this.logger.log({ connectorId, server: origin }, 'deleted the client registered for a deleted connector');
    else this.logger.warn({ connectorId, server: origin }, 'could not delete the client registered for a deleted connector; delete it at the server');
  }
}

/** The AAD a registration access token is sealed with. */
export function registrationTokenContext(connectorId: string): string {
  return `client_registrations:${connectorId}:registrationAccessToken`;
}
