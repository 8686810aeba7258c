/**
 * The five services as child processes (compiled once, `node -r tsconfig-paths/register <build>/apps/<svc>/src/main.js`)
 * with the environment startSystem would give them (each its own database role), so that a test can SIGKILL one and start it again.
 * Each service's log file, stdout and stderr are kept in its log folder.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateVaultKey } from '@cb/vault-crypto';
import { DATA_DIR, ROOT } from '../../scripts/lib/paths';
import { freePort } from '../../scripts/lib/ports';
import { waitUntilAnswering } from '../../scripts/lib/processes';
import { compiledEntry, ensureServiceBuild } from '../../scripts/lib/service-build';
import { createTestDatabase, harnessEnv, newDatabaseRoles, provisionDatabaseRoles, uniqueName } from '../harness';
import { ServiceName, withoutKeysUnlessNeeded } from '../support/system';

/** Compiled once (again only when a source under apps/ or libs/ changes): a restarted process starts in a second or two instead of compiling under load. */
const BUILD_DIR = join(DATA_DIR, 'faults-build');

export const SERVICES: ServiceName[] = ['connector-config', 'oauth-authorization', 'token-issuance', 'token-refresh', 'gateway'];

export interface ProcessSystem {
  urls: Record<ServiceName, string>;
  /** Shared by every service; each also gets its own DATABASE_URL (databaseUrls). */
  env: Record<string, string>;
  /** The admin's URL, for a test's own reads and writes. */
  databaseUrl: string;
  /** Each service's URL: its own role. */
  databaseUrls: Record<ServiceName, string>;
  kafkaBrokers: string[];
  topicPrefix: string;
  topic(name: string): string;
  logs(): string;
  /** Everything every service process wrote to its stdout and stderr, across restarts. */
  output(): string;
  /** SIGKILL, no shutdown hooks: what a crash or an OOM kill does. */
  kill(name: ServiceName): Promise<void>;
  /** SIGTERM: shutdown hooks run, so its Kafka consumer leaves the group at once (SIGKILL after 10 s). */
  stopService(name: ServiceName): Promise<void>;
  /** Starts the service and waits until it is ready; `extraEnv` applies to this start only. */
  start(name: ServiceName, extraEnv?: Record<string, string>): Promise<void>;
  /** Resolves once the service's process has ended on its own (e.g. killed itself), within `timeoutMs`. */
  exited(name: ServiceName, timeoutMs?: number): Promise<void>;
  /** How many times each service was started. */
  starts: Record<ServiceName, number>;
  stop(): Promise<void>;
}

export interface ProcessSystemOptions {
  env?: Record<string, string>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Kafka and PostgreSQL other than the harness's (a private broker or cluster). */
  kafkaBrokers?: string[];
  /** An admin URL of that cluster's database: the services' roles and schemas are made in it first. */
  adminDatabaseUrl?: string;
}

export async function startProcessSystem(options: ProcessSystemOptions = {}): Promise<ProcessSystem> {
  const harness = options.kafkaBrokers && options.adminDatabaseUrl ? undefined : harnessEnv();
  const kafkaBrokers = options.kafkaBrokers ?? (harness as { kafkaBrokers: string[] }).kafkaBrokers;
  const database = options.adminDatabaseUrl
    ? { url: options.adminDatabaseUrl, serviceUrls: await provisionDatabaseRoles(options.adminDatabaseUrl, newDatabaseRoles()), drop: () => Promise.resolve() }
    : await createTestDatabase();
  const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (name) => [name, await freePort()] as const))) as Record<ServiceName, number>;
  const urls = Object.fromEntries(SERVICES.map((name) => [name, `http://127.0.0.1:${ports[name]}`])) as Record<ServiceName, string>;
  const topicPrefix = `${uniqueName('f')}.`;
  const logDir = mkdtempSync(join(tmpdir(), 'cb-fault-logs-'));
  const env: Record<string, string> = {
    KAFKA_BROKERS: kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    VAULT_KEYS: generateVaultKey('faults1'),
    INTERNAL_API_TOKEN: randomBytes(24).toString('base64url'),
    RUN_MODE: 'development',
    LOG_LEVEL: 'info',
    PUBLIC_BASE_URL: urls.gateway,
    OAUTH_REDIRECT_URI: `${urls.gateway}/oauth/callback`,
    CONNECTOR_CONFIG_URL: urls['connector-config'],
    OAUTH_AUTHORIZATION_URL: urls['oauth-authorization'],
    TOKEN_ISSUANCE_URL: urls['token-issuance'],
    ...options.env,
  };
  ensureServiceBuild(BUILD_DIR, ['apps', 'libs']);
  // Not the harness's admin URL nor every role's password: a service process gets its own URL only.
  const { DATABASE_URL: _admin, HARNESS_DATABASE_ROLES: _roles, ...inherited } = process.env;
  const children = new Map<ServiceName, ChildProcess>();
  const starts = Object.fromEntries(SERVICES.map((name) => [name, 0])) as Record<ServiceName, number>;

  const outputFiles = (name: ServiceName): string[] => [join(logDir, `${name}.stdout`), join(logDir, `${name}.stderr`)];
  const stderrTail = (name: ServiceName): string => readFileSync(join(logDir, `${name}.stderr`), 'utf8').slice(-4000);
  const hasEnded = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

  const start = async (name: ServiceName, extraEnv: Record<string, string> = {}): Promise<void> => {
    const [stdout, stderr] = outputFiles(name).map((file) => openSync(file, 'a')) as [number, number];
    const { args, env: runtimeEnv } = compiledEntry(BUILD_DIR, `apps/${name}/src/main.js`);
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...inherited,
        ...withoutKeysUnlessNeeded(name, { ...env, DATABASE_URL: database.serviceUrls[name], ...options.serviceEnv?.[name], ...extraEnv }),
        ...runtimeEnv,
        PORT: String(ports[name]),
        INSTANCE_ID: `${name}-${uniqueName('p')}`,
        LOG_FILE: join(logDir, `${name}.log`),
      },
      stdio: ['ignore', stdout, stderr],
    });
    closeSync(stdout);
    closeSync(stderr);
    children.set(name, child);
    starts[name] += 1;
    const outcome = await waitUntilAnswering(`${urls[name]}/health/ready`, () => !hasEnded(child), 90_000);
    if (outcome === 'exited') throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}: ${stderrTail(name)}`);
    if (outcome === 'timed out') throw new Error(`${name} not ready within 90 s: ${stderrTail(name)}`);
  };

  const kill = async (name: ServiceName): Promise<void> => {
    const child = children.get(name);
    children.delete(name);
    if (!child || hasEnded(child)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  const exited = async (name: ServiceName, timeoutMs = 60_000): Promise<void> => {
    const child = children.get(name);
    if (!child) throw new Error(`${name} was not started`);
    if (!hasEnded(child)) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} still running after ${timeoutMs} ms`)), timeoutMs);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    children.delete(name);
  };

  const stopGracefully = async (name: ServiceName): Promise<void> => {
    const child = children.get(name);
    children.delete(name);
    if (!child || hasEnded(child)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const killAllOnExit = (): void => {
    for (const child of children.values()) child.kill('SIGKILL');
  };
  process.once('exit', killAllOnExit);

  try {
    // back-end services in parallel (each migrates its own schema), the gateway last
    await Promise.all(SERVICES.filter((s) => s !== 'gateway').map((name) => start(name)));
    await start('gateway');
  } catch (error) {
    killAllOnExit();
    throw error;
  }

  return {
    urls,
    env,
    databaseUrl: database.url,
    databaseUrls: database.serviceUrls,
    kafkaBrokers,
    topicPrefix,
    topic: (name) => `${topicPrefix}${name}`,
    logs: () => SERVICES.map((name) => join(logDir, `${name}.log`)).filter(existsSync).map((file) => readFileSync(file, 'utf8')).join('\n'),
    output: () => SERVICES.flatMap(outputFiles).filter(existsSync).map((file) => readFileSync(file, 'utf8')).join('\n'),
    kill,
    stopService: stopGracefully,
    start,
    exited,
    starts,
    stop: async () => {
      process.off('exit', killAllOnExit);
      for (const name of [...SERVICES].reverse()) await stopGracefully(name);
      await database.drop();
    },
  };
}
