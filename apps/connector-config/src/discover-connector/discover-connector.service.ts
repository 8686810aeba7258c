import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { discover, DiscoveryError, documentFetcher, type DocumentFetcher } from '@cb/oauth-client';
import { CONNECTOR_CONFIG_CONFIG, type ConnectorConfigConfig } from '../connector-config.config';
import { discoveryFailed, rediscoveryUnavailable } from '../connector-config.errors';
import { ConnectorStore } from '../connectors/connector.store';
import { checkEnvelope, failIfAny } from '../connectors/request-validation';
import { connectorDraft, type DiscoveredConnector } from './connector-draft';
import { discoveredChanges, rediscoveryUrl, type DiscoveredChange } from './discovered-changes';
import { DiscoverConnectorRequestDto, RediscoverConnectorRequestDto } from './discover-connector.request.dto';

/**
 * Reads what an issuer or an MCP server publishes about its authorization (RFC 8414, OpenID
 * Connect Discovery, RFC 9728) and answers a connector draft. Every request goes through the
 * outbound policy, with https in production, no redirects, a size and a time limit.
 */
@Injectable()
export class DiscoverConnectorService {
  private readonly fetchDocument: DocumentFetcher;

  constructor(
    @Inject(CONNECTOR_CONFIG_CONFIG) private readonly config: ConnectorConfigConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: ConnectorStore,
  ) {
    this.fetchDocument = documentFetcher({ outbound: config.outbound, timeoutMs: config.discoveryTimeoutMs });
  }

  async discover(body: unknown): Promise<DiscoveredConnector> {
    const { value, problems } = checkEnvelope(DiscoverConnectorRequestDto, body);
    failIfAny(problems);
    return this.discoverUrl(value.url);
  }

  /** An OAuth 2.0 connector's server read again: what it publishes now, and where that differs from the connector. Nothing changes. */
  async rediscover(workspaceId: string, connectorId: string, body: unknown): Promise<DiscoveredConnector & { changes: DiscoveredChange[] }> {
    const { value, problems } = checkEnvelope(RediscoverConnectorRequestDto, body ?? {});
    failIfAny(problems);
    const connector = await this.store.findOrFail(this.dataSource.manager, workspaceId, connectorId);
    if (connector.config.mode !== 'OAUTH2') throw rediscoveryUnavailable('only an OAuth 2.0 connector has a server to discover');
    const url = value.url ?? rediscoveryUrl(connector.config);
    if (url === undefined) throw rediscoveryUnavailable('the connector has no resource, issuer or fixed authorization URL to discover from; give url');
    const discovered = await this.discoverUrl(url);
    return { ...discovered, changes: discoveredChanges(connector.config, discovered.draft) };
  }

  async discoverUrl(url: string): Promise<DiscoveredConnector> {
    try {
      return connectorDraft(await discover(url, this.fetchDocument, { requireHttps: this.config.runMode === 'production' }));
    } catch (error) {
      if (error instanceof DiscoveryError) throw discoveryFailed(error.problem, error.message);
      throw error;
    }
  }
}
