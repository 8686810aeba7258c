import { fromEnv, loadServiceConfig, ServiceConfig } from '@cb/platform';

export type ConnectorConfigConfig = ServiceConfig & { internalApiToken: string };

export function loadConnectorConfigConfig(env: NodeJS.ProcessEnv): ConnectorConfigConfig {
  return loadServiceConfig<{ internalApiToken: string }>('connector-config', 3001, { internalApiToken: fromEnv.string('INTERNAL_API_TOKEN') }, env);
}
