import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { DiscoveryError, updateClientRegistration, type RegisteredClient } from '@cb/oauth-client';
import { PeriodicTask } from '@cb/platform';
import { CONNECTOR_CONFIG_CONFIG, type ConnectorConfigConfig } from '../connector-config.config';
import { ConnectorSecrets } from '../connectors/connector-secrets';
import { ConnectorStore } from '../connectors/connector.store';
import { UpdateConnectorService } from '../update-connector/update-connector.service';
import { ClientRegistrationEntity } from './client-registration.entity';
import { ClientRegistrations } from './client-registrations';

/** Who the connector-changes audit names for a client the broker renewed itself. */
export const RENEWAL_ACTOR = 'system:client-registration';
const CLAIMED_AT_ONCE = 20;
const LEASE = '1 minute';

/**
 * Renews the secrets of clients the broker registered (RFC 7591) before they expire
 * (`client_secret_expires_at`), two thirds of the way through their life:
 *
 * 1. RFC 7592: the registration is read and sent back without the secret; a server that rotates
 *    secrets answers with a new one and a later expiry. The client id stays, so every connection's
 *    refresh token keeps working.
 * 2. Otherwise (no registration management, a refused update, or no new secret) the broker registers a new client and
 *    the connector moves to it. New connections work; connections made with the old client fail
 *    their next refresh and ask for a reconnect, as they would once its secret expired.
 *
 * The connector's new client is stored, audited and announced like an admin's change. One instance
 * renews a registration at a time (a lease); a failure is logged and retried when the lease ends.
 */
@Injectable()
export class RegistrationRenewal implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RegistrationRenewal.name);
  private readonly task: PeriodicTask;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONNECTOR_CONFIG_CONFIG) private readonly config: ConnectorConfigConfig,
    private readonly registrations: ClientRegistrations,
    private readonly store: ConnectorStore,
    private readonly secrets: ConnectorSecrets,
    private readonly updater: UpdateConnectorService,
  ) {
    this.task = new PeriodicTask(() => this.renewDue(), config.registrationRenewalIntervalMs, (error) =>
      this.logger.warn({ err: error.message }, 'could not look for client registrations to renew'),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.task.stop();
  }

  /** Renews every registration whose secret is due, one after another. */
  async renewDue(): Promise<void> {
    for (const registration of await this.claimDue()) {
      if (this.stopped) return;
      await this.renew(registration).catch((error: unknown) =>
        this.logger.warn({ connectorId: registration.connectorId, err: (error as Error).message }, 'could not renew a registered client; tried again when its lease ends'),
      );
    }
  }

  private claimDue(): Promise<ClientRegistrationEntity[]> {
    return this.dataSource.transaction(async (manager) => {
      const due = await manager
        .createQueryBuilder(ClientRegistrationEntity, 'r')
        .where('r.client_secret_expires_at IS NOT NULL')
        .andWhere('now() >= r.secret_issued_at + (r.client_secret_expires_at - r.secret_issued_at) * (2.0 / 3)')
        .andWhere('(r.renewal_lease_until IS NULL OR r.renewal_lease_until < now())')
        .orderBy('r.client_secret_expires_at')
        .limit(CLAIMED_AT_ONCE)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (due.length > 0) await manager.update(ClientRegistrationEntity, { connectorId: In(due.map((row) => row.connectorId)) }, { renewalLeaseUntil: () => `now() + interval '${LEASE}'` });
      return due;
    });
  }

  private async renew(registration: ClientRegistrationEntity): Promise<void> {
    const updated = await this.updated(registration);
    if (updated !== undefined) {
      await this.apply(registration, updated);
      this.logger.log({ connectorId: registration.connectorId, clientSecretExpiresAt: updated.clientSecretExpiresAt }, 'renewed the secret of a registered client (RFC 7592)');
      return;
    }
    if (this.config.oauthRedirectUri === undefined) {
      this.logger.warn({ connectorId: registration.connectorId }, 'a registered client secret is expiring and OAUTH_REDIRECT_URI is not set, so no new client can be registered');
      return;
    }
    const connector = await this.store.findOrFail(this.dataSource.manager, registration.workspaceId, registration.connectorId);
    const registered = await this.registrations.register(registration.registrationEndpoint, connector.name, (connector.config as { clientAuthMethod?: unknown }).clientAuthMethod);
    await this.apply(registration, registered);
    this.logger.warn({ connectorId: registration.connectorId, clientSecretExpiresAt: registered.clientSecretExpiresAt }, 'registered a new client for a connector whose client secret could not be renewed; its earlier connections must reconnect');
    await this.registrations.unregister(registration);
  }

  /** RFC 7592's answer when it carries a secret that lives longer than the one held; `undefined` otherwise. */
  private async updated(registration: ClientRegistrationEntity): Promise<RegisteredClient | undefined> {
    const token = this.registrations.accessToken(registration);
    if (registration.registrationClientUri === null || token === undefined) return undefined;
    try {
      const answer = await updateClientRegistration(registration.registrationClientUri, token, { outbound: this.config.outbound, timeoutMs: this.config.discoveryTimeoutMs });
      const expiresAt = answer.clientSecretExpiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
      return answer.clientSecret !== undefined && expiresAt > (registration.clientSecretExpiresAt?.getTime() ?? 0) ? answer : undefined;
    } catch (error) {
      // only a refusal moves the connector to a new client: an outage is waited out (the lease ends, the renewal runs again)
      if (!(error instanceof DiscoveryError) || error.problem !== 'registration_failed') throw error;
      this.logger.warn({ connectorId: registration.connectorId, err: error.message }, 'the server refused to renew the registered client; registering a new one');
      return undefined;
    }
  }

  /** The connector takes the client (same or new id, new secret) and the registration row its new expiry, in one transaction. */
  private async apply(registration: ClientRegistrationEntity, client: RegisteredClient): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const connector = await this.store.findOrFail(manager, registration.workspaceId, registration.connectorId, { lock: true });
      const stored = this.secrets.open(connector.id, connector.sealedSecrets);
      const { clientSecret: _old, ...others } = stored;
      const secrets = client.clientSecret === undefined ? others : { ...others, clientSecret: client.clientSecret };
      const config = { ...connector.config, clientId: client.clientId } as typeof connector.config;
      await this.updater.save(manager, connector, { slug: connector.slug, name: connector.name, config, secrets }, stored, RENEWAL_ACTOR);
      await this.registrations.renewed(manager, registration.connectorId, client);
    });
  }
}
