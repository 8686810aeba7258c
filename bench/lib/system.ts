/**
 * The system under test as separate processes, as in production: the five services from the
 * compiled build, each connecting as its own database role, and the sandbox OAuth provider, each
 * with its own log file in the run folder.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DATABASE_SERVICES, generateRolePassword, provisionServiceDatabase, serviceDatabaseUrl } from '@cb/platform';
import { freePorts } from '../../scripts/lib/ports';
import { processAlive, waitUntilAnswering } from '../../scripts/lib/processes';
import { writeRunState } from '../../scripts/lib/run-folder';
import { serviceMemoryEnv } from '../../scripts/service-memory.cjs';
import { nodeArgs } from './build';
import { Infrastructure, ROOT, RunState, say } from './infra';
import { processCondition } from './proc';

export const SERVICES = ['connector-config', 'oauth-authorization', 'token-issuance', 'token-refresh', 'gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface RunningSystem {
  urls: Record<ServiceName, string>;
  pids: Record<ServiceName, number>;
  sandbox: { issuer: string; pid: number; client: SandboxClient };
  /** The environment every service got, but for DATABASE_URL (its own, in databaseUrls). */
  env: Record<string, string>;
  /** The admin's URL of the database. */
  databaseUrl: string;
  /** Each service's URL: its own role. */
  databaseUrls: Record<ServiceName, string>;
  kafkaBrokers: string[];
  topicPrefix: string;
  vaultKeys: string;
  internalToken: string;
}

export interface SystemOptions {
  /** Extra environment per service, e.g. tuning variables. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Extra node options per service, e.g. --cpu-prof (profiles land in the run folder's profiles/). */
  nodeOptions?: Partial<Record<ServiceName, string[]>>;
  sandboxAccessTokenTtlSeconds: number;
}

/** Spawns a node process logging to the run folder, recorded in the run state for clean-up. */
export function spawnRecorded(state: RunState, name: string, args: string[], env: Record<string, string>, marker: string): number {
  const log = openSync(join(state.runDir, 'logs', `${name}.log`), 'a');
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  if (!child.pid) throw new Error(`could not start ${name}`);
  child.unref();
  state.children.push({ name, pid: child.pid, marker });
  writeRunState(state);
  return child.pid;
}

export async function waitUntilOk(url: string, name: string, pid: number, state: RunState, timeoutMs = 120_000): Promise<void> {
  const outcome = await waitUntilAnswering(url, () => processAlive(pid), timeoutMs);
  const log = join(state.runDir, 'logs', `${name}.log`);
  if (outcome === 'exited') throw new Error(`${name} exited during start-up; see ${log}`);
  if (outcome === 'timed out') throw new Error(`${name} was not ready within ${timeoutMs / 1000}s (${processCondition(pid)}); see ${log}`);
}

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The services' roles and schemas, as the database-roles step makes them; returns each service's URL. */
async function provisionRoles(databaseUrl: string): Promise<Record<ServiceName, string>> {
  const passwords = Object.fromEntries(DATABASE_SERVICES.map((service) => [service, generateRolePassword()])) as Record<ServiceName, string>;
  const { roles } = await provisionServiceDatabase({ adminUrl: databaseUrl, passwords });
  return Object.fromEntries(roles.map(({ service, role }) => [service, serviceDatabaseUrl(databaseUrl, role, passwords[service])])) as Record<ServiceName, string>;
}

export async function startSystem(state: RunState, infra: Infrastructure, options: SystemOptions): Promise<RunningSystem> {
  const databaseUrl = await createDatabase(infra.adminUrl, 'credential_broker');
  const databaseUrls = await provisionRoles(databaseUrl);
  const ports = await freePorts(SERVICES.length + 1);
  const port = Object.fromEntries(SERVICES.map((name, i) => [name, ports[i] as number])) as Record<ServiceName, number>;
  const sandboxPort = ports[SERVICES.length] as number;
  const urls = Object.fromEntries(SERVICES.map((name) => [name, `http://127.0.0.1:${port[name]}`])) as Record<ServiceName, string>;
  const issuer = `http://127.0.0.1:${sandboxPort}`;
  const client: SandboxClient = { clientId: 'bench-client', clientSecret: randomBytes(24).toString('base64url'), redirectUri: `${urls.gateway}/oauth/callback` };

  say(`starting the sandbox provider on ${issuer}`);
  const sandboxPid = spawnRecorded(
    state,
    'sandbox-provider',
    [join(ROOT, 'apps/sandbox-provider/main.mjs'), `--bench-run=${state.runDir}`],
    {
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_ISSUER: issuer,
      SANDBOX_CONTROL: '1',
      SANDBOX_ACCESS_TOKEN_TTL: String(options.sandboxAccessTokenTtlSeconds),
      SANDBOX_CLIENTS: JSON.stringify([{ client_id: client.clientId, client_secret: client.clientSecret, redirect_uris: [client.redirectUri], token_endpoint_auth_method: 'client_secret_basic' }]),
    },
    state.runDir,
  );

  const vaultKeys = `bench1:${randomBytes(32).toString('base64')}`;
  const internalToken = randomBytes(24).toString('base64url');
  const env: Record<string, string> = {
    KAFKA_BROKERS: infra.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: '',
    VAULT_KEYS: vaultKeys,
    INTERNAL_API_TOKEN: internalToken,
    // development allows the loopback http:// URLs of the sandbox provider in connector configs
    RUN_MODE: 'development',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: urls.gateway,
    OAUTH_REDIRECT_URI: `${urls.gateway}/oauth/callback`,
    CONNECTOR_CONFIG_URL: urls['connector-config'],
    OAUTH_AUTHORIZATION_URL: urls['oauth-authorization'],
    TOKEN_ISSUANCE_URL: urls['token-issuance'],
    // The scenarios measure capacity: a rate limit below the load would turn served requests into 429s.
    RATE_LIMIT_CREDENTIAL_READS: 'off',
    RATE_LIMIT_CONNECT_SESSIONS: 'off',
    RATE_LIMIT_SESSION_READS: 'off',
    RATE_LIMIT_CALLBACK: 'off',
    RATE_LIMIT_CONNECT_DIALOG: 'off',
    RATE_LIMIT_REPORT_UNAUTHORIZED: 'off',
    RATE_LIMIT_PROXY: 'off',
  };
  const pids = {} as Record<ServiceName, number>;
  // Back-end services first, one at a time: each migrates its schema and creates topics at start.
  for (const name of SERVICES) {
    say(`starting ${name} on ${urls[name]}`);
    const { args, env: runtimeEnv } = nodeArgs(`apps/${name}/src/main.js`);
    pids[name] = spawnRecorded(
      state,
      name,
      [...(options.nodeOptions?.[name] ?? []).flatMap((o) => (o === '--cpu-prof' ? [o, `--cpu-prof-dir=${join(state.runDir, 'profiles')}`] : [o])), ...args, `--bench-run=${state.runDir}`],
      {
        ...env,
        DATABASE_URL: databaseUrls[name],
        ...serviceMemoryEnv(name),
        ...runtimeEnv,
        ...options.serviceEnv?.[name],
        PORT: String(port[name]),
        INSTANCE_ID: name,
        LOG_FILE: join(state.runDir, 'logs', `${name}.json.log`),
      },
      state.runDir,
    );
    await waitUntilOk(`${urls[name]}/health/ready`, name, pids[name], state);
  }
  await waitUntilOk(`${issuer}/.well-known/openid-configuration`, 'sandbox-provider', sandboxPid, state);
  return {
    urls,
    pids,
    sandbox: { issuer, pid: sandboxPid, client },
    env,
    databaseUrl,
    databaseUrls,
    kafkaBrokers: infra.kafkaBrokers.split(','),
    topicPrefix: '',
    vaultKeys,
    internalToken,
  };
}
