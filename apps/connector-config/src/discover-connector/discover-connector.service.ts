import { Inject, Injectable } from '@nestjs/common';
import { discover, DiscoveryError, documentFetcher, type DocumentFetcher } from '@cb/oauth-client';
import { CONNECTOR_CONFIG_CONFIG, type ConnectorConfigConfig } from '../connector-config.config';
import { discoveryFailed } from '../connector-config.errors';
import { checkEnvelope, failIfAny } from '../connectors/request-validation';
import { connectorDraft, type DiscoveredConnector } from './connector-draft';
import { DiscoverConnectorRequestDto } from './discover-connector.request.dto';

/**
 * Reads what an issuer or an MCP server publishes about its authorization (RFC 8414, OpenID
 * Connect Discovery, RFC 9728) and answers a connector draft. Every request goes through the
 * outbound policy, with https in production, no redirects, a size and a time limit.
 */
@Injectable()
export class DiscoverConnectorService {
  private readonly fetchDocument: DocumentFetcher;

  constructor(@Inject(CONNECTOR_CONFIG_CONFIG) private readonly config: ConnectorConfigConfig) {
    this.fetchDocument = documentFetcher({ outbound: config.outbound, timeoutMs: config.discoveryTimeoutMs });
  }

  async discover(body: unknown): Promise<DiscoveredConnector> {
    const { value, problems } = checkEnvelope(DiscoverConnectorRequestDto, body);
    failIfAny(problems);
    try {
      return connectorDraft(await discover(value.url, this.fetchDocument, { requireHttps: this.config.runMode === 'production' }));
    } catch (error) {
      if (error instanceof DiscoveryError) throw discoveryFailed(error.problem, error.message);
      throw error;
    }
  }
}
