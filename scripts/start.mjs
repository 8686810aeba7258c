#!/usr/bin/env node
// `npm start`: the whole system on this machine. Installs dependencies when missing, builds,
// starts Kafka and PostgreSQL (project-owned, unless DATABASE_URL/KAFKA_BROKERS are given), the
// sandbox OAuth provider and the five services, seeds a demo workspace, and stops it all on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, '.data');
const LOGS = join(DATA, 'logs');
const SERVICES = [
  ['connector-config', 3001],
  ['oauth-authorization', 3002],
  ['token-issuance', 3003],
  ['token-refresh', 3004],
  ['gateway', 3000],
];
const SANDBOX_PORT = 4000;
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

/** Secrets for this machine's local run, made once and kept in the git-ignored .data folder. */
function localSecrets() {
  const file = join(DATA, 'local-secrets.json');
  if (!existsSync(file)) {
    const secrets = {
      VAULT_KEYS: `local1:${randomBytes(32).toString('base64')}`,
      INTERNAL_API_TOKEN: randomBytes(24).toString('base64url'),
      SANDBOX_CLIENT_SECRET: randomBytes(24).toString('base64url'),
    };
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return JSON.parse(readFileSync(file, 'utf8'));
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

function spawnLogged(name, args, env) {
  const log = openSync(join(LOGS, `${name}.log`), 'a');
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  child.on('exit', (code, signal) => {
    if (!stopping) fail(`${name} exited (${signal ?? code}); see .data/logs/${name}.log`);
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
  throw new Error(`${name} did not become ready within ${timeoutMs / 1000}s; see .data/logs/${name}.log`);
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
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
  const publicBaseUrl = 'http://127.0.0.1:3000';
  const sandboxIssuer = `http://127.0.0.1:${SANDBOX_PORT}`;

  say('starting the sandbox OAuth provider…');
  spawnLogged('sandbox-provider', ['apps/sandbox-provider/main.mjs'], {
    SANDBOX_PORT: String(SANDBOX_PORT),
    SANDBOX_CLIENTS: JSON.stringify([{ client_id: 'demo-client', client_secret: secrets.SANDBOX_CLIENT_SECRET, redirect_uris: [`${publicBaseUrl}/oauth/callback`] }]),
  });
  await waitUntil(`${sandboxIssuer}/.well-known/openid-configuration`, 'sandbox-provider');

  const shared = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafkaBrokers,
    VAULT_KEYS: secrets.VAULT_KEYS,
    INTERNAL_API_TOKEN: secrets.INTERNAL_API_TOKEN,
    RUN_MODE: 'development',
    PUBLIC_BASE_URL: publicBaseUrl,
    OAUTH_REDIRECT_URI: `${publicBaseUrl}/oauth/callback`,
    CONNECTOR_CONFIG_URL: 'http://127.0.0.1:3001',
    OAUTH_AUTHORIZATION_URL: 'http://127.0.0.1:3002',
    TOKEN_ISSUANCE_URL: 'http://127.0.0.1:3003',
  };
  for (const [name, port] of SERVICES) {
    say(`starting ${name} on :${port}…`);
    spawnLogged(name, [`dist/apps/${name}/src/main.js`], { ...keysFor(name, shared), PORT: String(port) });
  }
  for (const [name, port] of SERVICES) await waitUntil(`http://127.0.0.1:${port}/health/ready`, name);

  const demo = await seedDemo(shared, sandboxIssuer, secrets.SANDBOX_CLIENT_SECRET);
  process.stdout.write(`
Credential Broker is running.
  Gateway (REST API)      ${publicBaseUrl}
  API reference (OpenAPI) ${publicBaseUrl}/docs
  Sandbox OAuth provider  ${sandboxIssuer}   (log in as any user with password "password")
  Logs                    .data/logs/
${demo}
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

/** A demo workspace and an active OAuth connector at the sandbox provider, made on the first start. */
async function seedDemo(env, sandboxIssuer, clientSecret) {
  const file = join(DATA, 'demo.json');
  if (!existsSync(file)) {
    const created = spawnSync(process.execPath, ['dist/apps/gateway/src/cli.js', 'create-workspace', '--name', 'Demo'], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
    if (created.status !== 0) return `  (demo workspace not created: ${created.stderr.trim().split('\n').pop()})\n`;
    const { workspaceId, apiKey } = JSON.parse(created.stdout.trim().split('\n').pop());
    const response = await fetch('http://127.0.0.1:3000/v1/connectors', {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
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
    if (!response.ok) return `  (demo connector not created: ${JSON.stringify(connector)})\n`;
    const activation = await fetch(`http://127.0.0.1:3000/v1/connectors/${connector.id}/activate`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
    if (!activation.ok) return `  (demo connector not activated: ${await activation.text()})\n`;
    writeFileSync(file, JSON.stringify({ workspaceId, apiKey, connectorId: connector.id }, null, 2), { mode: 0o600 });
  }
  const { workspaceId, apiKey, connectorId } = JSON.parse(readFileSync(file, 'utf8'));
  return `
Demo workspace ${workspaceId} (admin key kept in .data/demo.json):
  export CB_KEY=${apiKey}
  curl -s -X POST http://127.0.0.1:3000/v1/connect-sessions -H "authorization: Bearer $CB_KEY" \\
       -H 'content-type: application/json' -d '{"connectorId":"${connectorId}","endUserId":"me"}'
  Open the returned authorizationUrl in a browser, log in and consent; then list connections:
  curl -s http://127.0.0.1:3000/v1/connections -H "authorization: Bearer $CB_KEY"
`;
}

main().catch((error) => fail(error.message));
