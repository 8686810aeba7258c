import { outboundPolicyFromEnv, type OutboundPolicy } from '@cb/oauth-client';
import { auditRetentionReader, fromEnv, internalApiTokenReader, loadServiceConfig, ServiceConfig, type AuditRetentionSettings } from '@cb/platform';
import { webhookSettingsReader, type WebhookSettings } from './webhooks/webhooks.config';

export interface ConnectorConfigSettings {
  internalApiToken: string;
  webhooks: WebhookSettings;
  /** Where discovery and client registration may connect (see OutboundPolicy). */
  outbound: OutboundPolicy;
  /** Each request of a discovery. */
  discoveryTimeoutMs: number;
  /** The broker's OAuth callback, registered as the redirect URI of clients it registers itself (RFC 7591). */
  oauthRedirectUri: string | undefined;
  /** The gateway's public address: a workspace's Client ID Metadata Document is served under it. */
  publicBaseUrl: string | undefined;
  /** How often expiring secrets of clients the broker registered are looked for. */
  registrationRenewalIntervalMs: number;
  /** `AUDIT_RETENTION_DAYS` and the prune's pace: how long connector changes are kept. */
  auditRetention: AuditRetentionSettings;
}

export type ConnectorConfigConfig = ServiceConfig & ConnectorConfigSettings;

/** Injection token for connector-config's validated {@link ConnectorConfigConfig}. */
export const CONNECTOR_CONFIG_CONFIG = Symbol('CONNECTOR_CONFIG_CONFIG');

/** connector-config seals client secrets and webhook signing secrets, announces connectors and delivers webhooks: it needs the vault keys and Kafka. */
export function loadConnectorConfigConfig(env: NodeJS.ProcessEnv = process.env): ConnectorConfigConfig {
  return loadServiceConfig<ConnectorConfigSettings>(
    'connector-config',
    3001,
    {
      internalApiToken: internalApiTokenReader,
      webhooks: webhookSettingsReader,
      outbound: outboundPolicyFromEnv,
      discoveryTimeoutMs: fromEnv.integer('DISCOVERY_TIMEOUT_MS', 5000, { min: 100, max: 60000 }),
      oauthRedirectUri: fromEnv.optional('OAUTH_REDIRECT_URI', fromEnv.url('OAUTH_REDIRECT_URI', ['https:', 'http:'])),
      publicBaseUrl: fromEnv.optional('PUBLIC_BASE_URL', fromEnv.url('PUBLIC_BASE_URL', ['https:', 'http:'])),
      registrationRenewalIntervalMs: fromEnv.integer('CLIENT_REGISTRATION_RENEWAL_INTERVAL_MS', 60_000, { min: 100, max: 3_600_000 }),
      auditRetention: auditRetentionReader,
    },
    env,
  );
}
