/**
 * `npm start` (scripts/start.mjs) as a user meets it, on the run's Kafka and PostgreSQL: the banner
 * leads to the settings UI and the connect dialog, a second day on another database prints a key
 * that works, and the sandbox provider still honours the refresh token it issued the day before.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DATABASE_SERVICES, serviceRole } from '@cb/platform';
import { freePort } from '../../scripts/lib/ports';
import { createTestDatabase, harnessEnv, uniqueName, waitFor } from '../harness';
import { authorizeOverHttp, requestTokens } from '../support/sandbox-provider';

const ROOT = join(__dirname, '..', '..');
const BANNER_END = 'Press Ctrl-C to stop everything.';
/** The first start may build the services (nest build) on a busy machine. */
const FIRST_START_DEADLINE_MS = 150_000;

interface StartRun {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  exitCode(): number | null | undefined;
}

function startScript(env: Record<string, string>): StartRun {
  let stdout = '';
  let stderr = '';
  let exit: number | null | undefined;
  const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, env: { ...process.env, START_SKIP_INSTALL: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.once('exit', (code, signal) => (exit = code ?? (signal ? null : 0)));
  return { child, output: () => ({ stdout, stderr }), exitCode: () => exit };
}

async function banner(run: StartRun, timeoutMs: number): Promise<string> {
  const seen = await waitFor(() => (run.exitCode() !== undefined ? 'exited' : run.output().stdout.includes(BANNER_END) && run.output().stdout), {
    timeoutMs,
    intervalMs: 250,
    description: 'the banner of npm start',
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${run.output().stderr}`);
  });
  if (seen === 'exited') throw new Error(`npm start exited (${run.exitCode()}) before its banner:\n${run.output().stderr}`);
  return seen;
}

async function stop(run: StartRun): Promise<number | null | undefined> {
  if (run.exitCode() === undefined) run.child.kill('SIGINT');
  return waitFor(() => run.exitCode() !== undefined && { code: run.exitCode() }, { timeoutMs: 60_000, intervalMs: 100, description: 'npm start to stop' }).then(({ code }) => code);
}

function field(text: string, pattern: RegExp, what: string): string {
  const value = pattern.exec(text)?.[1];
  if (!value) throw new Error(`the banner has no ${what}:\n${text}`);
  return value;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Five consecutive free ports for the services (gateway first). */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = await freePort();
    const rest = await Promise.all([1, 2, 3, 4].map((offset) => portIsFree(base + offset)));
    if (base + 4 < 65536 && rest.every(Boolean)) return base;
  }
  throw new Error('no five consecutive free ports');
}

/** Which roles each service's connections to `databaseUrl` use (application names start with the service's name). */
async function rolesOfServices(databaseUrl: string): Promise<Record<string, string[]>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ role: string; application: string }>('SELECT usename AS role, application_name AS application FROM pg_stat_activity WHERE datname = current_database()');
    return Object.fromEntries(DATABASE_SERVICES.map((service) => [service, [...new Set(rows.filter((r) => r.application.startsWith(`${service}-`)).map((r) => r.role))]]));
  } finally {
    await client.end();
  }
}

async function getStatus(url: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; body: any }> {
  const response = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // HTML
  }
  return { status: response.status, contentType: response.headers.get('content-type'), body };
}

const runs: StartRun[] = [];
const databases: Array<{ drop(): Promise<void> }> = [];
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cb-quickstart-'));
});

afterAll(async () => {
  for (const run of runs) await stop(run).catch(() => run.child.kill('SIGKILL'));
  for (const database of databases) await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('prints where the settings UI and the connect dialog are, and on a second day (another database, restarted sandbox) prints a working key', async () => {
    const { kafkaBrokers } = harnessEnv();
    const [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    databases.push(first, second);
    const basePort = await freeBasePort();
    const sandboxPort = await freePort();
    const gateway = `http://127.0.0.1:${basePort}`;
    const common = { START_DATA_DIR: dataDir, START_BASE_PORT: String(basePort), SANDBOX_PORT: String(sandboxPort), KAFKA_BROKERS: kafkaBrokers.join(',') };

    // Day one.
    const dayOne = startScript({ ...common, DATABASE_URL: first.url, KAFKA_TOPIC_PREFIX: `${uniqueName('qs1')}.` });
    runs.push(dayOne);
    const text = await banner(dayOne, FIRST_START_DEADLINE_MS);

    const settingsUi = field(text, /Settings UI\s+(\S+)/, 'settings UI');
    const connectDialog = field(text, /Connect dialog\s+(\S+)/, 'connect dialog');
    expect(settingsUi).toBe(`${gateway}/ui/`);
    expect(connectDialog).toBe(`${gateway}/ui/connect.html`);
    for (const url of [settingsUi, connectDialog]) {
      const page = await getStatus(url);
      expect({ url, status: page.status, contentType: page.contentType }).toEqual({ url, status: 200, contentType: 'text/html; charset=utf-8' });
    }
    const keyOfDayOne = field(text, /export CB_KEY=(\S+)/, 'demo key');
    // database-roles ran first: each service connects as its own role, with the password kept for it.
    expect(await rolesOfServices(first.url)).toEqual(Object.fromEntries(DATABASE_SERVICES.map((service) => [service, [serviceRole(service)]])));
    expect(Object.keys(JSON.parse(readFileSync(join(dataDir, 'local-secrets.json'), 'utf8')) as object)).toEqual(expect.arrayContaining(['GATEWAY_DATABASE_PASSWORD', 'TOKEN_REFRESH_DATABASE_PASSWORD']));

    // The printed scrape works: METRICS_TOKEN is made with the other local secrets and read from their file.
    const scrape = field(text, /Metrics \(Prometheus\)[^\n]*:\n\s+(curl [^\n]+)\n/, 'command to scrape the metrics');
    const { stdout: metrics } = await promisify(execFile)('sh', ['-c', scrape], { cwd: ROOT, timeout: 30_000 });
    expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="gateway"\} /m);
    expect(text).not.toContain((JSON.parse(readFileSync(join(dataDir, 'local-secrets.json'), 'utf8')) as { METRICS_TOKEN: string }).METRICS_TOKEN);

    // The one-line way to open the demo connector's connect dialog, as printed.
    const oneLiner = field(text, /connect dialog[^\n]*:\n\s+(npm run [^\n]+)\n/, 'one-line command for the connect dialog');
    const { stdout: link } = await promisify(execFile)('sh', ['-c', oneLiner], { cwd: ROOT, env: { ...process.env, ...common, BROWSER: 'none' }, timeout: 60_000 });
    expect(link.trim()).toMatch(new RegExp(`^${gateway}/ui/connect\\.html#session=`));
    const fragment = new URLSearchParams(new URL(link.trim()).hash.slice(1));
    const sessionToken = fragment.get('session') ?? '';
    expect((await getStatus(link.trim())).status).toBe(200);
    const session = await getStatus(`${gateway}/v1/connect/session`, { authorization: `Bearer ${sessionToken}` });
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ status: 'pending', connector: { name: 'Sandbox provider', mode: 'OAUTH2' } });

    // Connect through the sandbox as the dialog's popup would: the link carries only the session; the sign-in URL comes from the gateway.
    expect(fragment.get('authorizationUrl')).toBeNull();
    const authorize = await fetch(`${gateway}/v1/connect/authorize`, { method: 'POST', headers: { authorization: `Bearer ${sessionToken}` }, signal: AbortSignal.timeout(15_000) });
    expect(authorize.status).toBe(200);
    const { authorizationUrl } = (await authorize.json()) as { authorizationUrl: string };
    const { callbackUrl } = await authorizeOverHttp(authorizationUrl, { username: 'quickstart-user' });
    expect(callbackUrl.origin).toBe(gateway);
    const callback = await fetch(callbackUrl, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    await callback.body?.cancel();
    expect(callback.status).toBeLessThan(400);
    const completed = await waitFor(
      async () => {
        const view = await getStatus(`${gateway}/v1/connect/session`, { authorization: `Bearer ${sessionToken}` });
        return view.body?.status === 'completed' && (view.body as { connectionId: string });
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'the demo connection to complete' },
    );
    const credential = await fetch(`${gateway}/v1/connections/${completed.connectionId}/credential`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyOfDayOne}`, 'content-type': 'application/json' },
      body: JSON.stringify({ includeRefreshToken: true }),
    }).then((response) => response.json() as Promise<{ credential: { refreshToken?: string } }>);
    const refreshToken = credential.credential.refreshToken ?? '';
    expect(refreshToken).not.toBe('');

    expect(await stop(dayOne)).toBe(0);
    expect(await portIsFree(basePort)).toBe(true);

    // Day two: the services on another database; the sandbox keeps its state where it left it.
    const dayTwo = startScript({ ...common, DATABASE_URL: second.url, SANDBOX_DATABASE_URL: first.url, KAFKA_TOPIC_PREFIX: `${uniqueName('qs2')}.` });
    runs.push(dayTwo);
    const textOfDayTwo = await banner(dayTwo, 90_000);
    expect(dayTwo.output().stderr).not.toContain('building the services');
    expect(dayTwo.output().stderr).toContain('the saved demo workspace is not in this database');

    const keyOfDayTwo = field(textOfDayTwo, /export CB_KEY=(\S+)/, 'demo key');
    expect((await getStatus(`${gateway}/v1/connectors`, { authorization: `Bearer ${keyOfDayTwo}` })).status).toBe(200);
    expect((await getStatus(`${gateway}/v1/connectors`, { authorization: `Bearer ${keyOfDayOne}` })).status).toBe(401);

    const { SANDBOX_CLIENT_SECRET } = JSON.parse(readFileSync(join(dataDir, 'local-secrets.json'), 'utf8')) as { SANDBOX_CLIENT_SECRET: string };
    const refreshed = await requestTokens(`http://127.0.0.1:${sandboxPort}/token`, { client_id: 'demo-client', client_secret: SANDBOX_CLIENT_SECRET }, { grant_type: 'refresh_token', refresh_token: refreshToken });
    expect({ status: refreshed.status, error: refreshed.body.error }).toEqual({ status: 200, error: undefined });
    expect(refreshed.body.refresh_token).toEqual(expect.any(String));

    expect(await stop(dayTwo)).toBe(0);
  }, 330_000);

  it('shows on the console why a service failed to start, not only in its log', async () => {
    const missing = new URL(harnessEnv().databaseUrl);
    missing.pathname = `/${uniqueName('missing').replace(/-/g, '_')}`;
    const run = startScript({
      START_DATA_DIR: dataDir,
      START_BASE_PORT: String(await freeBasePort()),
      SANDBOX_PORT: String(await freePort()),
      KAFKA_BROKERS: harnessEnv().kafkaBrokers.join(','),
      DATABASE_URL: harnessEnv().databaseUrl,
      SANDBOX_DATABASE_URL: missing.toString(),
    });
    runs.push(run);

    await waitFor(() => run.exitCode() !== undefined, { timeoutMs: 60_000, intervalMs: 100, description: 'npm start to give up' });

    expect(run.exitCode()).toBe(1);
    expect(run.output().stderr).toContain(`sandbox-provider exited (1):\n  sandbox-provider: cannot open its database (SANDBOX_DATABASE_URL): database "${missing.pathname.slice(1)}" does not exist\n  (full log: ${join(dataDir, 'logs', 'sandbox-provider.log')})`);
  }, 90_000);
});
