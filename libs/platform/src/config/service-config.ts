import { Keyring } from '@cb/vault-crypto';
import { parseOtlpHeaders, type TracingSettings } from '../tracing/tracing';
import { ConfigReader, fromEnv, loadConfig } from './load-config';

/** What every back-end service needs: where its database and Kafka are, and its vault keys. */
export interface ServiceConfig {
  serviceName: string;
  instanceId: string;
  port: number;
  host: string;
  databaseUrl: string;
  /** Connections this instance's pool may open (DATABASE_POOL_SIZE). */
  databasePoolSize: number;
  kafkaBrokers: string[];
  topicPrefix: string;
  /** Partitions of each topic this service creates: the most consumer instances of one group that get work. */
  kafkaTopicPartitions: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  runMode: 'development' | 'production';
  /** VAULT_KEYS; undefined in a service that seals nothing (see {@link ServiceConfigOptions.keyring}). */
  vaultKeys: string | undefined;
  vaultPrimaryKeyId: string | undefined;
  /** Write JSON logs to this file instead of stdout. */
  logFile: string | undefined;
  /** `OTEL_EXPORTER_OTLP_ENDPOINT` and friends; undefined (no tracing) when the endpoint is not set. */
  tracing: TracingSettings | undefined;
  /** METRICS_TOKEN: the bearer token a scrape of /metrics presents; undefined turns the endpoint off. */
  metricsToken: string | undefined;
}

/** Enough for the two or three instances per service docs/OPERATIONS.md recommends. */
export const DEFAULT_TOPIC_PARTITIONS = 3;

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
    databasePoolSize: fromEnv.integer('DATABASE_POOL_SIZE', 10, { min: 2, max: 500 }),
    kafkaBrokers: withKafka ? fromEnv.brokers('KAFKA_BROKERS') : () => [],
    topicPrefix: withKafka ? fromEnv.string('KAFKA_TOPIC_PREFIX', '') : () => '',
    kafkaTopicPartitions: withKafka ? fromEnv.integer('KAFKA_TOPIC_PARTITIONS', DEFAULT_TOPIC_PARTITIONS, { min: 1, max: 1000 }) : () => 0,
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
    tracing: tracingReader,
    metricsToken: fromEnv.optional('METRICS_TOKEN', metricsTokenReader),
  };
}

const tracingReader: ConfigReader<TracingSettings | undefined> = (env) => {
  const endpoint = fromEnv.optional('OTEL_EXPORTER_OTLP_ENDPOINT', fromEnv.url('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']))(env);
  if (endpoint === undefined) return undefined;
  return {
    endpoint,
    headers: fromEnv.optional('OTEL_EXPORTER_OTLP_HEADERS', fromEnv.parsed('OTEL_EXPORTER_OTLP_HEADERS', parseOtlpHeaders))(env) ?? {},
    resourceServiceName: fromEnv.optional('OTEL_SERVICE_NAME', fromEnv.string('OTEL_SERVICE_NAME'))(env),
  };
};

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
