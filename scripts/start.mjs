#!/usr/bin/env node
// `npm start`: the whole system on this machine. Installs dependencies when missing, builds,
// starts Kafka and PostgreSQL (project-owned, unless DATABASE_URL/KAFKA_BROKERS are given), the
// sandbox OAuth provider, gives each service its own database role (database-roles), starts the
// five services, each connecting as its role, seeds a demo workspace, and stops it all on Ctrl-C.
// NODE_VERSION=22 (or 20, 24) runs it under that Node (scripts/node-version.cjs).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failureReason } from './failure-reason.cjs';
import { handOverToRequestedNode } from './node-version.cjs';
import { serviceMemoryEnv } from './service-memory.cjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const exitCode = await handOverToRequestedNode({ root: ROOT, script: fileURLToPath(import.meta.url), args: process.argv.slice(2) }).catch((error) => {
  process.stderr.write(`[start] error: ${error.message}\n`);
  return 2;
});
if (exitCode !== undefined) process.exit(exitCode);

const DATA = process.env.START_DATA_DIR ? resolve(process.env.START_DATA_DIR) : join(ROOT, '.data');
const LOGS = join(DATA, 'logs');
const BASE_PORT = Number(process.env.START_BASE_PORT || 3000);
const SERVICES = [
  ['connector-config', BASE_PORT + 1],
  ['oauth-authorization', BASE_PORT + 2],
  ['token-issuance', BASE_PORT + 3],
  ['token-refresh', BASE_PORT + 4],
  ['gateway', BASE_PORT],
];
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT || 4000);
const children = [];
let stopping = false;

const say = (message) => process.stderr.write(`[start] ${message}\n`);
function fail(message) {
  say(`error: ${message}`);
  void shutdown(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function ensureDependencies() {
  // A caller that installed the dependencies itself (the test suite) must not see them reinstalled under it.
  if (process.env.START_SKIP_INSTALL === '1') return;
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(join(ROOT, 'package-lock.json')).mtimeMs) return;
  say('installing dependencies (npm ci; the first time takes a minute or two)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function ensureBuild() {
  const stamp = join(ROOT, 'dist', '.build-stamp');
  const sources = Math.max(newestMtime(join(ROOT, 'apps')), newestMtime(join(ROOT, 'libs')), statSync(join(ROOT, 'tsconfig.json')).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  say('building the services (nest build)…');
  run('npx', ['nest', 'build', 'gateway']);
  writeFileSync(stamp, new Date().toISOString());
}

/** `GATEWAY_DATABASE_PASSWORD`, `CONNECTOR_CONFIG_DATABASE_PASSWORD`, …: the variable database-roles reads each role's password from. */
const passwordVariable = (name) => `${name.replace(/-/g, '_').toUpperCase()}_DATABASE_PASSWORD`;

/**
 * Secrets for this machine's local run, made once and kept in the git-ignored .data folder; a
 * file from before a secret existed gets it added. A role's password given in the environment wins.
 */
function localSecrets() {
  const file = join(DATA, 'local-secrets.json');
  const kept = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets = {
    VAULT_KEYS: `local1:${randomBytes(32).toString('base64')}`,
    INTERNAL_API_TOKEN: randomBytes(24).toString('base64url'),
    METRICS_TOKEN: randomBytes(24).toString('base64url'),
    SANDBOX_CLIENT_SECRET: randomBytes(24).toString('base64url'),
    ...Object.fromEntries(SERVICES.map(([name]) => [passwordVariable(name), randomBytes(24).toString('hex')])),
    ...kept,
  };
  if (Object.keys(secrets).some((key) => !(key in kept))) writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  for (const [name] of SERVICES) secrets[passwordVariable(name)] = process.env[passwordVariable(name)] || secrets[passwordVariable(name)];
  return secrets;
}

/** What every child inherits: not the admin's DATABASE_URL nor any role's password; each gets what it needs explicitly. */
function inheritedEnv() {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.DATABASE_ADMIN_URL;
  for (const [name] of SERVICES) delete env[passwordVariable(name)];
  return env;
}

/**
 * Runs database-roles with the admin's URL: a login role per service (DATABASE_ROLE_PREFIX, `cb_`
 * by default), owning that service's schema and reaching no other. Returns each service's URL.
 */
function provisionDatabaseRoles(adminUrl, secrets) {
  const passwords = Object.fromEntries(SERVICES.map(([name]) => [passwordVariable(name), secrets[passwordVariable(name)]]));
  const result = spawnSync(process.execPath, ['dist/apps/database-roles/src/main.js'], {
    cwd: ROOT,
    env: { ...inheritedEnv(), DATABASE_ADMIN_URL: adminUrl, ...passwords },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) {
    throw new Error(`the services' database roles were not made (${result.stderr.trim() || `exit ${result.status ?? result.signal}`}); a DATABASE_URL given to npm start must be one that may create roles and schemas`);
  }
  const { roles } = JSON.parse(result.stdout.trim().split('\n').pop());
  const changed = roles.filter((r) => r.changes.length > 0);
  if (changed.length > 0) say(`database roles: ${changed.map((r) => `${r.role} (${r.changes.join(', ')})`).join('; ')}`);
  return Object.fromEntries(
    roles.map(({ service, role }) => {
      const url = new URL(adminUrl);
      url.username = encodeURIComponent(role);
      url.password = encodeURIComponent(secrets[passwordVariable(service)]);
      return [service, url.toString()];
    }),
  );
}

function startInfrastructure() {
  let kafkaBrokers = process.env.KAFKA_BROKERS;
  if (!kafkaBrokers) {
    run('bash', ['scripts/infra/kafka.sh', 'fetch']);
    run('bash', ['scripts/infra/kafka.sh', 'start']);
    kafkaBrokers = `127.0.0.1:${process.env.KAFKA_PORT ?? 19092}`;
  }
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    run('bash', ['scripts/infra/postgres.sh', 'start']);
    const admin = spawnSync('bash', ['scripts/infra/postgres.sh', 'url'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
    run('node', ['-e', `
      const { Client } = require('pg');
      const c = new Client({ connectionString: ${JSON.stringify(admin)} });
      c.connect().then(async () => {
        const { rowCount } = await c.query("SELECT 1 FROM pg_database WHERE datname = 'credential_broker'");
        if (!rowCount) await c.query('CREATE DATABASE credential_broker');
        await c.end();
      }).catch((e) => { console.error(e.message); process.exit(1); });`]);
    const url = new URL(admin);
    url.pathname = '/credential_broker';
    databaseUrl = url.toString();
  }
  return { kafkaBrokers, databaseUrl };
}

function shown(path) {
  const fromHere = relative(process.cwd(), path);
  return fromHere && !fromHere.startsWith('..') ? fromHere : path;
}

/** What a log file got after `offset`: the run of the process that writes to it now. */
function readFrom(file, offset) {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, statSync(file).size - offset));
    readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function spawnLogged(name, args, env) {
  const file = join(LOGS, `${name}.log`);
  const offset = existsSync(file) ? statSync(file).size : 0;
  const log = openSync(file, 'a');
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...inheritedEnv(), ...env }, stdio: ['ignore', log, log] });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    const reason = failureReason(readFrom(file, offset));
    const indented = (text) => `\n  ${text.split('\n').join('\n  ')}`;
    fail(`${name} exited (${signal ?? code})${reason ? `:${indented(reason)}` : ''}${indented(`(full log: ${shown(file)})`)}`);
  });
  children.push({ name, child });
  return child;
}

async function waitUntil(url, name, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} did not become ready within ${timeoutMs / 1000}s; see ${shown(join(LOGS, `${name}.log`))}`);
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  rmSync(join(DATA, 'run.json'), { force: true });
  for (const { child } of [...children].reverse()) child.kill('SIGTERM');
  await Promise.all(children.map(({ child }) => (child.exitCode !== null || child.signalCode !== null ? null : new Promise((r) => child.once('exit', r)))));
  if (!process.env.KAFKA_BROKERS) spawnSync('bash', ['scripts/infra/kafka.sh', 'stop'], { cwd: ROOT, stdio: 'inherit' });
  if (!process.env.DATABASE_URL) spawnSync('bash', ['scripts/infra/postgres.sh', 'stop'], { cwd: ROOT, stdio: 'inherit' });
  process.exit(code);
}

async function main() {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  mkdirSync(LOGS, { recursive: true });
  ensureDependencies();
  ensureBuild();
  const secrets = localSecrets();
  const { kafkaBrokers, databaseUrl } = startInfrastructure();
  const publicBaseUrl = `http://127.0.0.1:${BASE_PORT}`;
  const sandboxIssuer = `http://127.0.0.1:${SANDBOX_PORT}`;

  say('starting the sandbox OAuth provider…');
  spawnLogged('sandbox-provider', ['apps/sandbox-provider/main.mjs'], {
    SANDBOX_PORT: String(SANDBOX_PORT),
    // Its grants and keys live beside the services' data, so connections keep refreshing after a restart.
    SANDBOX_DATABASE_URL: process.env.SANDBOX_DATABASE_URL || databaseUrl,
    SANDBOX_CLIENTS: JSON.stringify([{ client_id: 'demo-client', client_secret: secrets.SANDBOX_CLIENT_SECRET, redirect_uris: [`${publicBaseUrl}/oauth/callback`] }]),
  });
  await waitUntil(`${sandboxIssuer}/.well-known/openid-configuration`, 'sandbox-provider');

  const databaseUrls = provisionDatabaseRoles(databaseUrl, secrets);
  const shared = {
    KAFKA_BROKERS: kafkaBrokers,
    VAULT_KEYS: secrets.VAULT_KEYS,
    INTERNAL_API_TOKEN: secrets.INTERNAL_API_TOKEN,
    METRICS_TOKEN: secrets.METRICS_TOKEN,
    RUN_MODE: 'development',
    PUBLIC_BASE_URL: publicBaseUrl,
    OAUTH_REDIRECT_URI: `${publicBaseUrl}/oauth/callback`,
    CONNECTOR_CONFIG_URL: `http://127.0.0.1:${BASE_PORT + 1}`,
    OAUTH_AUTHORIZATION_URL: `http://127.0.0.1:${BASE_PORT + 2}`,
    TOKEN_ISSUANCE_URL: `http://127.0.0.1:${BASE_PORT + 3}`,
  };
  const envFor = (name) => ({ ...keysFor(name, shared), DATABASE_URL: databaseUrls[name] });
  for (const [name, port] of SERVICES) {
    say(`starting ${name} on :${port}…`);
    spawnLogged(name, [`dist/apps/${name}/src/main.js`], { ...envFor(name), ...serviceMemoryEnv(name), PORT: String(port) });
  }
  for (const [name, port] of SERVICES) await waitUntil(`http://127.0.0.1:${port}/health/ready`, name);

  const demo = await seedDemo(envFor('gateway'), publicBaseUrl, sandboxIssuer, secrets.SANDBOX_CLIENT_SECRET).catch((error) => ({ problem: error.message }));
  if (!demo.problem) writeFileSync(join(DATA, 'run.json'), JSON.stringify({ pid: process.pid, gatewayUrl: publicBaseUrl, demo }, null, 2), { mode: 0o600 });
  const logs = shown(LOGS);
  process.stdout.write(`
Credential Broker is running.
  Gateway (REST API)      ${publicBaseUrl}
  API reference (OpenAPI) ${publicBaseUrl}/docs
  Settings UI             ${publicBaseUrl}/ui/   (sign in with an API key, e.g. the demo key below)
  Connect dialog          ${publicBaseUrl}/ui/connect.html   (opened with a connect session's token: #session=…)
  Sandbox OAuth provider  ${sandboxIssuer}   (log in as any user with password "password")
  Logs                    ${logs}/
  Metrics (Prometheus)    GET /metrics on every service (ports ${SERVICES.map(([, port]) => port).join(', ')}) with METRICS_TOKEN from ${shown(join(DATA, 'local-secrets.json'))}:
    curl -s ${publicBaseUrl}/metrics -H "authorization: Bearer $(node -p 'require(process.argv[1]).METRICS_TOKEN' ${join(DATA, 'local-secrets.json')})"
${demoText(demo, publicBaseUrl)}
Press Ctrl-C to stop everything.
`);
}

/** Only the services that seal or open secrets get the vault keys; the gateway and token-refresh run without them. */
function keysFor(name, env) {
  if (['connector-config', 'oauth-authorization', 'token-issuance'].includes(name)) return env;
  const withoutKeys = { ...env };
  delete withoutKeys.VAULT_KEYS;
  return withoutKeys;
}

/** The demo workspace of this database: the saved one while its key still works, otherwise a new one (by the gateway's command line, with the gateway's environment). */
async function seedDemo(env, gatewayUrl, sandboxIssuer, clientSecret) {
  const file = join(DATA, 'demo.json');
  const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  if (saved && (await demoStillThere(gatewayUrl, saved))) return saved;
  if (saved) say('the saved demo workspace is not in this database (another DATABASE_URL, or a reset); making a new one…');
  const created = spawnSync(process.execPath, ['dist/apps/gateway/src/cli.js', 'create-workspace', '--name', 'Demo'], { cwd: ROOT, env: { ...inheritedEnv(), ...env }, encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`demo workspace not created: ${created.stderr.trim().split('\n').pop()}`);
  const { workspaceId, apiKey } = JSON.parse(created.stdout.trim().split('\n').pop());
  const authorization = { authorization: `Bearer ${apiKey}` };
  const response = await fetch(`${gatewayUrl}/v1/connectors`, {
    method: 'POST',
    headers: { ...authorization, 'content-type': 'application/json' },
    body: JSON.stringify({
      slug: 'sandbox',
      name: 'Sandbox provider',
      config: {
        mode: 'OAUTH2',
        authorizationUrl: `${sandboxIssuer}/auth`,
        tokenUrl: `${sandboxIssuer}/token`,
        revocationUrl: `${sandboxIssuer}/token/revocation`,
        clientId: 'demo-client',
        clientSecret,
        scopes: ['openid', 'profile', 'email', 'offline_access'],
        authorizationParams: { prompt: 'consent' },
      },
    }),
  });
  const connector = await response.json();
  if (!response.ok) throw new Error(`demo connector not created: ${JSON.stringify(connector)}`);
  const activation = await fetch(`${gatewayUrl}/v1/connectors/${connector.id}/activate`, { method: 'POST', headers: authorization });
  if (!activation.ok) throw new Error(`demo connector not activated: ${await activation.text()}`);
  const demo = { workspaceId, apiKey, connectorId: connector.id };
  writeFileSync(file, JSON.stringify(demo, null, 2), { mode: 0o600 });
  return demo;
}

/** The saved key is refused (401) or its connector is gone (404) when the database is not the one it was made in. */
async function demoStillThere(gatewayUrl, demo) {
  const response = await fetch(`${gatewayUrl}/v1/connectors/${demo.connectorId}`, { headers: { authorization: `Bearer ${demo.apiKey}` } });
  await response.body?.cancel();
  if (response.status === 401 || response.status === 404) return false;
  if (!response.ok) throw new Error(`the saved demo workspace could not be checked (HTTP ${response.status})`);
  return true;
}

function demoText(demo, gatewayUrl) {
  if (demo.problem) return `\n  (${demo.problem})\n`;
  return `
Demo workspace ${demo.workspaceId} (admin key kept in ${shown(join(DATA, 'demo.json'))}):
  export CB_KEY=${demo.apiKey}
  Open the demo connector's connect dialog (a fresh connect session; BROWSER=none only prints the link):
    npm run -s demo:connect
  Or over the API: open a connect session, open its authorizationUrl in a browser, log in and consent:
  curl -s -X POST ${gatewayUrl}/v1/connect-sessions -H "authorization: Bearer $CB_KEY" \\
       -H 'content-type: application/json' -d '{"connectorId":"${demo.connectorId}","endUserId":"me"}'
  Then list connections:
  curl -s ${gatewayUrl}/v1/connections -H "authorization: Bearer $CB_KEY"
`;
}

main().catch((error) => fail(error.message));
