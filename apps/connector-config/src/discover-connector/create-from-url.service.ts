import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { clientMetadataDocumentUrl } from '@cb/oauth-client';
import { CONNECTOR_CONFIG_CONFIG, type ConnectorConfigConfig } from '../connector-config.config';
import { clientRegistrationRequired } from '../connector-config.errors';
import type { ConnectorResponse } from '../connectors/connector.mapper';
import { ConnectorStore } from '../connectors/connector.store';
import { checkEnvelope, failIfAny } from '../connectors/request-validation';
import { CreateConnectorService } from '../create-connector/create-connector.service';
import { ClientRegistrations } from './client-registrations';
import { CreateFromUrlRequestDto } from './discover-connector.request.dto';
import { DiscoverConnectorService } from './discover-connector.service';

export type RegistrationMethod = 'pre_registered' | 'client_id_metadata_document' | 'dynamic';

export interface CreatedFromUrl extends ConnectorResponse {
  registration: { method: RegistrationMethod; clientSecretExpiresAt: string | null };
}

/**
 * A draft connector from one URL: discovered again here (nothing the caller says about the server
 * is trusted), with its client in the MCP authorization specification's order: the one the admin
 * registered; the workspace's Client ID Metadata Document where the server accepts them; one the
 * broker registers itself (RFC 7591) where the server has a registration endpoint; otherwise the
 * admin is asked, with why.
 */
@Injectable()
export class CreateFromUrlService {
  private readonly logger = new Logger(CreateFromUrlService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONNECTOR_CONFIG_CONFIG) private readonly config: ConnectorConfigConfig,
    private readonly registrations: ClientRegistrations,
    private readonly store: ConnectorStore,
    private readonly discovery: DiscoverConnectorService,
    private readonly creator: CreateConnectorService,
  ) {}

  async create(workspaceId: string, body: unknown, actor: string): Promise<CreatedFromUrl> {
    const { value, problems } = checkEnvelope(CreateFromUrlRequestDto, body);
    if (value.slug === undefined) problems.push({ path: 'slug', message: 'slug is required' });
    if (value.name === undefined) problems.push({ path: 'name', message: 'name is required' });
    failIfAny(problems);
    const { url, slug, name, clientId, clientSecret, scopes } = value as CreateFromUrlRequestDto & { slug: string; name: string };
    // before anything is registered at the provider
    await this.store.assertSlugFree(this.dataSource.manager, workspaceId, slug);
    const discovered = await this.discovery.discoverUrl(url);
    const draft = { ...discovered.draft, ...(scopes === undefined ? {} : { scopes }) };

    if (clientId !== undefined) {
      const connector = await this.creator.create(workspaceId, { slug, name, config: { ...draft, clientId, ...(clientSecret === undefined ? {} : { clientSecret }) } }, actor);
      return { ...connector, registration: { method: 'pre_registered', clientSecretExpiresAt: null } };
    }
    if (discovered.registration.clientIdMetadataDocumentSupported && this.config.publicBaseUrl !== undefined) {
      // a public client whose id is the URL of the workspace's metadata document, which the server fetches
      const documentClientId = clientMetadataDocumentUrl(this.config.publicBaseUrl, workspaceId);
      const connector = await this.creator.create(workspaceId, { slug, name, config: { ...draft, clientId: documentClientId } }, actor);
      return { ...connector, registration: { method: 'client_id_metadata_document', clientSecretExpiresAt: null } };
    }
    const endpoint = discovered.registration.registrationEndpoint;
    if (endpoint === null) throw clientRegistrationRequired(`the server offers no dynamic client registration: ${discovered.registration.reason}`);
    if (this.config.oauthRedirectUri === undefined) throw clientRegistrationRequired('OAUTH_REDIRECT_URI is not set for connector-config, so the broker cannot register a client; give clientId');

    const registered = await this.registrations.register(endpoint, name, (draft as Record<string, unknown>).clientAuthMethod);
    const config = { ...draft, clientId: registered.clientId, ...(registered.clientSecret === undefined ? {} : { clientSecret: registered.clientSecret }) };
    const connector = await this.creator.create(workspaceId, { slug, name, config }, actor, (manager, connectorId) => this.registrations.record(manager, connectorId, workspaceId, endpoint, registered));
    this.logger.log({ connectorId: connector.id, registrationEndpoint: new URL(endpoint).origin }, 'registered a client for a connector');
    return { ...connector, registration: { method: 'dynamic', clientSecretExpiresAt: registered.clientSecretExpiresAt?.toISOString() ?? null } };
  }
}
