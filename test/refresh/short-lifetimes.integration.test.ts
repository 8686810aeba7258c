/**
 * Tokens that live shorter than the connector's refresh margin (issue 13, item 3): all five
 * services, real Kafka and PostgreSQL, and two sandbox oidc-providers (one for the authorization
 * code connector, one for the client-credentials connector, so that each one's token requests can
 * be counted apart). The schedule keeps its production lease (30 s): unbounded, a refresh failing
 * at half-life would next be tried long after the token expired.
 */
import { TokenIssued } from '@cb/events';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { Broker } from './lifecycle-helpers';
import { withDatabase } from './refresh-events';

const CODE_TOKEN_SECONDS = 12;
const MACHINE_TOKEN_SECONDS = 6;
const LOAD_MS = 15_000;

/** Paces a load loop (not a wait for a condition). */

interface RefreshView {
  state: string;
  lastErrorCode: string | null;
  failedAttempts: number;
  nextAttemptAt: string | null;
}

interface ConnectionView {
  status: string;
  expiresAt: string | null;
  credentialVersion: number;
  refresh: RefreshView;
}

interface Attempt {
  trigger: string;
  outcome: string;
  error_code: string | null;
  attempted_at: Date;
}

describe('tokens shorter than the refresh margin', () => {
  let system: RunningSystem;
  let codeProvider: SandboxProvider;
  let machineProvider: SandboxProvider;
  let events: MessageCollector;
  let broker: Broker;

  const issued = (connectionId: string): Array<{ reason: string; expiresAt: string; credentialVersion: number }> =>
    events.messages
      .filter((m) => m.topic === system.topic(TokenIssued.topic))
      .map((m) => JSON.parse(m.value) as { connectionId: string; reason: string; expiresAt: string; credentialVersion: number })
      .filter((p) => p.connectionId === connectionId);
  const attempts = (connectionId: string): Promise<Attempt[]> =>
    withDatabase(system.databaseUrl, async (c) => (await c.query<Attempt>('SELECT trigger, outcome, error_code, attempted_at FROM token_issuance.refresh_attempts WHERE connection_id = $1 ORDER BY id', [connectionId])).rows);
  const view = async (connectionId: string): Promise<ConnectionView> => {
    const answer = await broker.gateway<ConnectionView>('GET', `/v1/connections/${connectionId}`);
    expect(answer.status).toBe(200);
    return answer.body;
  };

  beforeAll(async () => {
    system = await startSystem({
      serviceEnv: { 'token-refresh': { REFRESH_POLL_INTERVAL_MS: '250' }, 'token-issuance': { TOKEN_REQUEST_TIMEOUT_MS: '4000' } },
    });
    codeProvider = await startSandboxProvider({
      accessTokenTtlSeconds: CODE_TOKEN_SECONDS,
      clients: [{ client_id: 'cb-short', client_secret: 'cb-short-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`] }],
    });
    machineProvider = await startSandboxProvider({
      accessTokenTtlSeconds: MACHINE_TOKEN_SECONDS,
      clients: [{ client_id: 'cb-machine', client_secret: 'cb-machine-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`], token_endpoint_auth_method: 'client_secret_post' }],
    });
    events = await collectMessages({ brokers: system.kafkaBrokers, topics: [system.topic(TokenIssued.topic)] });
    broker = await Broker.create(system, 'short-lifetimes');
  });

  afterAll(async () => {
    await events?.stop();
    await machineProvider?.stop();
    await codeProvider?.stop();
    await system?.stop();
  });

  it('a refresh failing with 500 at half-life is retried twice before the token expires, shows as failing meanwhile, and succeeds near expiry once the provider heals', async () => {
    const connectorId = await broker.connector('short-code', {
      mode: 'OAUTH2',
      authorizationUrl: codeProvider.urls.authorization,
      tokenUrl: codeProvider.urls.token,
      clientId: 'cb-short',
      clientSecret: 'cb-short-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
    const connectionId = await broker.connectOAuth(connectorId, 'frank');
    const connected = await waitFor(() => issued(connectionId)[0], { timeoutMs: 20_000, description: 'TokenIssued(connect)' });
    const expiresAt = Date.parse(connected.expiresAt);
    const before = await broker.readCredential(connectionId);
    expect(before.status).toBe(200);
    // The next three token requests (the refresh at half-life and two retries) fail; the third retry finds the provider healed.
    await codeProvider.setTokenFault({ mode: 'status', status: 500, count: 3 });

    const failing = await waitFor(async () => {
      const current = await view(connectionId);
      return current.refresh.state === 'failing' && current;
    }, { timeoutMs: CODE_TOKEN_SECONDS * 1000, intervalMs: 100, description: 'the connection to show refresh failing' });
    expect(failing.status).toBe('active');
    expect(failing.refresh.lastErrorCode).toMatch(/server_error|http_500/);
    expect(failing.refresh.failedAttempts).toBeGreaterThanOrEqual(1);
    expect(Date.parse(failing.refresh.nextAttemptAt!)).toBeLessThan(expiresAt);
    // A read meanwhile hands out the still-valid token and leaves the retrying to the schedule.
    const during = await broker.readCredential(connectionId);
    expect(during.status).toBe(200);
    expect(during.body.credential.accessToken).toBe(before.body.credential.accessToken);

    const tried = await waitFor(async () => {
      const rows = await attempts(connectionId);
      return rows.length >= 4 && rows;
    }, { timeoutMs: (expiresAt - Date.now()) + 5000, intervalMs: 200, description: 'three failed refreshes and a successful one' });
    const relative = tried.map((a) => `${a.outcome}${a.error_code ? `(${a.error_code})` : ''} at ${((a.attempted_at.getTime() - expiresAt) / 1000).toFixed(1)} s`);
    process.stdout.write(`a ${CODE_TOKEN_SECONDS} s token, refresh failing with 500: ${relative.join(', ')} (relative to expiry)\n`);
    expect(tried.map((a) => a.outcome)).toEqual(['transient_failure', 'transient_failure', 'transient_failure', 'refreshed']);
    expect(tried.every((a) => a.trigger === 'scheduled')).toBe(true);
    expect(tried[2]!.attempted_at.getTime()).toBeLessThan(expiresAt);
    expect(tried[3]!.attempted_at.getTime()).toBeLessThan(expiresAt + 2000);

    const healed = await view(connectionId);
    expect(healed.refresh).toEqual({ state: 'ok', lastErrorCode: null, failedAttempts: 0, nextAttemptAt: null });
    expect(healed.credentialVersion).toBe(connected.credentialVersion + 1);
    expect(healed.status).toBe('active');
    expect((await codeProvider.stats()).refreshTokenReuseDetections).toBe(0);
  }, 60_000);

  it('a client-credentials token shorter than the margin is renewed at most once per half-lifetime under a steady read load, not on every read', async () => {
    const connectorId = await broker.connector('short-machine', {
      mode: 'OAUTH2',
      grantType: 'client_credentials',
      tokenUrl: machineProvider.urls.token,
      clientId: 'cb-machine',
      clientSecret: 'cb-machine-secret',
      clientAuthMethod: 'client_secret_post',
      scopes: ['api:read'],
    });
    const session = await broker.openSession({ connectorId, endUserId: 'service-account' });
    await waitFor(() => issued(session.connectionId)[0], { timeoutMs: 20_000, description: 'TokenIssued(connect) of the client-credentials connection' });

    const requestsBefore = (await machineProvider.stats()).tokenRequestTimestamps.length;
    const started = Date.now();
    let reads = 0;
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        while (Date.now() - started < LOAD_MS) {
          const answer = await broker.readCredential(session.connectionId);
          expect(answer.status).toBe(200);
          expect(Date.parse(answer.body.credential.expiresAt!)).toBeGreaterThan(Date.now());
          reads++;
        }
      }),
    );
    const requests = (await machineProvider.stats()).tokenRequestTimestamps.slice(requestsBefore);
    const gaps = requests.slice(1).map((at, i) => at - requests[i]!);
    process.stdout.write(`client credentials, ${MACHINE_TOKEN_SECONDS} s tokens, margin 300 s: ${reads} reads in ${LOAD_MS / 1000} s made ${requests.length} token requests, gaps ${gaps.join(' ms, ')} ms\n`);
    // One token per lifetime plus one: a token is renewed at half-life, so no window of one lifetime holds more than two requests.
    expect(requests.length).toBeLessThanOrEqual(2 * Math.ceil(LOAD_MS / (MACHINE_TOKEN_SECONDS * 1000)) + 1);
    for (let i = 0; i + 2 < requests.length; i++) expect(requests[i + 2]! - requests[i]!).toBeGreaterThan(MACHINE_TOKEN_SECONDS * 1000 - 250);
    expect(reads).toBeGreaterThan(100);
  }, 60_000);
});
