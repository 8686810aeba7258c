import { internalApiTokenReader, loadServiceConfig, ServiceConfig } from '@cb/platform';
import { webhookSettingsReader, type WebhookSettings } from './webhooks/webhooks.config';

export interface ConnectorConfigSettings {
  internalApiToken: string;
  webhooks: WebhookSettings;
}

export type ConnectorConfigConfig = ServiceConfig & ConnectorConfigSettings;

/** Injection token for connector-config's validated {@link ConnectorConfigConfig}. */
export const CONNECTOR_CONFIG_CONFIG = Symbol('CONNECTOR_CONFIG_CONFIG');

/** connector-config seals client secrets and webhook signing secrets, announces connectors and delivers webhooks: it needs the vault keys and Kafka. */
export function loadConnectorConfigConfig(env: NodeJS.ProcessEnv = process.env): ConnectorConfigConfig {
  return loadServiceConfig<ConnectorConfigSettings>('connector-config', 3001, { internalApiToken: internalApiTokenReader, webhooks: webhookSettingsReader }, env);
}
