import { internalApiTokenReader, loadServiceConfig, ServiceConfig } from '@cb/platform';

export type ConnectorConfigConfig = ServiceConfig & { internalApiToken: string };

export function loadConnectorConfigConfig(env: NodeJS.ProcessEnv): ConnectorConfigConfig {
  return loadServiceConfig<{ internalApiToken: string }>('connector-config', 3001, { internalApiToken: internalApiTokenReader }, env);
}
