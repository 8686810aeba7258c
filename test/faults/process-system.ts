/**
 * The five services as child processes (compiled once, `node -r tsconfig-paths/register <build>/apps/<svc>/src/main.js`)
 * with the environment startSystem would give them (each its own database role), so that a test can SIGKILL one and start it again.
 * With `instances` above 1 each service runs that many processes behind a round-robin of its own
 * (test/support/round-robin.ts), and every service reaches the others, and the test the gateways,
 * through those. Each process's log file, stdout and stderr are kept in its log folder.
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
import { serviceMemoryEnv } from '../../scripts/service-memory.cjs';
import { compiledEntry, ensureServiceBuild } from '../../scripts/lib/service-build';
import { createTestDatabase, harnessEnv, newDatabaseRoles, provisionDatabaseRoles, uniqueName } from '../harness';
import { RoundRobin, startRoundRobin } from '../support/round-robin';
import { ServiceName, withoutKeysUnlessNeeded } from '../support/system';

/** Compiled once (again only when a source under apps/ or libs/ changes): a restarted process starts in a second or two instead of compiling under load. */
const BUILD_DIR = join(DATA_DIR, 'faults-build');

export const SERVICES: ServiceName[] = ['connector-config', 'oauth-authorization', 'token-issuance', 'token-refresh', 'gateway'];

export interface ProcessSystem {
  /** Each service's address: its round-robin when it runs more than one instance. */
  urls: Record<ServiceName, string>;
  /** Each instance's own address, by instance number. */
  instanceUrls: Record<ServiceName, string[]>;
  /** The INSTANCE_ID each running instance was started with (its Kafka client id), by instance number. */
  instanceIds: Record<ServiceName, string[]>;
  /** The pids of every running service process. */
  pids(): number[];
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
  kill(name: ServiceName, instance?: number): Promise<void>;
  /** SIGTERM: shutdown hooks run, so its Kafka consumer leaves the group at once (SIGKILL after 10 s). */
  stopService(name: ServiceName, instance?: number): Promise<void>;
  /** Starts the service (instance 0 unless told) and waits until it is ready; `extraEnv` applies to this start only. */
  start(name: ServiceName, extraEnv?: Record<string, string>, instance?: number): Promise<void>;
  /** Resolves once the service's process has ended on its own (e.g. killed itself), within `timeoutMs`. */
  exited(name: ServiceName, timeoutMs?: number, instance?: number): Promise<void>;
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
  /** Processes per service (1 by default). */
  instances?: number;
}

export async function startProcessSystem(options: ProcessSystemOptions = {}): Promise<ProcessSystem> {
  const harness = options.kafkaBrokers && options.adminDatabaseUrl ? undefined : harnessEnv();
  const kafkaBrokers = options.kafkaBrokers ?? (harness as { kafkaBrokers: string[] }).kafkaBrokers;
  const database = options.adminDatabaseUrl
    ? { url: options.adminDatabaseUrl, serviceUrls: await provisionDatabaseRoles(options.adminDatabaseUrl, newDatabaseRoles()), drop: () => Promise.resolve() }
    : await createTestDatabase();
  const instanceCount = options.instances ?? 1;
  const instanceNumbers = Array.from({ length: instanceCount }, (_, i) => i);
  const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (name) => [name, await Promise.all(instanceNumbers.map(() => freePort()))] as const))) as Record<ServiceName, number[]>;
  const instanceUrls = Object.fromEntries(SERVICES.map((name) => [name, ports[name].map((port) => `http://127.0.0.1:${port}`)])) as Record<ServiceName, string[]>;
  const balancers = new Map<ServiceName, RoundRobin>();
  if (instanceCount > 1) for (const name of SERVICES) balancers.set(name, await startRoundRobin(ports[name]));
  const urls = Object.fromEntries(SERVICES.map((name) => [name, balancers.get(name)?.url ?? (instanceUrls[name][0] as string)])) as Record<ServiceName, string>;
  const instanceIds = Object.fromEntries(SERVICES.map((name) => [name, [] as string[]])) as Record<ServiceName, string[]>;
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
  /** By `<service>#<instance>`. */
  const children = new Map<string, ChildProcess>();
  const childKey = (name: ServiceName, instance: number): string => `${name}#${instance}`;
  const starts = Object.fromEntries(SERVICES.map((name) => [name, 0])) as Record<ServiceName, number>;

  /** Instance 0 keeps the service's own file names; instance 1 writes `<service>-2.*`, and so on. */
  const fileName = (name: ServiceName, instance: number): string => (instance === 0 ? name : `${name}-${instance + 1}`);
  const allFileNames = SERVICES.flatMap((name) => instanceNumbers.map((instance) => fileName(name, instance)));
  const outputFiles = (file: string): string[] => [join(logDir, `${file}.stdout`), join(logDir, `${file}.stderr`)];
  const stderrTail = (file: string): string => readFileSync(join(logDir, `${file}.stderr`), 'utf8').slice(-4000);
  const hasEnded = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

  const start = async (name: ServiceName, extraEnv: Record<string, string> = {}, instance = 0): Promise<void> => {
    const file = fileName(name, instance);
    const [stdout, stderr] = outputFiles(file).map((path) => openSync(path, 'a')) as [number, number];
    const instanceId = `${file}-${uniqueName('p')}`;
    const { args, env: runtimeEnv } = compiledEntry(BUILD_DIR, `apps/${name}/src/main.js`);
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...inherited,
        ...serviceMemoryEnv(name),
        ...withoutKeysUnlessNeeded(name, { ...env, DATABASE_URL: database.serviceUrls[name], ...options.serviceEnv?.[name], ...extraEnv }),
        ...runtimeEnv,
        PORT: String(ports[name][instance]),
        INSTANCE_ID: instanceId,
        LOG_FILE: join(logDir, `${file}.log`),
      },
      stdio: ['ignore', stdout, stderr],
    });
    closeSync(stdout);
    closeSync(stderr);
    children.set(childKey(name, instance), child);
    instanceIds[name][instance] = instanceId;
    starts[name] += 1;
    const outcome = await waitUntilAnswering(`${instanceUrls[name][instance]}/health/ready`, () => !hasEnded(child), 90_000);
    if (outcome === 'exited') throw new Error(`${file} exited with ${child.exitCode ?? child.signalCode}: ${stderrTail(file)}`);
    if (outcome === 'timed out') throw new Error(`${file} not ready within 90 s: ${stderrTail(file)}`);
  };

  const kill = async (name: ServiceName, instance = 0): Promise<void> => {
    const child = children.get(childKey(name, instance));
    children.delete(childKey(name, instance));
    if (!child || hasEnded(child)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  const exited = async (name: ServiceName, timeoutMs = 60_000, instance = 0): Promise<void> => {
    const child = children.get(childKey(name, instance));
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
    children.delete(childKey(name, instance));
  };

  const stopGracefully = async (name: ServiceName, instance = 0): Promise<void> => {
    const child = children.get(childKey(name, instance));
    children.delete(childKey(name, instance));
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
    // back-end services in parallel (each migrates its own schema; a second instance finds it
    // migrated), the gateways last
    for (const instance of instanceNumbers) {
      await Promise.all(SERVICES.filter((s) => s !== 'gateway').map((name) => start(name, {}, instance)));
    }
    for (const instance of instanceNumbers) await start('gateway', {}, instance);
  } catch (error) {
    killAllOnExit();
    for (const balancer of balancers.values()) await balancer.stop();
    throw error;
  }

  return {
    urls,
    instanceUrls,
    instanceIds,
    pids: () => [...children.values()].filter((child) => !hasEnded(child)).map((child) => child.pid as number),
    env,
    databaseUrl: database.url,
    databaseUrls: database.serviceUrls,
    kafkaBrokers,
    topicPrefix,
    topic: (name) => `${topicPrefix}${name}`,
    logs: () => allFileNames.map((file) => join(logDir, `${file}.log`)).filter(existsSync).map((file) => readFileSync(file, 'utf8')).join('\n'),
    output: () => allFileNames.flatMap(outputFiles).filter(existsSync).map((file) => readFileSync(file, 'utf8')).join('\n'),
    kill,
    stopService: stopGracefully,
    start,
    exited,
    starts,
    stop: async () => {
      process.off('exit', killAllOnExit);
      for (const name of [...SERVICES].reverse()) await Promise.all(instanceNumbers.map((instance) => stopGracefully(name, instance)));
      for (const balancer of balancers.values()) await balancer.stop();
      await database.drop();
    },
  };
}
