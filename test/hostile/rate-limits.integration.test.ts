/**
 * Rate limits on the public endpoints: the OAuth callback (per client address), connect session
 * creation and credential reads (per workspace). Past the burst: 429 `rate_limited` with
 * Retry-After, nothing done; after Retry-After seconds, allowed again; other workspaces unaffected.
 */
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Answer, apiKeyConnection, call, changedTables, newWorkspace, openSession, settledSnapshot, snapshotDatabase, withDb, Workspace } from './hostile-support';

const BURST = 4;

describe('rate limits on the public endpoints', () => {
  let system: RunningSystem;
  let a: Workspace;
  let b: Workspace;
  let connectorA: string;
  let connectorB: string;
  let connectionA: string;

  beforeAll(async () => {
    system = await startSystem({
      serviceEnv: {
        gateway: { RATE_LIMIT_CALLBACK: `${BURST},1`, RATE_LIMIT_CONNECT_SESSIONS: `${BURST},1`, RATE_LIMIT_CREDENTIAL_READS: `${BURST},1` },
      },
    });
    a = await newWorkspace(system, 'Limited A');
    b = await newWorkspace(system, 'Limited B');
    connectorA = await activeConnector(a, 'limited', { mode: 'API_KEY', headerName: 'X-Key' });
    connectorB = await activeConnector(b, 'limited', { mode: 'API_KEY', headerName: 'X-Key' });
    connectionA = (await apiKeyConnection(system, a, connectorA, 'limited-user', 'limited-key')).connectionId;
    await openSession(b, { connectorId: connectorB, endUserId: 'warm-up' });
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

  const waitOut = async (limited: Answer): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, Number(limited.headers.get('retry-after')) * 1000 + 100));
  };

  it('limits callbacks per client address with 429 and Retry-After, writing nothing', async () => {
    const before = await withDb(system.databaseUrl, (db) => settledSnapshot(db));
    const answers = await burst(BURST * 3, () => call(system.urls.gateway, 'GET', '/oauth/callback?state=forged&code=x'));
    const limited = expectLimited(answers, 400);
    expect(await withDb(system.databaseUrl, async (db) => changedTables(before, await snapshotDatabase(db)))).toEqual([]);
    await waitOut(limited);
    expect((await call(system.urls.gateway, 'GET', '/oauth/callback?state=forged&code=x')).status).toBe(400);
  });

  it('limits connect session creation per workspace; another workspace is not affected', async () => {
    const answers = await burst(BURST * 3, () => a.call('POST', '/v1/connect-sessions', { body: { connectorId: connectorA, endUserId: 'burst' } }));
    const limited = expectLimited(answers, 201);
    const created = answers.filter((x) => x.status === 201).length;
    const rows = await withDb(system.databaseUrl, async (db) => (await db.query(`SELECT count(*)::int AS n FROM oauth_authorization.connect_sessions WHERE end_user_id = 'burst'`)).rows[0] as { n: number });
    expect(rows.n).toBe(created);
    expect((await b.call('POST', '/v1/connect-sessions', { body: { connectorId: connectorB, endUserId: 'other' } })).status).toBe(201);
    await waitOut(limited);
    expect((await a.call('POST', '/v1/connect-sessions', { body: { connectorId: connectorA, endUserId: 'after' } })).status).toBe(201);
  });

  it('limits credential reads per workspace, auditing only the reads it served', async () => {
    const answers = await burst(BURST * 3, () => a.call('POST', `/v1/connections/${connectionA}/credential`, { body: {} }));
    const limited = expectLimited(answers, 200);
    const served = answers.filter((x) => x.status === 200).length;
    const audited = await withDb(system.databaseUrl, async (db) => (await db.query('SELECT count(*)::int AS n FROM token_issuance.credential_reads WHERE connection_id = $1', [connectionA])).rows[0] as { n: number });
    expect(audited.n).toBe(served);
    expect(limited.text).not.toContain('limited-key');
    await waitOut(limited);
    expect((await a.call('POST', `/v1/connections/${connectionA}/credential`, { body: {} })).status).toBe(200);
  });

  it('spends no bucket on requests that fail authentication', async () => {
    const connectionRead = (key: string | null): Promise<Answer> => call(system.urls.gateway, 'POST', `/v1/connections/${connectionA}/credential`, { key, body: {} });
    const unauthenticated = await burst(BURST * 3, () => connectionRead('cbk_0000000000000000_' + 'A'.repeat(43)));
    expect(unauthenticated.every((x) => x.status === 401)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await connectionRead(a.apiKey)).status).toBe(200);
  });
});
