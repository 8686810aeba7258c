/**
 * The canary test: unique strings planted in every secret field (OAuth client secrets, secret field
 * defaults, API keys, passwords, custom password fields, bearer tokens, the end user's password at
 * the provider, the broker's own API keys and session tokens), every flow run (OAuth connect with
 * both client authentication methods, reconnect, refresh, failure, denial, client credentials,
 * disconnect with revocation, each typed-credential mode), and the provider's own codes and tokens
 * captured, and the PKCE verifiers the broker generated opened from their sealed rows. The services
 * run as processes at debug level; then every service's log file, stdout and stderr, every Kafka
 * topic (values, keys, headers), every API response other than the credential read, every row of
 * every table in every schema and the raw PostgreSQL files are searched: no canary in plaintext (nor
 * base64 of a client id:secret pair).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Keyring } from '@cb/vault-crypto';
import { stateContext } from '../../apps/oauth-authorization/src/authorization-url/oauth-state.entity';
import { createWorkspace } from '../faults/fault-support';
import { ProcessSystem, startProcessSystem } from '../faults/process-system';
import { collectMessages, waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { activeConnector, Answer, call, CallOptions, dumpAllRows, openSession, sessionReaches, withDb, Workspace, workspaceClient } from '../hostile/hostile-support';
import { parseApiKey } from '../../apps/gateway/src/auth/api-key-format';

const canary = (what: string): string => `CANARY${what.replace(/[^a-z]/gi, '')}${randomBytes(8).toString('hex')}`;

const testStartedAt = Date.now();

describe('the canary: no secret in plaintext anywhere but the credential read', () => {
  let system: ProcessSystem;
  let sandbox: SandboxProvider;
  let workspace: Workspace;
  /** name → planted or captured secret */
  const secrets = new Map<string, string>();
  /** Every API answer except the credential reads (and the session creation's own token). */
  const responses: Array<{ route: string; text: string }> = [];
  const plant = (name: string): string => {
    const value = canary(name);
    secrets.set(name, value);
    return value;
  };
  const capture = (name: string, value: unknown): void => {
    if (typeof value === 'string' && value.length >= 8) secrets.set(name, value);
  };
  const CLIENT_SECRET_BASIC = plant('clientsecretbasic');
  const CLIENT_SECRET_POST = plant('clientsecretpost');
  const CLIENT_SECRET_WRONG = plant('clientsecretwrong');
  const CLIENT_SECRET_CC = plant('clientsecretcc');
  const USER_PASSWORD = plant('userpassword');

  /** An API call whose answer is searched later (unless it is the credential read). */
  const api = async <T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> => {
    const answer = await workspace.call<T>(method, path, options);
    if (!/\/credential$/.test(path)) responses.push({ route: `${method} ${path}`, text: answer.text });
    return answer;
  };
  const dialog = async (method: string, path: string, sessionToken: string, body?: unknown): Promise<Answer> => {
    const answer = await call(system.urls.gateway, method, path, { headers: { authorization: `Bearer ${sessionToken}` }, ...(body === undefined ? {} : { body }) });
    responses.push({ route: `${method} ${path}`, text: answer.text });
    return answer;
  };
  const session = async (body: Record<string, unknown>): Promise<{ sessionId: string; sessionToken: string; connectionId: string; authorizationUrl?: string }> => {
    const opened = await openSession(workspace, body);
    secrets.set(`sessiontoken-${opened.sessionId}`, opened.sessionToken);
    return opened;
  };
  const readCredential = async (connectionId: string): Promise<Record<string, unknown>> => {
    const answer = await api<{ credential: Record<string, unknown> }>('POST', `/v1/connections/${connectionId}/credential`, { body: { includeRefreshToken: true } });
    expect(answer.status).toBe(200);
    for (const name of ['accessToken', 'refreshToken', 'idToken', 'apiKey', 'password', 'token']) capture(`${connectionId}:${name}`, answer.body.credential[name]);
    return answer.body.credential;
  };
  const browser = async (url: string, options: { deny?: boolean; username?: string; password?: string } = {}): Promise<{ callbackUrl: URL }> => {
    const result = await authorizeOverHttp(url, { username: options.username ?? 'carol', password: options.password ?? USER_PASSWORD, ...(options.deny ? { deny: true } : {}) });
    capture(`code-${secrets.size}`, result.callbackUrl.searchParams.get('code'));
    const page = await fetch(result.callbackUrl, { redirect: 'manual' });
    responses.push({ route: 'GET /oauth/callback', text: await page.text() });
    return result;
  };

  beforeAll(async () => {
    system = await startProcessSystem({ env: { LOG_LEVEL: 'debug' } });
    const redirectUri = `${system.urls.gateway}/oauth/callback`;
    sandbox = await startSandboxProvider({
      clients: [
        { client_id: 'canary-basic', client_secret: CLIENT_SECRET_BASIC, redirect_uris: [redirectUri] },
        { client_id: 'canary-post', client_secret: CLIENT_SECRET_POST, redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_post' },
        { client_id: 'canary-cc', client_secret: CLIENT_SECRET_CC, redirect_uris: [redirectUri] },
      ],
      users: [{ username: 'carol', password: USER_PASSWORD }],
      accessTokenTtlSeconds: 3600,
    });
    workspace = workspaceClient(system.urls.gateway, await createWorkspace(system.databaseUrls.gateway, 'Canary Co'));
    secrets.set('workspace-api-key', secretOf(workspace.apiKey));
  }, 240_000); // the first start in a run compiles the services

  afterAll(async () => {
    await sandbox?.stop();
    await system?.stop();
  });

  it('runs every flow with planted secrets', async () => {
    const oauth = (clientId: string, clientSecret: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      revocationUrl: sandbox.urls.revocation,
      clientId,
      clientSecret,
      scopes: ['openid', 'profile', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
      ...extra,
    });
    const created = async (slug: string, config: Record<string, unknown>): Promise<string> => {
      const id = await activeConnector(workspace, slug, config);
      responses.push({ route: `GET /v1/connectors/${id}`, text: (await api('GET', `/v1/connectors/${id}`)).text });
      return id;
    };
    const basic = await created('canary-basic', oauth('canary-basic', CLIENT_SECRET_BASIC));
    const post = await created('canary-post', oauth('canary-post', CLIENT_SECRET_POST, { clientAuthMethod: 'client_secret_post' }));
    const wrong = await created('canary-wrong', oauth('canary-basic', CLIENT_SECRET_WRONG));
    const clientCredentials = await created('canary-cc', { ...oauth('canary-cc', CLIENT_SECRET_CC), grantType: 'client_credentials', scopes: ['api:read'], authorizationParams: {} });
    const custom = await created('canary-custom', {
      mode: 'CUSTOM',
      fields: [
        { key: 'account', label: 'Account', type: 'text', required: true },
        { key: 'secret', label: 'Secret', type: 'password', required: true },
        { key: 'pin', label: 'PIN', type: 'password', required: false, default: plant('fielddefault') },
      ],
    });
    const apiKey = await created('canary-apikey', { mode: 'API_KEY', headerName: 'X-Key' });
    const basicAuth = await created('canary-basicauth', { mode: 'BASIC' });
    const bearer = await created('canary-bearer', { mode: 'BEARER' });
    // an edit of an active connector re-announces its (sealed) secret
    expect((await api('PATCH', `/v1/connectors/${basic}`, { body: { name: 'Canary basic (edited)' } })).status).toBe(200);

    // OAuth: connect with basic and post client authentication, reconnect, refresh, deny, fail
    const first = await session({ connectorId: basic, endUserId: 'canary-1' });
    await browser(first.authorizationUrl as string);
    await sessionReaches(workspace, first.sessionId, 'completed');
    await readCredential(first.connectionId);
    const second = await session({ connectorId: post, endUserId: 'canary-2' });
    await browser(second.authorizationUrl as string);
    await sessionReaches(workspace, second.sessionId, 'completed');
    await readCredential(second.connectionId);
    const again = await session({ connectorId: basic, connectionId: first.connectionId });
    await browser(again.authorizationUrl as string);
    await sessionReaches(workspace, again.sessionId, 'completed');
    await readCredential(first.connectionId);
    const refreshed = await api<{ outcome: string }>('POST', `/v1/connections/${second.connectionId}/report-unauthorized`, { body: {} });
    expect(refreshed.body.outcome).toBe('refreshed');
    await readCredential(second.connectionId);
    const denied = await session({ connectorId: basic, endUserId: 'canary-denied' });
    await browser(denied.authorizationUrl as string, { deny: true });
    await sessionReaches(workspace, denied.sessionId, 'failed');
    const failing = await session({ connectorId: wrong, endUserId: 'canary-wrong' });
    await browser(failing.authorizationUrl as string);
    await sessionReaches(workspace, failing.sessionId, 'failed');
    // client credentials: no browser, the broker asks the token endpoint itself
    const machine = await session({ connectorId: clientCredentials, endUserId: 'canary-machine' });
    expect(machine.authorizationUrl).toBeUndefined();
    await sessionReaches(workspace, machine.sessionId, 'completed');
    expect((await readCredential(machine.connectionId)).accessToken).toEqual(expect.any(String));

    // typed credentials, each mode
    const typed = async (connectorId: string, body: Record<string, unknown>): Promise<void> => {
      const opened = await session({ connectorId, endUserId: `typed-${connectorId.slice(0, 8)}` });
      expect((await dialog('GET', '/v1/connect/session', opened.sessionToken)).status).toBe(200);
      expect((await dialog('POST', '/v1/connect/credentials', opened.sessionToken, body)).status).toBe(202);
      await sessionReaches(workspace, opened.sessionId, 'completed');
      await readCredential(opened.connectionId);
    };
    await typed(custom, { values: { account: 'acme', secret: plant('customsecret') } });
    await typed(apiKey, { apiKey: plant('apikey') });
    await typed(basicAuth, { username: 'canary-user', password: plant('basicpassword') });
    await typed(bearer, { token: plant('bearertoken') });
    // a refused submission must not echo what it refused
    const refused = await session({ connectorId: apiKey, endUserId: 'typed-refused' });
    expect((await dialog('POST', '/v1/connect/credentials', refused.sessionToken, { apiKey: plant('refusedapikey'), extra: plant('refusedextra') })).status).toBe(400);

    // listings and reads of everything, a disconnect with revocation, a key created and listed
    await api('GET', '/v1/connectors');
    await api('GET', '/v1/connections');
    await api('GET', `/v1/connections/${first.connectionId}`);
    await api('GET', `/v1/connect-sessions/${first.sessionId}`);
    const removed = await api<{ revocation?: string }>('DELETE', `/v1/connections/${second.connectionId}`);
    expect(removed.status).toBe(200);
    const key = await api<{ apiKey: string }>('POST', '/v1/api-keys', { body: { name: 'canary', scopes: ['connect'] } });
    secrets.set('created-api-key', secretOf(key.body.apiKey));
    responses.pop(); // the one answer that carries the new key, by design
    await api('GET', '/v1/api-keys');

    // the PKCE verifiers the broker made for the five browser flows, opened from their sealed rows
    const keyring = Keyring.fromConfig(system.env.VAULT_KEYS as string);
    const states = await withDb(system.databaseUrl, async (db) => (await db.query<{ hash: string; sealed: string }>('SELECT state_hash AS hash, sealed_code_verifier AS sealed FROM oauth_authorization.oauth_states')).rows);
    expect(states.map((state) => state.sealed)).toEqual(Array.from({ length: 5 }, () => expect.stringMatching(/^v1\./)));
    for (const state of states) secrets.set(`pkce-verifier-${state.hash.slice(0, 8)}`, keyring.open(state.sealed, stateContext(state.hash)));
    expect(secrets.size).toBeGreaterThan(25);
  });

  it('finds no canary, captured token or code in logs, Kafka, API responses or the database', async () => {
    const topics = await new Kafka({ clientId: 'canary', brokers: system.kafkaBrokers, logLevel: logLevel.NOTHING }).admin().listTopics().catch(() => [] as string[]);
    const ours = topics.filter((t) => t.startsWith(system.topicPrefix));
    expect(ours.length).toBeGreaterThanOrEqual(9);
    const collector = await collectMessages({ brokers: system.kafkaBrokers, topics: ours, fromBeginning: true });
    const expected = await withDb(system.databaseUrl, async (db) => {
      const rows = await db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM connector_config.outbox) + (SELECT count(*) FROM oauth_authorization.outbox) + (SELECT count(*) FROM token_issuance.outbox) + (SELECT count(*) FROM token_refresh.outbox) AS n`,
      );
      return Number(rows.rows[0]?.n);
    });
    await waitFor(() => collector.messages.length >= expected, { timeoutMs: 30_000, description: `${expected} messages` });
    await collector.stop();

    const haystacks: Record<string, string> = {
      'log files': system.logs(),
      'stdout and stderr': system.output(),
      'sandbox logs': sandbox.logs().join('\n'),
      kafka: collector.messages.map((m) => `${m.topic} ${m.key} ${m.value} ${JSON.stringify(m.headers)}`).join('\n'),
      'API responses': responses.map((r) => `${r.route} ${r.text}`).join('\n'),
      database: await withDb(system.databaseUrl, dumpAllRows),
    };
    // A plaintext value written on purpose must be found in the raw files, or the search proves nothing.
    const probe = `raw-probe-${randomBytes(8).toString('hex')}`;
    await withDb(system.databaseUrl, async (db) => {
      await db.query('CREATE TABLE public.raw_probe (v text)');
      await db.query('INSERT INTO public.raw_probe (v) VALUES ($1)', [probe]);
    });
    const rawFiles = await rawDatabaseFiles(system.databaseUrl, testStartedAt);
    expect(rawFiles.some((file) => readIfPresent(file)?.includes(probe))).toBe(true);
    const needles = new Map(secrets);
    for (const [client, secret] of [['canary-basic', CLIENT_SECRET_BASIC], ['canary-post', CLIENT_SECRET_POST], ['canary-cc', CLIENT_SECRET_CC]] as const) {
      needles.set(`basic-auth ${client}`, Buffer.from(`${client}:${secret}`).toString('base64'));
    }
    const found: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [name, value] of needles) {
        if (name.startsWith('sessiontoken-') && where === 'API responses') continue; // handed to the caller that opened the session
        if (text.includes(value)) found.push(`${name} in ${where}`);
      }
    }
    for (const file of rawFiles) {
      const bytes = readIfPresent(file);
      for (const [name, value] of needles) if (bytes?.includes(value)) found.push(`${name} in ${file}, amid: ${printableAround(bytes, value)}`);
    }
    process.stdout.write(
      `canary: ${needles.size} secrets searched in ${Object.entries(haystacks).map(([w, t]) => `${w} (${t.length} chars)`).join(', ')}; ${collector.messages.length} Kafka messages; ${responses.length} API responses; ${rawFiles.length} raw PostgreSQL files\n`,
    );
    expect(found).toEqual([]);
    const keyId = (system.env.VAULT_KEYS as string).split(':')[0] as string;
    expect(haystacks.database).toContain(`v1.${keyId}.`); // the sealed values are there, as ciphertext
  });
});

/**
 * The database's own files and the WAL written during this test, after a CHECKPOINT: what a stolen
 * disk or backup would hold. They are on this machine only where the harness started the cluster
 * itself (TEST_INFRA=local); anywhere else the search cannot be made, which fails the test.
 */
async function rawDatabaseFiles(databaseUrl: string, since: number): Promise<string[]> {
  const dataDir = process.env.HARNESS_POSTGRES_DATA_DIR;
  if (!dataDir || !existsSync(dataDir)) {
    throw new Error(`the raw PostgreSQL files cannot be searched (HARNESS_POSTGRES_DATA_DIR is ${dataDir ? `${dataDir}, which does not exist` : 'not set'}): run this test with TEST_INFRA=local`);
  }
  const oid = await withDb(databaseUrl, async (db) => {
    await db.query('CHECKPOINT');
    return (await db.query<{ oid: number }>('SELECT oid FROM pg_database WHERE datname = current_database()')).rows[0]?.oid;
  });
  const stat = (path: string) => statSync(path, { throwIfNoEntry: false });
  const files = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)).filter((path) => stat(path)?.isFile()) : []);
  const wal = files(join(dataDir, 'pg_wal')).filter((path) => (stat(path)?.mtimeMs ?? 0) >= since);
  return [...files(join(dataDir, 'base', String(oid))), ...wal];
}

/** The secret part of an API key; it may itself contain underscores, so never split on them. */
function secretOf(apiKey: string): string {
  const secret = parseApiKey(apiKey)?.secret;
  if (!secret) throw new Error('not an API key');
  return secret;
}

/** What surrounds a finding in a raw file (printable bytes only, the secret itself masked): which table or record holds it. */
function printableAround(bytes: Buffer, value: string): string {
  const at = bytes.indexOf(value);
  const around = bytes.subarray(Math.max(0, at - 300), at + value.length + 100).toString('latin1').replace(value, '<secret>');
  return JSON.stringify(around.replace(/[^\x20-\x7e]+/g, ' '));
}

/** PostgreSQL removes some files while it runs (pg_internal.init, recycled WAL): one gone is no finding. */
function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
