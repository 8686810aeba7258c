import { fromEnv, loadServiceConfig, ServiceConfig, internalApiTokenReader } from '@cb/platform';
import { RateLimits, rateLimitReaders } from './rate-limit/rate-limit.config';

export interface GatewayExtraConfig {
  connectorConfigUrl: string;
  oauthAuthorizationUrl: string;
  tokenIssuanceUrl: string;
  internalApiToken: string;
  /** Where the gateway is reached from outside, e.g. for OAuth redirect URIs and connect links. */
  publicBaseUrl: string;
  /** RATE_LIMIT_CALLBACK, RATE_LIMIT_CONNECT_SESSIONS, RATE_LIMIT_CREDENTIAL_READS. */
  rateLimits: RateLimits;
}

export type GatewayConfig = ServiceConfig & GatewayExtraConfig;

/** Injection token for the gateway's validated {@link GatewayConfig}. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  return loadServiceConfig<GatewayExtraConfig & { kafkaBrokers: string[] }>(
    'gateway',
    3000,
    {
      kafkaBrokers: () => [],
      connectorConfigUrl: fromEnv.url('CONNECTOR_CONFIG_URL', ['http:', 'https:']),
      oauthAuthorizationUrl: fromEnv.url('OAUTH_AUTHORIZATION_URL', ['http:', 'https:']),
      tokenIssuanceUrl: fromEnv.url('TOKEN_ISSUANCE_URL', ['http:', 'https:']),
      internalApiToken: internalApiTokenReader,
      publicBaseUrl: fromEnv.url('PUBLIC_BASE_URL', ['http:', 'https:']),
      ...rateLimitReaders,
    },
    env,
    { keyring: false },
  );
}
