/**
 * Single-flight refresh, forced (issue 19). The schedule is stopped (token-refresh not running), the
 * token endpoint answers after 1.5 s, and a token is in the last quarter of its life. Then, at once:
 * 50 credential reads across two token-issuance instances, a caller's 401 report about the current
 * version, and a TokenExpired for it. One refresh grant reaches the provider, no refresh token is
 * presented twice, one TokenIssued(refresh) is announced, and every read answers with the new token.
 * Also the on-demand refresh on its own: a read of a due or an expired token while the schedule is
 * stopped or late returns a fresh one.
 */
import { TokenExpired, TokenIssued } from '@cb/events';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { acceptedByProvider, Answer, Broker, CredentialBody } from './lifecycle-helpers';
import { EventPublisher, eventPublisher, withDatabase } from './refresh-events';

const TOKEN_TTL_SECONDS = 8;
const SLOW_TOKEN_ENDPOINT_MS = 1500;
const ISSUANCE_ENV = { TOKEN_REQUEST_TIMEOUT_MS: '5000' };
/** Well inside the last quarter of the lifetime, with more than the slow token request left. */
const DUE_AT_REMAINING_SHARE = 0.2;

interface Stored {
  workspaceId: string;
  connectorId: string;
  endUserId: string;
  credentialVersion: number;
  storedAt: Date;
  expiresAt: Date;
}

describe('single-flight refresh, forced', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let events: MessageCollector;
  let publisher: EventPublisher;
  let broker: Broker;
  let connectorId: string;
  let issuanceUrls: string[];

  const stored = async (connectionId: string): Promise<Stored> =>
    withDatabase(system.databaseUrl, async (db) => {
      const { rows } = await db.query<Stored>(
        `SELECT workspace_id AS "workspaceId", connector_id AS "connectorId", end_user_id AS "endUserId", credential_version AS "credentialVersion",
                updated_at AS "storedAt", expires_at AS "expiresAt" FROM token_issuance.connections WHERE id = $1`,
        [connectionId],
      );
      if (!rows[0]) throw new Error(`connection ${connectionId} is not stored`);
      return rows[0];
    });
  const refreshGrants = async (): Promise<number> => (await sandbox.stats()).tokenRequests.byGrantType.refresh_token ?? 0;
  const reuseDetections = async (): Promise<number> => (await sandbox.stats()).refreshTokenReuseDetections;
  const announcedRefreshes = (connectionId: string): unknown[] =>
    events.messages
      .filter((m) => m.topic === system.topic(TokenIssued.topic))
      .map((m) => JSON.parse(m.value) as { connectionId: string; reason: string })
      .filter((p) => p.connectionId === connectionId && p.reason === 'refresh');

  const connected = async (username: string): Promise<string> => {
    const connectionId = await broker.connectOAuth(connectorId, username);
    await waitFor(() => events.messages.some((m) => m.topic === system.topic(TokenIssued.topic) && (JSON.parse(m.value) as { connectionId: string }).connectionId === connectionId), {
      timeoutMs: 30_000,
      description: `TokenIssued(connect) of ${username}`,
    });
    return connectionId;
  };
  const untilDue = async (connectionId: string): Promise<Stored> => {
    const current = await stored(connectionId);
    const lifetimeMs = current.expiresAt.getTime() - current.storedAt.getTime();
    const dueAt = current.expiresAt.getTime() - lifetimeMs * DUE_AT_REMAINING_SHARE;
    await waitFor(() => Date.now() >= dueAt, { timeoutMs: lifetimeMs, intervalMs: 20, description: 'the token to be in the last quarter of its lifetime' });
    return current;
  };
  /** A credential read answered with credential version `version`, whose token the provider accepts. */
  const expectFresh = async (answer: Answer<CredentialBody>, version: number): Promise<void> => {
    expect(answer.status).toBe(200);
    expect(answer.body.credentialVersion).toBe(version);
    expect(Date.parse(answer.body.credential.expiresAt!)).toBeGreaterThan(Date.now());
    expect(await acceptedByProvider(sandbox.urls.userinfo, answer.body.credential.accessToken!)).toBe(true);
  };

  beforeAll(async () => {
    system = await startSystem({ services: ['connector-config', 'oauth-authorization', 'token-issuance', 'gateway'], serviceEnv: { 'token-issuance': ISSUANCE_ENV } });
    const second = await system.startExtraInstance('token-issuance');
    issuanceUrls = [system.urls['token-issuance'], second.url];
    sandbox = await startSandboxProvider({
      accessTokenTtlSeconds: TOKEN_TTL_SECONDS,
      clients: [{ client_id: 'single-flight', client_secret: 'single-flight-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`] }],
    });
    events = await collectMessages({ brokers: system.kafkaBrokers, topics: [system.topic(TokenIssued.topic)] });
    publisher = await eventPublisher(system.kafkaBrokers, system.topicPrefix);
    broker = await Broker.create(system, 'single-flight');
    connectorId = await broker.connector('single-flight', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'single-flight',
      clientSecret: 'single-flight-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
  });

  afterAll(async () => {
    await publisher?.stop();
    await events?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  it('50 reads on two instances, a 401 report and a TokenExpired at once: one refresh grant, one TokenIssued(refresh), every read the new token', async () => {
    const connectionId = await connected('racer');
    const before = await untilDue(connectionId);
    const grantsBefore = await refreshGrants();
    const reuseBefore = await reuseDetections();
    await sandbox.setTokenFault({ mode: 'slow', delayMs: SLOW_TOKEN_ENDPOINT_MS });
    const version = before.credentialVersion;
    let reads: Answer<CredentialBody>[];
    let report: Answer<{ outcome: string; credentialVersion: number }>;
    try {
      [reads, report] = await Promise.all([
        Promise.all(Array.from({ length: 50 }, (_, i) => broker.readCredential(connectionId, issuanceUrls[i % 2]))),
        broker.internal<{ outcome: string; credentialVersion: number }>('POST', `/connections/${connectionId}/report-unauthorized`, { credentialVersion: version }),
        publisher.publish(
          TokenExpired,
          { connectionId, workspaceId: before.workspaceId, connectorId: before.connectorId, endUserId: before.endUserId, reason: 'due', expiresAt: before.expiresAt.toISOString(), credentialVersion: version, detectedAt: new Date().toISOString() },
          'token-refresh',
        ),
      ]);
      // the TokenExpired is handled (its inbox row committed) before anything is counted
      await waitFor(
        () => withDatabase(system.databaseUrl, async (db) => (await db.query('SELECT 1 FROM token_issuance.inbox WHERE topic = $1', [system.topic(TokenExpired.topic)])).rows.length === 1),
        { timeoutMs: 20_000, description: 'the TokenExpired to be handled' },
      );
    } finally {
      await sandbox.clearFaults();
    }

    await waitFor(() => announcedRefreshes(connectionId).length >= 1, { timeoutMs: 20_000, description: 'TokenIssued(refresh)' });
    const outboxed = await withDatabase(system.databaseUrl, async (db) =>
      (await db.query(`SELECT 1 FROM token_issuance.outbox WHERE topic = $1 AND payload->>'connectionId' = $2 AND payload->>'reason' = 'refresh'`, [system.topic(TokenIssued.topic), connectionId])).rows.length,
    );
    const grants = (await refreshGrants()) - grantsBefore;
    process.stdout.write(`single flight: 50 reads + a 401 report + a TokenExpired on a due token: ${grants} refresh grant(s), ${outboxed} TokenIssued(refresh), report ${report.body.outcome}\n`);
    expect(grants).toBe(1);
    expect((await reuseDetections()) - reuseBefore).toBe(0);
    expect(outboxed).toBe(1);
    expect(announcedRefreshes(connectionId)).toHaveLength(1);
    expect(report.status).toBe(200);
    expect(report.body).toEqual(expect.objectContaining({ outcome: expect.stringMatching(/^(refreshed|superseded)$/), credentialVersion: version + 1 }));
    expect(reads.map((read) => `${read.status} v${read.body.credentialVersion}`)).toEqual(reads.map(() => `200 v${version + 1}`));
    expect(new Set(reads.map((read) => read.body.credential.accessToken)).size).toBe(1);
    await expectFresh(reads[0]!, version + 1);
    expect((await stored(connectionId)).credentialVersion).toBe(version + 1);
  });

  it('on demand: with the schedule stopped, a read of a due token and a read of an expired one each return a fresh token', async () => {
    const [dueId, expiredId] = await Promise.all([connected('reader-due'), connected('reader-late')]);
    const grantsBefore = await refreshGrants();

    const due = await untilDue(dueId);
    await expectFresh(await broker.readCredential(dueId), due.credentialVersion + 1);

    const late = await stored(expiredId);
    await waitFor(() => Date.now() > late.expiresAt.getTime(), { timeoutMs: TOKEN_TTL_SECONDS * 1000, intervalMs: 20, description: 'the token to expire' });
    await expectFresh(await broker.readCredential(expiredId), late.credentialVersion + 1);

    expect((await refreshGrants()) - grantsBefore).toBe(2);
    await waitFor(() => announcedRefreshes(dueId).length === 1 && announcedRefreshes(expiredId).length === 1, { timeoutMs: 20_000, description: 'both refreshes announced' });
  });
});
