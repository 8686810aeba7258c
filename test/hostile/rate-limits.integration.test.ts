/**
 * Rate limits on the public endpoints: the OAuth callback and the connect dialog (per client
 * address), connect session creation, credential reads and report-unauthorized (per workspace,
 * shared by all its keys). Past the burst: 429 `rate_limited` with Retry-After, nothing done; after
 * Retry-After seconds, allowed again; other workspaces unaffected; requests that fail
 * authentication spend nothing. The buckets are shared by every gateway instance (PostgreSQL), each
 * instance falls back to its own while they cannot be reached, and the client address follows
 * X-Forwarded-For only behind TRUSTED_PROXIES.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PostgresBucketStore } from '../../apps/gateway/src/rate-limit/postgres-bucket-store';
import { waitFor } from '../harness';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Answer, apiKeyConnection, call, changedTables, newWorkspace, openSession, settledSnapshot, snapshotDatabase, withDb, Workspace } from './hostile-support';

const BURST = 4;
/** The connect dialog's bucket refills slowly, so that its routes are still refused a moment after the burst. */
const DIALOG_REFILL_PER_SECOND = 0.2;
/** Session polling gets a larger burst: the helpers that wait for a session poll it too. */
const SESSION_READS_BURST = 20;
const LONG_POLLS = 2;

describe('rate limits on the public endpoints', () => {
  let system: RunningSystem;
  let a: Workspace;
  let b: Workspace;
  let connectorA: string;
  let connectorB: string;
  let connectionA: string;
  let reportedA: string;
  let c: Workspace;
  let connectionC: string;
  let connectorC: string;
  let secondKeyA: string;
  /** A second gateway instance on the same database. */
  let secondUrl: string;

  beforeAll(async () => {
    system = await startSystem({
      serviceEnv: {
        gateway: {
          RATE_LIMIT_CALLBACK: `${BURST},1`,
          RATE_LIMIT_CONNECT_SESSIONS: `${BURST},1`,
          RATE_LIMIT_CREDENTIAL_READS: `${BURST},1`,
          RATE_LIMIT_REPORT_UNAUTHORIZED: `${BURST},1`,
          RATE_LIMIT_CONNECT_DIALOG: `${BURST},${DIALOG_REFILL_PER_SECOND}`,
          RATE_LIMIT_SESSION_READS: `${SESSION_READS_BURST},10`,
          LONG_POLLS_PER_WORKSPACE: String(LONG_POLLS),
        },
      },
    });
    a = await newWorkspace(system, 'Limited A');
    b = await newWorkspace(system, 'Limited B');
    c = await newWorkspace(system, 'Limited C');
    connectorA = await activeConnector(a, 'limited', { mode: 'API_KEY', headerName: 'X-Key' });
    connectorB = await activeConnector(b, 'limited', { mode: 'API_KEY', headerName: 'X-Key' });
    connectorC = await activeConnector(c, 'limited', { mode: 'API_KEY', headerName: 'X-Key' });
    // three of the connect dialog's BURST tokens for this address
    connectionA = (await apiKeyConnection(system, a, connectorA, 'limited-user', 'limited-key')).connectionId;
    reportedA = (await apiKeyConnection(system, a, connectorA, 'reporting-user', 'reporting-key')).connectionId;
    connectionC = (await apiKeyConnection(system, c, connectorC, 'shared-user', 'shared-key')).connectionId;
    await openSession(b, { connectorId: connectorB, endUserId: 'warm-up' });
    const second = await a.call<{ apiKey: string }>('POST', '/v1/api-keys', { body: { name: 'second reader', scopes: ['credentials:read'] } });
    if (second.status !== 201) throw new Error(`create a second key: ${second.status} ${second.text}`);
    secondKeyA = second.body.apiKey;
    ({ url: secondUrl } = await system.startExtraInstance('gateway'));
  });

  afterAll(async () => {
    await system?.stop();
  });

  /** Fires `count` requests at once; all answers, in order. */
  const burst = (count: number, send: () => Promise<Answer>): Promise<Answer[]> => Promise.all(Array.from({ length: count }, send));

  const expectLimited = (answers: Answer[], allowedStatus: number): Answer => {
    const statuses = answers.map((x) => x.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(answers.length - BURST - 1);
    expect(statuses.every((s) => s === 429 || s === allowedStatus)).toBe(true);
    const limited = answers.find((x) => x.status === 429) as Answer;
    expect(limited.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String), details: { retryAfterSeconds: expect.any(Number) } } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    return limited;
  };

  /**
   * Retry-After is honest: sent again and again, the same request is refused (spending nothing)
   * until it is admitted, and admitted within the seconds the 429 named. Returns the admitted answer.
   */
  const admittedWithinRetryAfter = async (limited: Answer, send: () => Promise<Answer>): Promise<Answer> => {
    const retryAfterMs = Number(limited.headers.get('retry-after')) * 1000;
    const refusedAt = Date.now();
    const admitted = await waitFor(
      async () => {
        const answer = await send();
        return answer.status === 429 ? undefined : answer;
      },
      { timeoutMs: retryAfterMs + 2000, intervalMs: 100, description: `the request admitted within Retry-After (${retryAfterMs} ms)` },
    );
    // refused until the last whole second the 429 named
    expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(retryAfterMs - 1000);
    return admitted;
  };

  it('limits callbacks per client address with 429 and Retry-After, writing nothing', async () => {
    const before = await withDb(system.databaseUrl, (db) => settledSnapshot(db));
    const answers = await burst(BURST * 3, () => call(system.urls.gateway, 'GET', '/oauth/callback?state=forged&code=x'));
    const limited = expectLimited(answers, 400);
    expect(await withDb(system.databaseUrl, async (db) => changedTables(before, await snapshotDatabase(db)))).toEqual([]);
    expect((await admittedWithinRetryAfter(limited, () => call(system.urls.gateway, 'GET', '/oauth/callback?state=forged&code=x'))).status).toBe(400);
  });

  it('limits connect session creation per workspace; another workspace is not affected', async () => {
    const answers = await burst(BURST * 3, () => a.call('POST', '/v1/connect-sessions', { body: { connectorId: connectorA, endUserId: 'burst' } }));
    const limited = expectLimited(answers, 201);
    const created = answers.filter((x) => x.status === 201).length;
    const rows = await withDb(system.databaseUrl, async (db) => (await db.query(`SELECT count(*)::int AS n FROM oauth_authorization.connect_sessions WHERE end_user_id = 'burst'`)).rows[0] as { n: number });
    expect(rows.n).toBe(created);
    expect((await b.call('POST', '/v1/connect-sessions', { body: { connectorId: connectorB, endUserId: 'other' } })).status).toBe(201);
    expect((await admittedWithinRetryAfter(limited, () => a.call('POST', '/v1/connect-sessions', { body: { connectorId: connectorA, endUserId: 'after' } }))).status).toBe(201);
  });

  const credentialRead = (key: string | null): Promise<Answer> => call(system.urls.gateway, 'POST', `/v1/connections/${connectionA}/credential`, { key, body: {} });
  const served = (answers: Answer[]): number => answers.filter((x) => x.status === 200).length;

  it('spends no bucket on requests that fail authentication', async () => {
    // workspace A's real key id with a wrong secret: the key is found, the secret does not match
    const wrongSecret = a.apiKey.replace(/_[A-Za-z0-9_-]{43}$/, `_${'A'.repeat(43)}`);
    expect(wrongSecret).not.toBe(a.apiKey);
    const unauthenticated = await burst(BURST * 3, () => credentialRead(wrongSecret));
    expect(unauthenticated.map((x) => x.status)).toEqual(Array.from({ length: BURST * 3 }, () => 401));
    const allowed = await burst(BURST, () => credentialRead(a.apiKey));
    expect(allowed.map((x) => x.status)).toEqual(Array.from({ length: BURST }, () => 200));
  });

  it('keeps one bucket per workspace, not per key: a second key of the workspace finds it spent', async () => {
    await burst(BURST * 2, () => credentialRead(a.apiKey));
    const second = await burst(BURST, () => credentialRead(secondKeyA));
    // a bucket of its own would have served the whole burst
    expect(served(second)).toBeLessThan(BURST);
    expectLimited(second, 200);
  });

  it('limits credential reads per workspace, auditing only the reads it served', async () => {
    const audited = (): Promise<number> =>
      withDb(system.databaseUrl, async (db) => ((await db.query('SELECT count(*)::int AS n FROM token_issuance.credential_reads WHERE connection_id = $1', [connectionA])).rows[0] as { n: number }).n);
    const auditedBefore = await audited();
    const answers = await burst(BURST * 3, () => credentialRead(a.apiKey));
    const limited = expectLimited(answers, 200);
    expect((await audited()) - auditedBefore).toBe(served(answers));
    expect(limited.text).not.toContain('limited-key');
    expect((await admittedWithinRetryAfter(limited, () => credentialRead(a.apiKey))).status).toBe(200);
  });
  it('limits report-unauthorized per workspace: past the burst 429 with Retry-After, another workspace is not affected', async () => {
    const report = (): Promise<Answer> => a.call('POST', `/v1/connections/${reportedA}/report-unauthorized`, { body: {} });
    const answers = await burst(BURST * 3, report);
    const limited = expectLimited(answers, 200);
    // B's bucket is its own: its report reaches token-issuance (404 for an unknown connection), not the limit
    expect((await b.call('POST', `/v1/connections/${randomUUID()}/report-unauthorized`, { body: {} })).status).toBe(404);
    expect((await admittedWithinRetryAfter(limited, report)).status).toBe(200);
  });

  it("limits the application's session polling per workspace, and how many of its long polls wait at once", async () => {
    const session = await openSession(b, { connectorId: connectorB, endUserId: 'polled' });
    const poll = (workspace: Workspace, sessionId: string, waitSeconds = 0): Promise<Answer<{ status?: string }>> =>
      workspace.call('GET', `/v1/connect-sessions/${sessionId}${waitSeconds ? `?waitSeconds=${waitSeconds}` : ''}`);
    // LONG_POLLS polls of the workspace wait the 3 s their session stays pending; the rest answer at once
    const other = await openSession(c, { connectorId: connectorC, endUserId: 'polled-elsewhere' });
    const polls = await Promise.all([...Array.from({ length: LONG_POLLS + 2 }, () => poll(b, session.sessionId, 3)), poll(c, other.sessionId, 3)]);
    expect(polls.map((x) => `${x.status} ${x.body.status}`)).toEqual(polls.map(() => '200 pending'));
    const waited = polls.slice(0, LONG_POLLS + 2).filter((x) => x.elapsedMs >= 2500).length;
    const atOnce = polls.slice(0, LONG_POLLS + 2).filter((x) => x.elapsedMs < 1500).length;
    expect({ waited, atOnce }).toEqual({ waited: LONG_POLLS, atOnce: 2 });
    // another workspace's poll has slots of its own
    expect(polls[LONG_POLLS + 2]?.elapsedMs).toBeGreaterThanOrEqual(2500);

    // past the polling burst (what the long polls left of it), 429 with Retry-After
    const answers = await burst(SESSION_READS_BURST * 3, () => poll(b, session.sessionId));
    expect(answers.filter((x) => x.status === 429).length).toBeGreaterThanOrEqual(SESSION_READS_BURST);
    expect(answers.every((x) => x.status === 429 || x.status === 200)).toBe(true);
    expect((await admittedWithinRetryAfter(answers.find((x) => x.status === 429) as Answer, () => poll(b, session.sessionId))).status).toBe(200);
  });

  it('limits the connect dialog per client address: made-up session tokens do not evade it, and its routes and page share one bucket', async () => {
    const madeUpToken = (): Record<string, string> => ({ authorization: `Bearer ${randomBytes(24).toString('base64url')}` });
    // a fresh token per request: a bucket per token would let every one of them through to oauth-authorization
    const answers = await burst(BURST * 3, () => call(system.urls.gateway, 'GET', '/v1/connect/session', { headers: madeUpToken() }));
    const limited = expectLimited(answers, 401);
    expect(answers.filter((x) => x.status === 401).length).toBeLessThanOrEqual(BURST);
    const others = [
      await call(system.urls.gateway, 'POST', '/v1/connect/authorize', { headers: madeUpToken() }),
      await call(system.urls.gateway, 'POST', '/v1/connect/credentials', { headers: madeUpToken(), body: { apiKey: 'x' } }),
      await call(system.urls.gateway, 'GET', '/ui/connect.html'),
    ];
    expect(others.map((x) => x.status)).toEqual([429, 429, 429]);
    expect((await admittedWithinRetryAfter(limited, () => call(system.urls.gateway, 'GET', '/ui/connect.html'))).status).toBe(200);
  });

  const readOn = (gatewayUrl: string): Promise<Answer> => call(gatewayUrl, 'POST', `/v1/connections/${connectionC}/credential`, { key: c.apiKey, body: {} });

  it("shares a workspace's budget between gateway instances: spent on one, the other answers 429 with Retry-After", async () => {
    expect(served(await burst(BURST, () => readOn(system.urls.gateway)))).toBe(BURST);
    const onSecond = await burst(BURST, () => readOn(secondUrl));
    // a bucket per instance would have served the whole burst (at most one token refills meanwhile)
    expect(served(onSecond)).toBeLessThanOrEqual(1);
    expectLimited(onSecond, 200);
  });

  let spoofed = 0;
  const spoofedAddress = (): string => `198.51.${Math.floor(++spoofed / 250) % 250}.${(spoofed % 250) + 1}`;
  const forgedCallback = (gatewayUrl: string, forwardedFor: string): Promise<Answer> =>
    call(gatewayUrl, 'GET', '/oauth/callback?state=forged&code=x', { headers: { 'x-forwarded-for': forwardedFor } });

  it('ignores X-Forwarded-For without TRUSTED_PROXIES: a fresh spoofed address per request does not evade the callback limit', async () => {
    const answers = await burst(BURST * 3, () => forgedCallback(system.urls.gateway, spoofedAddress()));
    expectLimited(answers, 400);
    expect(answers.filter((x) => x.status === 400).length).toBeLessThanOrEqual(BURST + 1);
  });

  it('keys the callback on the right-most untrusted X-Forwarded-For address behind TRUSTED_PROXIES: two clients get separate buckets, and entries a client adds on the left change nothing', async () => {
    // this test process is the proxy: it connects from loopback and appends the client's address
    const proxied = await system.startExtraInstance('gateway', { TRUSTED_PROXIES: '127.0.0.1' });
    const first = await burst(BURST * 3, () => forgedCallback(proxied.url, `${spoofedAddress()}, 203.0.113.10`));
    expectLimited(first, 400);
    expect(first.filter((x) => x.status === 400).length).toBeGreaterThanOrEqual(BURST);
    expect(first.filter((x) => x.status === 400).length).toBeLessThanOrEqual(BURST + 1);
    // another client behind the same proxy: a bucket of its own
    expect((await forgedCallback(proxied.url, '203.0.113.20')).status).toBe(400);
    // and the first client's is still spent, whatever it puts before its address
    expect((await forgedCallback(proxied.url, `${spoofedAddress()}, 203.0.113.10`)).status).toBe(429);
  });

  it("falls back to each instance's own bucket while the shared buckets do not answer, says so once, and shares again when they do", async () => {
    const d = await newWorkspace(system, 'Limited D');
    const connectorD = await activeConnector(d, 'limited', { mode: 'API_KEY', headerName: 'X-Key' });
    const openOnSecond = (endUserId: string): Promise<Answer> => call(secondUrl, 'POST', '/v1/connect-sessions', { key: d.apiKey, body: { connectorId: connectorD, endUserId } });
    const fallbacks = (): number => system.logs().split('rate limits fall back to this instance').length - 1;
    expect(fallbacks()).toBe(0);
    // PostgreSQL holds every lease: the table is locked, as a database that does not answer would
    const locker = new Client({ connectionString: system.databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE gateway.rate_limit_buckets IN ACCESS EXCLUSIVE MODE');
      const answers = await burst(BURST * 3, () => openOnSecond('unshared'));
      // the instance's own bucket still limits, and nothing took longer than the lease's deadline
      expectLimited(answers, 201);
      expect(answers.filter((x) => x.status === 201).length).toBeGreaterThanOrEqual(1);
      expect(Math.max(...answers.map((x) => x.elapsedMs))).toBeLessThan(10_000);
      expect((await openOnSecond('unshared-again')).status).toBe(429);
      expect(fallbacks()).toBe(1);
    } finally {
      await locker.query('COMMIT').catch(() => undefined);
      await locker.end();
    }
    await waitFor(async () => (await openOnSecond('probe')) && system.logs().includes('rate limits use the shared buckets again'), {
      timeoutMs: 30_000,
      intervalMs: 500,
      description: 'the second instance to use the shared buckets again',
    });
    expect(fallbacks()).toBe(1);
    const shared = await withDb(system.databaseUrl, async (db) => (await db.query('SELECT count(*)::int AS n FROM gateway.rate_limit_buckets WHERE key = $1', [d.workspaceId])).rows[0] as { n: number });
    expect(shared.n).toBe(1);
  });
  it('leases atomically: concurrent leases through two pools never grant more than the bucket holds, and the sweep deletes only buckets refilled to full', async () => {
    const stores = [0, 1].map(() => new PostgresBucketStore({ databaseUrl: system.databaseUrl, schema: 'gateway', applicationName: 'rate-limit-test' }));
    try {
      // a refill too slow to add a token during the test
      const rule = { capacity: 50, refillPerSecond: 0.001 };
      const leases = await Promise.all(Array.from({ length: 40 }, (_, i) => (stores[i % 2] as PostgresBucketStore).lease('test', 'atomic', rule, 3)));
      expect(leases.reduce((sum, x) => sum + x.granted, 0)).toBe(rule.capacity);
      expect(leases.filter((x) => x.granted === 0).length).toBeGreaterThan(0);
      await withDb(system.databaseUrl, (db) => db.query(`INSERT INTO gateway.rate_limit_buckets (name, key, tokens, granted, refilled_at) VALUES ('test', 'old', 0, 0, now() - interval '1 day')`));
      // a bucket of this rule is full again 50 000 s after its last lease: 'old' is, 'atomic' is not
      expect(await (stores[0] as PostgresBucketStore).sweep('test', rule)).toBe(1);
      const left = await withDb(system.databaseUrl, async (db) => (await db.query(`SELECT key FROM gateway.rate_limit_buckets WHERE name = 'test'`)).rows as Array<{ key: string }>);
      expect(left.map((row) => row.key)).toEqual(['atomic']);
    } finally {
      for (const store of stores) await store.close();
    }
  });
});
