/**
 * A misbehaving provider under load: 30 connections refreshing every few seconds while the token
 * endpoint answers 503, garbage, closes connections, or is slower than the client timeout; connect
 * flows run meanwhile. Expected: bounded retries with backoff (token requests counted per fault
 * window, never a tight loop or a pile-up), clear statuses (a failed connect names the cause; a
 * transient refresh failure leaves the connection active), and recovery once the provider is well.
 */
import { ConnectionStatusChanged, TokenIssued } from '@cb/events';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { SandboxProvider, SandboxTokenFault, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, call, newWorkspace, openSession, withDb, Workspace } from '../hostile/hostile-support';
import { Driver, FlowCounts, FlowResult, formatCounts, pool, runFlow, tally } from './fault-support';

const CONNECTIONS = 30;
const TOKEN_TTL_SECONDS = 8;
const FAULT_WINDOW_MS = 6_000;
const TIMEOUT_MS = 1_000;

describe('provider faults under load', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let workspace: Workspace;
  let driver: Driver;
  let events: MessageCollector;
  let connectorId: string;
  let connectionIds: string[] = [];
  let flowIndex = 0;
  const figures: string[] = [];

  const statuses = (): Promise<Record<string, number>> =>
    withDb(system.databaseUrl, async (db) =>
      Object.fromEntries((await db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM token_issuance.connections WHERE id = ANY($1) GROUP BY status', [connectionIds])).rows.map((r) => [r.status, r.n])),
    );
  const refreshedSince = (since: number): Set<string> =>
    new Set(
      events.messages
        .filter((m) => m.topic === system.topic(TokenIssued.topic) && Date.parse(m.headers.ce_time as string) >= since)
        .map((m) => JSON.parse(m.value) as { connectionId: string; reason: string })
        .filter((p) => p.reason === 'refresh')
        .map((p) => p.connectionId),
    );

  /** Transient refresh failures recorded between two instants whose code matches, by connection. */
  const transientFailures = (from: number, to: number, code: RegExp): Promise<Map<string, number>> =>
    withDb(system.databaseUrl, async (db) => {
      const rows = await db.query<{ connection: string; n: number }>(
        `SELECT connection_id AS connection, count(*)::int AS n FROM token_issuance.refresh_attempts
          WHERE connection_id = ANY($1) AND outcome = 'transient_failure' AND attempted_at BETWEEN $2 AND $3 AND error_code ~ $4 GROUP BY 1`,
        [connectionIds, new Date(from), new Date(to), code.source],
      );
      return new Map(rows.rows.map((r) => [r.connection, r.n]));
    });
  const failedFlows = (counts: FlowCounts): number => Object.values(counts.failed).reduce((a, b) => a + b, 0);

  /** Runs a fault for the window with connect flows beside it; returns what the provider saw. */
  const underFault = async (fault: SandboxTokenFault): Promise<{ requests: number[]; flows: FlowResult[]; startedAt: number; clearedAt: number }> => {
    const before = (await sandbox.stats()).tokenRequestTimestamps.length;
    await sandbox.setTokenFault(fault);
    const startedAt = Date.now();
    const until = startedAt + FAULT_WINDOW_MS;
    const flows = await pool(2, () => Date.now() < until - 1500, () => runFlow(driver, 'oauth', connectorId, `fault-${flowIndex++}`, 30_000));
    await waitFor(() => Date.now() >= until || undefined, { timeoutMs: FAULT_WINDOW_MS + 5_000, intervalMs: 50, description: 'the end of the fault window' });
    await sandbox.clearFaults();
    const clearedAt = Date.now();
    return { requests: (await sandbox.stats()).tokenRequestTimestamps.slice(before), flows, startedAt, clearedAt };
  };

  beforeAll(async () => {
    system = await startSystem({
      serviceEnv: {
        // The provider itself sees every retry here: the guard in front of it (caps, circuit breaker)
        // is proved in test/hostile/hostile-providers and would answer for it after a few failures.
        'token-issuance': { TOKEN_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS), PROVIDER_CIRCUIT_FAILURES: '1000', PROVIDER_CONCURRENCY_PER_CONNECTOR: '100', PROVIDER_CONCURRENCY_PER_WORKSPACE: '100' },
        'token-refresh': { REFRESH_POLL_INTERVAL_MS: '250', REFRESH_LEASE_SECONDS: '2', REFRESH_BACKOFF_CAP_SECONDS: '8' },
        gateway: { RATE_LIMIT_CALLBACK: 'off', RATE_LIMIT_CONNECT_SESSIONS: 'off', RATE_LIMIT_SESSION_READS: 'off', RATE_LIMIT_CONNECT_DIALOG: 'off', RATE_LIMIT_CREDENTIAL_READS: 'off' },
      },
    });
    sandbox = await startSandboxProvider({
      accessTokenTtlSeconds: TOKEN_TTL_SECONDS,
      clients: [{ client_id: 'faulty', client_secret: 'faulty-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`] }],
    });
    events = await collectMessages({ brokers: system.kafkaBrokers, topics: [system.topic(TokenIssued.topic), system.topic(ConnectionStatusChanged.topic)] });
    workspace = await newWorkspace(system, 'Faulty Provider Co');
    driver = { base: system.urls.gateway, apiKey: workspace.apiKey };
    connectorId = await activeConnector(workspace, 'faulty', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'faulty',
      clientSecret: 'faulty-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
    await openSession(workspace, { connectorId, endUserId: 'warm-up' }); // waits for the activation to arrive
    const made = await pool(6, (i) => i < CONNECTIONS, (i) => runFlow(driver, 'oauth', connectorId, `steady-${i}`, 60_000));
    expect(made.filter((r) => r.outcome !== 'completed')).toEqual([]);
    connectionIds = made.map((r) => r.connectionId as string);
  }, 180_000);

  afterAll(async () => {
    process.stdout.write(figures.join(''));
    await events?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  const cases: Array<{ name: string; fault: SandboxTokenFault; connectError: RegExp; refreshError: RegExp }> = [
    { name: '503 with Retry-After', fault: { mode: 'status', status: 503, retryAfter: 1 }, connectError: /temporarily_unavailable|server_error|http_503/, refreshError: /^temporarily_unavailable$/ },
    { name: 'garbage (HTML with 200)', fault: { mode: 'garbage' }, connectError: /invalid_token_response/, refreshError: /^invalid_token_response$/ },
    { name: 'connections closed', fault: { mode: 'close' }, connectError: /network_error|redemption/, refreshError: /^network_error$/ },
  ];

  for (const { name, fault, connectError, refreshError } of cases) {
    it(`${name}: bounded, backed-off retries, connections stay active, connects fail with a clear code, recovery after`, async () => {
      const { requests, flows, startedAt, clearedAt } = await underFault(fault);
      const counts = tally(flows);
      const refreshFailures = await transientFailures(startedAt, clearedAt, refreshError);
      const retried = [...refreshFailures.values()].filter((n) => n >= 2).length;
      const perSecond = new Map<number, number>();
      for (const at of requests) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
      const peak = Math.max(0, ...perSecond.values());
      figures.push(
        formatCounts(`provider ${name}`, counts, { 'token requests in the window': requests.length, 'peak per second': peak, connections: CONNECTIONS, 'connections whose refresh failed': refreshFailures.size, 'of them retried': retried }),
      );
      // the fault did what it is about: connects failed with its code, refreshes failed and were retried
      expect(failedFlows(counts)).toBeGreaterThanOrEqual(1);
      expect(refreshFailures.size).toBeGreaterThanOrEqual(CONNECTIONS / 2);
      expect(retried).toBeGreaterThanOrEqual(1);
      // each connection retries on its lease (2 s doubling): a handful of attempts each, never a loop
      expect(requests.length).toBeLessThanOrEqual(CONNECTIONS * 4 + flows.length);
      expect(peak).toBeLessThanOrEqual(CONNECTIONS + flows.length);
      expect(counts.lost).toBe(0);
      expect(Object.keys(counts.failed).every((code) => connectError.test(code))).toBe(true);
      expect(await statuses()).toEqual({ active: CONNECTIONS });
      // once the provider is well, every connection refreshes again
      await waitFor(() => refreshedSince(clearedAt).size === CONNECTIONS, { timeoutMs: 30_000, intervalMs: 250, description: 'every connection to refresh after the fault' });
      expect((await sandbox.stats()).refreshTokenReuseDetections).toBe(0);
    }, 90_000);
  }

  it("reads of expired tokens during an outage follow each connection's backoff: 503 at once with the last error and Retry-After, a few attempts each instead of one per read", async () => {
    type Refusal = { error?: { code: string; details?: { providerError?: string } } };
    const readers = connectionIds.slice(0, 6);
    const read = (connectionId: string) => call<Refusal>(system.urls.gateway, 'POST', `/v1/connections/${connectionId}/credential`, { key: workspace.apiKey, body: {} });
    const readAll = () => Promise.all(readers.map(read));
    await sandbox.setTokenFault({ mode: 'status', status: 503 });
    try {
      await waitFor(async () => (await readAll()).every((answer) => answer.status === 503), { timeoutMs: 30_000, intervalMs: 250, description: "the readers' tokens to expire" });
      const started = Date.now();
      const answers: Awaited<ReturnType<typeof readAll>> = [];
      while (Date.now() - started < 6000) answers.push(...(await readAll()));
      const onDemand = await withDb(system.databaseUrl, async (db) =>
        Number(
          (await db.query<{ n: string }>(`SELECT count(*) AS n FROM token_issuance.refresh_attempts WHERE connection_id = ANY($1) AND trigger = 'on_demand' AND attempted_at >= $2`, [readers, new Date(started)]))
            .rows[0]?.n,
        ),
      );
      figures.push(`outage: ${answers.length} reads of ${readers.length} expired tokens in 6 s made ${onDemand} refresh attempts\n`);
      expect(answers.length).toBeGreaterThan(200);
      for (const answer of answers) {
        expect({ status: answer.status, code: answer.body.error?.code, providerError: answer.body.error?.details?.providerError }).toEqual({ status: 503, code: 'token_unavailable', providerError: 'temporarily_unavailable' });
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      // one attempt per read without the backoff; with it 1, 2, 4 s apart: at most 4 each in 6 s
      expect(onDemand).toBeLessThanOrEqual(readers.length * 4);
    } finally {
      await sandbox.clearFaults();
    }
    await waitFor(async () => (await readAll()).every((answer) => answer.status === 200), { timeoutMs: 60_000, intervalMs: 500, description: 'the readers to read again after the outage' });
  }, 120_000);

  it('slower than the client timeout: connects fail with timeout and one request each; a refresh lost in flight ends in needs_reconnect once, not a loop', async () => {
    const reuseBefore = (await sandbox.stats()).refreshTokenReuseDetections;
    const { requests, flows, startedAt, clearedAt } = await underFault({ mode: 'slow', delayMs: TIMEOUT_MS * 3 });
    const counts = tally(flows);
    expect(counts.lost).toBe(0);
    expect(failedFlows(counts)).toBeGreaterThanOrEqual(1);
    expect(Object.keys(counts.failed).every((code) => /timeout|redemption/.test(code))).toBe(true);
    expect(requests.length).toBeLessThanOrEqual(CONNECTIONS * 4 + flows.length);
    // Where the provider handled a slow request after the client gave up, it rotated a refresh token
    // the broker never received: the retry presents the old one, the provider revokes the grant, and
    // the connection says so once. Every connection ends refreshed again or marked.
    const needsReconnect = (): string[] =>
      events.messages
        .filter((m) => m.topic === system.topic(ConnectionStatusChanged.topic) && Date.parse(m.headers.ce_time as string) >= startedAt)
        .map((m) => JSON.parse(m.value) as { connectionId: string; status: string })
        .filter((p) => p.status === 'needs_reconnect')
        .map((p) => p.connectionId);
    await waitFor(() => connectionIds.every((id) => refreshedSince(clearedAt).has(id) || needsReconnect().includes(id)), {
      timeoutMs: 40_000,
      intervalMs: 250,
      description: 'every connection to refresh again or be marked needs_reconnect',
    });
    const final = await statuses();
    const reconnect = needsReconnect();
    const timedOut = await transientFailures(startedAt, Date.now(), /^timeout$/);
    const reuse = (await sandbox.stats()).refreshTokenReuseDetections - reuseBefore;
    figures.push(
      formatCounts('provider slower than the timeout', counts, {
        'token requests in the window': requests.length,
        'connections whose refresh timed out': timedOut.size,
        'connections by status after': final,
        'reuse detections': reuse,
        'needs_reconnect events': reconnect.length,
      }),
    );
    expect((final.active ?? 0) + (final.needs_reconnect ?? 0)).toBe(CONNECTIONS);
    expect(new Set(reconnect).size).toBe(reconnect.length);
    expect(reconnect.length).toBe(final.needs_reconnect ?? 0);
    expect(timedOut.size).toBeGreaterThanOrEqual(1);
    // only a grant the provider revoked for reuse ends a connection, and only after a timed-out refresh
    expect(reconnect.length).toBeLessThanOrEqual(reuse);
    expect(reuse).toBeLessThanOrEqual(timedOut.size);
  }, 90_000);
});
