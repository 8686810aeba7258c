import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { deleteClientRegistration, DiscoveryError, registerClient, type RegisteredClient } from '@cb/oauth-client';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { CONNECTOR_CONFIG_CONFIG, type ConnectorConfigConfig } from '../connector-config.config';
import { discoveryFailed } from '../connector-config.errors';
import { ClientRegistrationEntity } from './client-registration.entity';

/** The clients the broker registered for connectors (RFC 7591), and their removal (RFC 7592). */
@Injectable()
export class ClientRegistrations {
  private readonly logger = new Logger(ClientRegistrations.name);

  constructor(
    @Inject(CONNECTOR_CONFIG_CONFIG) private readonly config: ConnectorConfigConfig,
    @Inject(KEYRING) private readonly keyring: Keyring,
  ) {}

  /**
   * Registers a client for a connector named `name` at `endpoint` (RFC 7591), redirecting to the
   * broker's callback. Without `scope`: servers check it against their own list, which often
   * leaves out a resource's scopes; the scopes are asked for at authorization.
   */
  async register(endpoint: string, name: string, clientAuthMethod: unknown): Promise<RegisteredClient> {
    try {
      return await registerClient(
        endpoint,
        {
          redirectUris: [this.config.oauthRedirectUri as string],
          clientName: `Credential Broker: ${name}`.slice(0, 200),
          tokenEndpointAuthMethod: clientAuthMethod === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
        },
        { outbound: this.config.outbound, timeoutMs: this.config.discoveryTimeoutMs },
      );
    } catch (error) {
      if (error instanceof DiscoveryError) throw discoveryFailed(error.problem, error.message);
      throw error;
    }
  }

  async record(manager: EntityManager, connectorId: string, workspaceId: string, endpoint: string, registered: RegisteredClient): Promise<void> {
    const now = new Date();
    await manager.insert(ClientRegistrationEntity, { connectorId, workspaceId, registrationEndpoint: endpoint, ...this.managed(connectorId, registered), registeredAt: now, secretIssuedAt: now, renewalLeaseUntil: null });
  }

  /** After a renewal: the secret's new expiry, and what managing the client takes now (a server may rotate the registration access token). */
  async renewed(manager: EntityManager, connectorId: string, registered: RegisteredClient): Promise<void> {
    await manager.update(ClientRegistrationEntity, { connectorId }, { ...this.managed(connectorId, registered), secretIssuedAt: new Date(), renewalLeaseUntil: null });
  }

  private managed(connectorId: string, registered: RegisteredClient): Pick<ClientRegistrationEntity, 'registrationClientUri' | 'sealedRegistrationAccessToken' | 'clientSecretExpiresAt'> {
    return {
      registrationClientUri: registered.registrationClientUri ?? null,
      sealedRegistrationAccessToken: registered.registrationAccessToken === undefined ? null : this.keyring.seal(registered.registrationAccessToken, registrationTokenContext(connectorId)),
      clientSecretExpiresAt: registered.clientSecretExpiresAt ?? null,
    };
  }

  /** The registration access token, opened; `undefined` when the server issued none. */
  accessToken(registration: ClientRegistrationEntity): string | undefined {
    const sealed = registration.sealedRegistrationAccessToken;
    return sealed === null ? undefined : this.keyring.open(sealed, registrationTokenContext(registration.connectorId));
  }

  /** The connector's registration, read before the connector (and with it the row) is deleted. */
  find(manager: EntityManager, connectorId: string): Promise<ClientRegistrationEntity | null> {
    return manager.findOneBy(ClientRegistrationEntity, { connectorId });
  }

  /** Deletes the client at the server, once its connector is gone; a failure is logged, the connector stays deleted. */
  async unregister(registration: ClientRegistrationEntity): Promise<void> {
    const { connectorId, registrationClientUri } = registration;
    const token = this.accessToken(registration);
    if (registrationClientUri === null || token === undefined) return;
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
