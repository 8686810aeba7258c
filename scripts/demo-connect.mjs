#!/usr/bin/env node
// `npm run demo:connect`: opens a fresh connect session for the demo connector of the running
// `npm start` and prints the link to its connect dialog; opens it in a browser unless BROWSER=none.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = process.env.START_DATA_DIR ? resolve(process.env.START_DATA_DIR) : join(ROOT, '.data');
const CONNECTABLE_WITHIN_MS = 20_000;

function running() {
  const file = join(DATA, 'run.json');
  const run = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  try {
    if (run) process.kill(run.pid, 0);
    return run;
  } catch {
    return undefined;
  }
}

/** Right after `npm start` the activation may not have reached the connect service yet (404 for a moment). */
async function openSession(broker, CredentialBrokerError, connectorId) {
  const deadline = Date.now() + CONNECTABLE_WITHIN_MS;
  for (;;) {
    try {
      return await broker.connectSessions.create({ connectorId, endUserId: 'demo-user' });
    } catch (error) {
      const notYet = error instanceof CredentialBrokerError && error.status === 404;
      if (!notYet || Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 250));
    }
  }
}

function openInBrowser(link) {
  const browser = process.env.BROWSER || { darwin: 'open', win32: 'explorer' }[process.platform] || 'xdg-open';
  if (browser === 'none') return;
  const child = spawn(browser, [link], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`(no browser could be opened with ${browser}: open the link above)\n`));
  child.unref();
}

async function main() {
  const run = running();
  if (!run) throw new Error('Credential Broker is not running here: start it with `npm start` first');
  const require = createRequire(import.meta.url);
  require('reflect-metadata');
  const { CredentialBrokerClient, CredentialBrokerError } = require(join(ROOT, 'dist', 'libs', 'sdk', 'src', 'index.js'));
  const broker = new CredentialBrokerClient({ baseUrl: run.gatewayUrl, apiKey: run.demo.apiKey });
  const session = await openSession(broker, CredentialBrokerError, run.demo.connectorId);
  const link = broker.connectSessions.dialogUrl(session, run.gatewayUrl);
  process.stdout.write(`${link}\n`);
  openInBrowser(link);
}

main().catch((error) => {
  process.stderr.write(`demo:connect: ${error.message}\n`);
  process.exit(1);
});
