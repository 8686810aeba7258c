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
  vaultKeys: string;
  vaultPrimaryKeyId: string | undefined;
  /** Write JSON logs to this file instead of stdout. */
  logFile: string | undefined;
}

export function serviceConfigReaders(serviceName: string, defaultPort: number): { [K in keyof ServiceConfig]: ConfigReader<ServiceConfig[K]> } {
  return {
    serviceName: () => serviceName,
    instanceId: fromEnv.string('INSTANCE_ID', `${serviceName}-${process.pid}`),
    port: fromEnv.integer('PORT', defaultPort, { min: 0, max: 65535 }),
    host: fromEnv.string('HOST', '127.0.0.1'),
    databaseUrl: fromEnv.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    kafkaBrokers: fromEnv.brokers('KAFKA_BROKERS'),
    topicPrefix: fromEnv.string('KAFKA_TOPIC_PREFIX', ''),
    logLevel: fromEnv.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    runMode: fromEnv.oneOf('RUN_MODE', ['development', 'production'] as const, 'production'),
    vaultKeys: (env) =>
      fromEnv.parsed('VAULT_KEYS', (spec) => {
        Keyring.fromConfig(spec, env.VAULT_PRIMARY_KEY_ID?.trim() || undefined);
        return spec;
      })(env),
    vaultPrimaryKeyId: fromEnv.optional('VAULT_PRIMARY_KEY_ID', fromEnv.string('VAULT_PRIMARY_KEY_ID')),
    logFile: fromEnv.optional('LOG_FILE', fromEnv.string('LOG_FILE')),
  };
}

export function loadServiceConfig<Extra extends object = object>(
  serviceName: string,
  defaultPort: number,
  extra: { [K in keyof Extra]: ConfigReader<Extra[K]> } = {} as { [K in keyof Extra]: ConfigReader<Extra[K]> },
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig & Extra {
  return loadConfig<ServiceConfig & Extra>({ ...serviceConfigReaders(serviceName, defaultPort), ...extra } as never, env);
}

export function keyringFrom(config: Pick<ServiceConfig, 'vaultKeys' | 'vaultPrimaryKeyId'>): Keyring {
  return Keyring.fromConfig(config.vaultKeys, config.vaultPrimaryKeyId);
}
