/**
 * Starts the five services in this test process against the harness's real Kafka and PostgreSQL,
 * each with its own port, one fresh database (a schema per service, each service connecting as its
 * own role, which reaches no other schema), a unique topic prefix and a log file per service, so
 * that tests can read what each service logged.
 */
import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateVaultKey } from '@cb/vault-crypto';
import { freePort } from '../../scripts/lib/ports';
import { startConnectorConfig } from '../../apps/connector-config/src/connector-config.app';
import { startGateway } from '../../apps/gateway/src/gateway.app';
import { startOAuthAuthorization } from '../../apps/oauth-authorization/src/oauth-authorization.app';
import { startTokenIssuance } from '../../apps/token-issuance/src/token-issuance.app';
import { startTokenRefresh } from '../../apps/token-refresh/src/token-refresh.app';
import { createTestDatabase, harnessEnv, uniqueName } from '../harness';

export type ServiceName = 'connector-config' | 'oauth-authorization' | 'token-issuance' | 'token-refresh' | 'gateway';

const STARTERS: Record<ServiceName, (env: NodeJS.ProcessEnv) => Promise<INestApplication>> = {
  'connector-config': startConnectorConfig,
  'oauth-authorization': startOAuthAuthorization,
  'token-issuance': startTokenIssuance,
  'token-refresh': startTokenRefresh,
  gateway: startGateway,
};

const ALL: ServiceName[] = ['connector-config', 'oauth-authorization', 'token-issuance', 'token-refresh', 'gateway'];

export interface SystemOptions {
  /** Which services to start; all five by default. The gateway starts last. */
  services?: ServiceName[];
  /** Extra environment for every service (e.g. short refresh margins). */
  env?: Record<string, string>;
  /** Extra environment per service. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

export interface RunningSystem {
  urls: Record<ServiceName, string>;
  /** The environment shared by every service (Kafka, prefix, keys, internal token); no DATABASE_URL, which each service has its own of. */
  env: Record<string, string>;
  /** The environment a service of that name starts with (its own DATABASE_URL; vault keys only where needed), e.g. for another instance or a command. */
  envFor(name: ServiceName): Record<string, string>;
  kafkaBrokers: string[];
  topicPrefix: string;
  /** The admin's URL of the system's database, for a test's own reads and writes. */
  databaseUrl: string;
  /** Each service's URL: its own role. */
  databaseUrls: Record<ServiceName, string>;
  internalToken: string;
  logDir: string;
  /** The topic name as the services use it, e.g. topic(TokenIssued.topic). */
  topic(name: string): string;
  /** Everything every service has logged so far. */
  logs(): string;
  app(name: ServiceName): INestApplication;
  stopService(name: ServiceName): Promise<void>;
  startService(name: ServiceName, extraEnv?: Record<string, string>): Promise<void>;
  /** One more instance of a service: its own port, instance id and log file; the same database, topics and consumer group. Stopped with the system. */
  startExtraInstance(name: ServiceName, extraEnv?: Record<string, string>): Promise<{ url: string; app: INestApplication }>;
  stop(): Promise<void>;
}

/** The services that seal nothing get no vault keys, as in a deployment: the gateway is the public edge. */
export const SERVICES_WITHOUT_KEYRING: readonly ServiceName[] = ['gateway', 'token-refresh'];

export function withoutKeysUnlessNeeded(name: ServiceName, env: Record<string, string>): Record<string, string> {
  if (!SERVICES_WITHOUT_KEYRING.includes(name)) return env;
  const { VAULT_KEYS: _keys, VAULT_PRIMARY_KEY_ID: _primary, ...rest } = env;
  return rest;
}

export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const { kafkaBrokers } = harnessEnv();
  const database = await createTestDatabase();
  const wanted = options.services ?? ALL;
  const ordered = ALL.filter((name) => wanted.includes(name));
  const ports = Object.fromEntries(await Promise.all(ALL.map(async (name) => [name, await freePort()] as const))) as Record<ServiceName, number>;
  const urls = Object.fromEntries(ALL.map((name) => [name, `http://127.0.0.1:${ports[name]}`])) as Record<ServiceName, string>;
  const topicPrefix = `${uniqueName('t')}.`;
  const internalToken = randomBytes(24).toString('base64url');
  const logDir = mkdtempSync(join(tmpdir(), 'cb-logs-'));
  const env: Record<string, string> = {
    KAFKA_BROKERS: kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    VAULT_KEYS: generateVaultKey('test1'),
    INTERNAL_API_TOKEN: internalToken,
    RUN_MODE: 'development',
    LOG_LEVEL: 'info',
    PUBLIC_BASE_URL: urls.gateway,
    OAUTH_REDIRECT_URI: `${urls.gateway}/oauth/callback`,
    CONNECTOR_CONFIG_URL: urls['connector-config'],
    OAUTH_AUTHORIZATION_URL: urls['oauth-authorization'],
    TOKEN_ISSUANCE_URL: urls['token-issuance'],
    ...options.env,
  };
  const apps = new Map<ServiceName, INestApplication>();
  const envFor = (name: ServiceName): Record<string, string> => withoutKeysUnlessNeeded(name, { ...env, DATABASE_URL: database.serviceUrls[name], ...options.serviceEnv?.[name] });

  const startService = async (name: ServiceName, extraEnv: Record<string, string> = {}): Promise<void> => {
    const serviceEnv = withoutKeysUnlessNeeded(name, { ...envFor(name), ...extraEnv, PORT: String(ports[name]), INSTANCE_ID: `${name}-${uniqueName('i')}`, LOG_FILE: join(logDir, `${name}.log`) });
    apps.set(name, await STARTERS[name](serviceEnv));
  };
  const extras: INestApplication[] = [];
  const startExtraInstance = async (name: ServiceName, extraEnv: Record<string, string> = {}): Promise<{ url: string; app: INestApplication }> => {
    const port = await freePort();
    const instance = `${extras.length + 2}`;
    const app = await STARTERS[name](withoutKeysUnlessNeeded(name, { ...envFor(name), ...extraEnv, PORT: String(port), INSTANCE_ID: `${name}-${instance}-${uniqueName('i')}`, LOG_FILE: join(logDir, `${name}-${instance}.log`) }));
    extras.push(app);
    return { url: `http://127.0.0.1:${port}`, app };
  };
  const stopService = async (name: ServiceName): Promise<void> => {
    const app = apps.get(name);
    apps.delete(name);
    await app?.close();
  };

  try {
    for (const name of ordered) await startService(name);
  } catch (error) {
    for (const name of [...apps.keys()].reverse()) await stopService(name);
    await database.drop();
    throw error;
  }

  return {
    urls,
    env,
    envFor,
    kafkaBrokers,
    topicPrefix,
    databaseUrl: database.url,
    databaseUrls: database.serviceUrls,
    internalToken,
    logDir,
    topic: (name) => `${topicPrefix}${name}`,
    logs: () => readdirSync(logDir).filter((file) => file.endsWith('.log')).map((file) => readFileSync(join(logDir, file), 'utf8')).join('\n'),
    app: (name) => {
      const app = apps.get(name);
      if (!app) throw new Error(`${name} is not running`);
      return app;
    },
    stopService,
    startService,
    startExtraInstance,
    stop: async () => {
      for (const app of extras.reverse()) await app.close();
      for (const name of [...apps.keys()].reverse()) await stopService(name);
      await database.drop();
    },
  };
}
