import { outboundPolicyFromEnv, type OutboundPolicy } from '@cb/oauth-client';
import { auditRetentionReader, AuditRetentionSettings, ConfigReader, fromEnv, internalApiTokenReader, loadServiceConfig, ServiceConfig } from '@cb/platform';
import type { ProviderGuardSettings } from './token-endpoint/provider-guard';

export interface TokenIssuanceSettings {
  internalApiToken: string;
  /** How long a token endpoint may take before the attempt counts as ambiguous. */
  tokenRequestTimeoutMs: number;
  /** Where token, revocation and introspection requests may connect (see OutboundPolicy). */
  outbound: OutboundPolicy;
  /** Concurrency caps and circuit breaker around every provider call (see ProviderGuard). */
  providerGuard: ProviderGuardSettings;
  /** Limits of each proxied call (see ProxyCallService). */
  proxy: ProxySettings;
  /** How long a connector's verification request may take, connecting to the answer's status (VERIFICATION_TIMEOUT_MS). */
  verificationTimeoutMs: number;
  /** `AUDIT_RETENTION_DAYS` and the prune's pace: how long credential reads, proxy calls and imports are kept. */
  auditRetention: AuditRetentionSettings;
}

export interface ProxySettings {
  /** The largest request body sent on (PROXY_MAX_REQUEST_BYTES). */
  maxRequestBytes: number;
  /** The largest response body passed back (PROXY_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
  /** How long the provider may take to answer, and to send the next piece of its body (PROXY_TIMEOUT_MS). */
  timeoutMs: number;
}

export type TokenIssuanceConfig = ServiceConfig & TokenIssuanceSettings;

/** Injection token for token-issuance's validated {@link TokenIssuanceConfig}. */
export const TOKEN_ISSUANCE_CONFIG = Symbol('TOKEN_ISSUANCE_CONFIG');

/** token-issuance holds the vault and announces credentials: it needs the vault keys and Kafka. */
export function loadTokenIssuanceConfig(env: NodeJS.ProcessEnv = process.env): TokenIssuanceConfig {
  return loadServiceConfig<TokenIssuanceSettings>('token-issuance', 3003, tokenIssuanceReaders, env);
}

export const tokenIssuanceReaders: { [K in keyof TokenIssuanceSettings]: ConfigReader<TokenIssuanceSettings[K]> } = {
  internalApiToken: internalApiTokenReader,
  tokenRequestTimeoutMs: fromEnv.integer('TOKEN_REQUEST_TIMEOUT_MS', 10000, { min: 100, max: 120000 }),
  providerGuard: (env) => ({
    perConnector: fromEnv.integer('PROVIDER_CONCURRENCY_PER_CONNECTOR', 8, { min: 1, max: 1000 })(env),
    perWorkspace: fromEnv.integer('PROVIDER_CONCURRENCY_PER_WORKSPACE', 16, { min: 1, max: 1000 })(env),
    queueTimeoutMs: fromEnv.integer('PROVIDER_QUEUE_TIMEOUT_MS', 2000, { min: 0, max: 60000 })(env),
    circuitFailures: fromEnv.integer('PROVIDER_CIRCUIT_FAILURES', 5, { min: 1, max: 1000 })(env),
    circuitOpenMs: fromEnv.integer('PROVIDER_CIRCUIT_OPEN_MS', 30000, { min: 100, max: 3600000 })(env),
  }),
  proxy: (env) => ({
    maxRequestBytes: fromEnv.integer('PROXY_MAX_REQUEST_BYTES', 10 * 1024 * 1024, { min: 1024, max: 1024 * 1024 * 1024 })(env),
    maxResponseBytes: fromEnv.integer('PROXY_MAX_RESPONSE_BYTES', 100 * 1024 * 1024, { min: 1024, max: 4 * 1024 * 1024 * 1024 })(env),
    timeoutMs: fromEnv.integer('PROXY_TIMEOUT_MS', 30000, { min: 100, max: 600000 })(env),
  }),
  verificationTimeoutMs: fromEnv.integer('VERIFICATION_TIMEOUT_MS', 10000, { min: 100, max: 60000 }),
  outbound: outboundPolicyFromEnv,
  auditRetention: auditRetentionReader,
};
