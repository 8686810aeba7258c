import { Keyring } from '@cb/vault-crypto';
import { ConfigReader, fromEnv, loadConfig } from './load-config';

/** What every back-end service needs: where its database and Kafka are, and its vault keys. */
export interface ServiceConfig {
  serviceName: string;
  instanceId: string;
  port: number;
  host: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  topicPrefix: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  runMode: 'development' | 'production';
  /** VAULT_KEYS; undefined in a service that seals nothing (see {@link ServiceConfigOptions.keyring}). */
  vaultKeys: string | undefined;
  vaultPrimaryKeyId: string | undefined;
  /** Write JSON logs to this file instead of stdout. */
  logFile: string | undefined;
  /** METRICS_TOKEN: the bearer token a scrape of /metrics presents; undefined turns the endpoint off. */
  metricsToken: string | undefined;
}

export interface ServiceConfigOptions {
  /**
   * False for a service that seals and opens nothing (the gateway, token-refresh): it never reads
   * VAULT_KEYS, so its environment need not, and should not, hold the keys. True by default.
   */
  keyring?: boolean;
  /**
   * False for a service that neither publishes nor consumes events (the gateway): it never reads
   * KAFKA_BROKERS or KAFKA_TOPIC_PREFIX. True by default.
   */
  kafka?: boolean;
}

export function serviceConfigReaders(serviceName: string, defaultPort: number, options: ServiceConfigOptions = {}): { [K in keyof ServiceConfig]: ConfigReader<ServiceConfig[K]> } {
  const withKeyring = options.keyring ?? true;
  const withKafka = options.kafka ?? true;
  return {
    serviceName: () => serviceName,
    instanceId: fromEnv.string('INSTANCE_ID', `${serviceName}-${process.pid}`),
    port: fromEnv.integer('PORT', defaultPort, { min: 0, max: 65535 }),
    host: fromEnv.string('HOST', '127.0.0.1'),
    databaseUrl: fromEnv.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    kafkaBrokers: withKafka ? fromEnv.brokers('KAFKA_BROKERS') : () => [],
    topicPrefix: withKafka ? fromEnv.string('KAFKA_TOPIC_PREFIX', '') : () => '',
    logLevel: fromEnv.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    runMode: fromEnv.oneOf('RUN_MODE', ['development', 'production'] as const, 'production'),
    vaultKeys: withKeyring
      ? (env) =>
          fromEnv.parsed('VAULT_KEYS', (spec) => {
            Keyring.fromConfig(spec, env.VAULT_PRIMARY_KEY_ID?.trim() || undefined);
            return spec;
          })(env)
      : () => undefined,
    vaultPrimaryKeyId: withKeyring ? fromEnv.optional('VAULT_PRIMARY_KEY_ID', fromEnv.string('VAULT_PRIMARY_KEY_ID')) : () => undefined,
    logFile: fromEnv.optional('LOG_FILE', fromEnv.string('LOG_FILE')),
    metricsToken: fromEnv.optional('METRICS_TOKEN', metricsTokenReader),
  };
}

/** 32 characters, as INTERNAL_API_TOKEN: the gateway's /metrics is on the public edge. The message never shows the value. */
export const METRICS_TOKEN_MIN_LENGTH = 32;
const metricsTokenReader: ConfigReader<string> = fromEnv.parsed('METRICS_TOKEN', (token) => {
  if (token.length < METRICS_TOKEN_MIN_LENGTH) throw new Error(`must be at least ${METRICS_TOKEN_MIN_LENGTH} characters long (it has ${token.length}); generate one with "openssl rand -base64 24"`);
  return token;
});

export function loadServiceConfig<Extra extends object = object>(
  serviceName: string,
  defaultPort: number,
  extra: { [K in keyof Extra]: ConfigReader<Extra[K]> } = {} as { [K in keyof Extra]: ConfigReader<Extra[K]> },
  env: NodeJS.ProcessEnv = process.env,
  options: ServiceConfigOptions = {},
): ServiceConfig & Extra {
  return loadConfig<ServiceConfig & Extra>({ ...serviceConfigReaders(serviceName, defaultPort, options), ...extra } as never, env);
}

export function keyringFrom(config: Pick<ServiceConfig, 'serviceName' | 'vaultKeys' | 'vaultPrimaryKeyId'>): Keyring {
  if (config.vaultKeys === undefined) throw new Error(`${config.serviceName} runs without the vault keyring`);
  return Keyring.fromConfig(config.vaultKeys, config.vaultPrimaryKeyId);
}
