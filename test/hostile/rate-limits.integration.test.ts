/**
 * Rate limits on the public endpoints: the OAuth callback (per client address), connect session
 * creation and credential reads (per workspace, shared by all its keys). Past the burst: 429
 * `rate_limited` with Retry-After, nothing done; after Retry-After seconds, allowed again; other
 * workspaces unaffected; requests that fail authentication spend nothing.
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
  let secondKeyA: string;

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
    const second = await a.call<{ apiKey: string }>('POST', '/v1/api-keys', { body: { name: 'second reader', scopes: ['credentials:read'] } });
    if (second.status !== 201) throw new Error(`create a second key: ${second.status} ${second.text}`);
    secondKeyA = second.body.apiKey;
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
    await waitOut(limited);
    expect((await credentialRead(a.apiKey)).status).toBe(200);
  });
});
