import { auditRetentionReader, fromEnv, loadServiceConfig, ServiceConfig, internalApiTokenReader, type AuditRetentionSettings } from '@cb/platform';
import { parseTrustedProxies, TrustedProxies } from './client-address/trusted-proxies';
import { RateLimits, rateLimitReaders } from './rate-limit/rate-limit.config';

export interface GatewaySettings {
  connectorConfigUrl: string;
  oauthAuthorizationUrl: string;
  tokenIssuanceUrl: string;
  internalApiToken: string;
  /** Where the gateway is reached from outside, e.g. for OAuth redirect URIs and connect links. */
  publicBaseUrl: string;
  /** `RATE_LIMIT_*`: see rate-limit.config.ts. */
  rateLimits: RateLimits;
  /** `TRUSTED_PROXIES`: the reverse proxies whose `X-Forwarded-For` names the client; null trusts none. */
  trustedProxies: TrustedProxies | null;
  /** `LONG_POLLS_PER_WORKSPACE`: connect-session long polls of one workspace waiting at once on this instance. */
  longPollsPerWorkspace: number;
  /** `AUDIT_RETENTION_DAYS` and the prune's pace: how long API key events are kept. */
  auditRetention: AuditRetentionSettings;
}

export type GatewayConfig = ServiceConfig & GatewaySettings;

/** Injection token for the gateway's validated {@link GatewayConfig}. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** The gateway seals nothing and sends no events: it reads neither the vault keys nor Kafka's settings. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadServiceConfig<GatewaySettings>(
    'gateway',
    3000,
    {
      connectorConfigUrl: fromEnv.url('CONNECTOR_CONFIG_URL', ['http:', 'https:']),
      oauthAuthorizationUrl: fromEnv.url('OAUTH_AUTHORIZATION_URL', ['http:', 'https:']),
      tokenIssuanceUrl: fromEnv.url('TOKEN_ISSUANCE_URL', ['http:', 'https:']),
      internalApiToken: internalApiTokenReader,
      publicBaseUrl: fromEnv.url('PUBLIC_BASE_URL', ['http:', 'https:']),
      ...rateLimitReaders,
      longPollsPerWorkspace: fromEnv.integer('LONG_POLLS_PER_WORKSPACE', 20, { min: 0, max: 10_000 }),
      auditRetention: auditRetentionReader,
      trustedProxies: (env) => fromEnv.optional('TRUSTED_PROXIES', fromEnv.parsed('TRUSTED_PROXIES', parseTrustedProxies))(env) ?? null,
    },
    env,
    { keyring: false, kafka: false },
  );
}
