/**
 * The token lifecycle end to end (issue 5): all five services, real Kafka and PostgreSQL, and the
 * sandbox oidc-provider issuing 5-second access tokens with rotating refresh tokens and reuse
 * detection (a double refresh revokes the whole grant).
 */
import { INestApplication } from '@nestjs/common';
import { ConnectionDeleted, ConnectionStatusChanged, EventDefinition, TokenExpired, TokenIssued } from '@cb/events';
import { startTokenIssuance } from '../../apps/token-issuance/src/token-issuance.app';
import { DueTokenScheduler } from '../../apps/token-refresh/src/emit-due-tokens/due-token.scheduler';
import { startTokenRefresh } from '../../apps/token-refresh/src/token-refresh.app';
import { collectMessages, MessageCollector, uniqueName, waitFor } from '../harness';
import { SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { freePort } from '../../scripts/lib/ports';
import { RunningSystem, startSystem } from '../support/system';
import { acceptedByProvider, Broker } from './lifecycle-helpers';
import { withDatabase } from './refresh-events';

const SECRET = `refresh-client-secret-${Date.now()}`;
const REFRESH_ENV = { REFRESH_POLL_INTERVAL_MS: '250', REFRESH_LEASE_SECONDS: '2', REFRESH_BACKOFF_CAP_SECONDS: '8' };
const ISSUANCE_ENV = { TOKEN_REQUEST_TIMEOUT_MS: '4000' };

/** Paces a load loop (not a wait for a condition). */

type Payload = Record<string, unknown> & { connectionId: string; credentialVersion?: number; reason?: string };

describe('token lifecycle', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let events: MessageCollector;
  let broker: Broker;
  let connectorId: string;
  const connections: Record<string, string> = {};

  const published = (definition: EventDefinition, connectionId?: string): Payload[] =>
    events.messages
      .filter((m) => m.topic === system.topic(definition.topic))
      .map((m) => JSON.parse(m.value) as Payload)
      .filter((p) => connectionId === undefined || p.connectionId === connectionId);
  const refreshes = (connectionId?: string): Payload[] => published(TokenIssued, connectionId).filter((p) => p.reason === 'refresh');
  const refreshGrants = async (): Promise<number> => (await sandbox.stats()).tokenRequests.byGrantType.refresh_token ?? 0;
  const db = <T>(sql: string, params: unknown[] = []): Promise<T[]> => withDatabase(system.databaseUrl, async (c) => (await c.query(sql, params)).rows as T[]);

  /**
   * Reads a credential and checks it is not expired when it arrives and the provider accepts it then,
   * whenever in its life it was read. Reads sent together share `checked`: the provider is asked once
   * per token of the round.
   */
  const readValid = async (connectionId: string, seen: Set<string>, checked = new Set<string>(), base?: string): Promise<void> => {
    const answer = await broker.readCredential(connectionId, base);
    const receivedAt = Date.now();
    expect(answer.status).toBe(200);
    const { accessToken, expiresAt } = answer.body.credential;
    expect(Date.parse(expiresAt!)).toBeGreaterThan(receivedAt);
    seen.add(accessToken!);
    if (!checked.has(accessToken!)) {
      checked.add(accessToken!);
      expect(await acceptedByProvider(sandbox.urls.userinfo, accessToken!)).toBe(true);
    }
  };

  beforeAll(async () => {
    system = await startSystem({ serviceEnv: { 'token-refresh': REFRESH_ENV, 'token-issuance': ISSUANCE_ENV } });
    sandbox = await startSandboxProvider({
      accessTokenTtlSeconds: 5,
      clients: [{ client_id: 'cb-refresh', client_secret: SECRET, redirect_uris: [`${system.urls.gateway}/oauth/callback`], token_endpoint_auth_method: 'client_secret_basic' }],
    });
    events = await collectMessages({
      brokers: system.kafkaBrokers,
      topics: [TokenIssued, TokenExpired, ConnectionStatusChanged, ConnectionDeleted].map((d) => system.topic(d.topic)),
    });
    broker = await Broker.create(system, 'refresh');
    connectorId = await broker.connector('sandbox-refresh', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      revocationUrl: sandbox.urls.revocation,
      clientId: 'cb-refresh',
      clientSecret: SECRET,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
  });

  afterAll(async () => {
    await events?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  it('keeps a 5-second token usable for 35 seconds: each refresh accepted by the provider and announced', async () => {
    const connectionId = (connections.alice = await broker.connectOAuth(connectorId, 'alice'));
    await waitFor(() => published(TokenIssued, connectionId).length > 0, { timeoutMs: 30_000, description: 'TokenIssued(connect)' });
    const seen = new Set<string>();
    const started = Date.now();
    while (Date.now() - started < 35_000) {
      await readValid(connectionId, seen);
    }
    const announced = refreshes(connectionId);
    const versions = announced.map((p) => p.credentialVersion);
    process.stdout.write(`35 s of a 5 s token: ${announced.length} refreshes announced, ${seen.size} distinct access tokens handed out, all accepted\n`);
    expect(announced.length).toBeGreaterThanOrEqual(10);
    expect(new Set(versions).size).toBe(versions.length);
    expect(seen.size).toBeGreaterThanOrEqual(8);
    expect((await sandbox.stats()).refreshTokenReuseDetections).toBe(0);
  });

  it('two instances of token-refresh and token-issuance with 50 concurrent reads: no reuse detection, no expired token', async () => {
    connections.bob = await broker.connectOAuth(connectorId, 'bob');
    connections.carol = await broker.connectOAuth(connectorId, 'carol');
    const ids = [connections.alice!, connections.bob, connections.carol];
    await waitFor(() => ids.every((id) => published(TokenIssued, id).length > 0), { timeoutMs: 30_000, description: 'connections issued' });

    const extraIssuancePort = await freePort();
    const extras: INestApplication[] = [];
    extras.push(await startTokenRefresh({ ...system.envFor('token-refresh'), ...REFRESH_ENV, PORT: String(await freePort()), INSTANCE_ID: uniqueName('token-refresh-2'), LOG_LEVEL: 'warn' }));
    extras.push(await startTokenIssuance({ ...system.envFor('token-issuance'), ...ISSUANCE_ENV, PORT: String(extraIssuancePort), INSTANCE_ID: uniqueName('token-issuance-2'), LOG_LEVEL: 'warn' }));
    const bases = [system.urls['token-issuance'], `http://127.0.0.1:${extraIssuancePort}`];
    try {
      const grantsBefore = await refreshGrants();
      const announcedBefore = refreshes().length;
      const emittedBefore = [system.app('token-refresh'), extras[0]!].map((app) => app.get(DueTokenScheduler).stats.emitted);
      const seen = new Set<string>();
      let reads = 0;
      // Reads go on for 20 s and until 6 refreshes per connection have happened under them (a loaded
      // machine refreshes more slowly; the property is about the refreshes, not their rate).
      const started = Date.now();
      while (Date.now() - started < 20_000 || (await refreshGrants()) - grantsBefore < 3 * 6) {
        if (Date.now() - started > 90_000) throw new Error(`only ${(await refreshGrants()) - grantsBefore} refresh grants in 90 s of reads`);
        const checked = new Set<string>();
        await Promise.all(Array.from({ length: 50 }, (_, i) => readValid(ids[i % ids.length]!, seen, checked, bases[i % 2])));
        reads += 50;
      }
      // Let refreshes in flight finish before comparing counts.
      await waitFor(async () => (await refreshGrants()) - grantsBefore === refreshes().length - announcedBefore, { timeoutMs: 15_000, description: 'every refresh grant announced' });
      const grants = (await refreshGrants()) - grantsBefore;
      const emitted = [system.app('token-refresh'), extras[0]!].map((app, i) => app.get(DueTokenScheduler).stats.emitted - emittedBefore[i]!);
      process.stdout.write(`2+2 instances, ${reads} concurrent reads: ${grants} refresh grants, ${seen.size} tokens, TokenExpired by instance ${emitted.join(' + ')}\n`);
      expect((await sandbox.stats()).refreshTokenReuseDetections).toBe(0);
      expect(grants).toBeGreaterThanOrEqual(3 * 6);
      for (const id of ids) {
        const versions = refreshes(id).map((p) => p.credentialVersion);
        expect(new Set(versions).size).toBe(versions.length);
      }
      const statuses = await db<{ status: string }>('SELECT status FROM token_issuance.connections WHERE id = ANY($1)', [ids]);
      expect(statuses.map((s) => s.status)).toEqual(['active', 'active', 'active']);
    } finally {
      for (const app of extras.reverse()) await app.close();
    }
  }, 180_000);

  it('a refresh service stopped mid-cycle and restarted misses no due connection', async () => {
    const ids = [connections.alice!, connections.bob!, connections.carol!];
    await system.stopService('token-refresh');
    const stoppedAt = Date.now();
    try {
      await waitFor(
        async () => (await db<{ expired: boolean }>('SELECT bool_and(expires_at < now()) AS expired FROM token_issuance.connections WHERE id = ANY($1)', [ids]))[0]?.expired === true,
        { timeoutMs: 20_000, description: 'every token expired while the schedule is stopped' },
      );
    } finally {
      await system.startService('token-refresh');
    }
    const restartedAt = Date.now();
    await waitFor(() => ids.every((id) => refreshes(id).some((p) => Date.parse(p.issuedAt as string) >= restartedAt)), { timeoutMs: 20_000, description: 'each refreshed after restart' });
    for (const id of ids) {
      const expiredAfterRestart = published(TokenExpired, id).filter((p) => Date.parse(p.detectedAt as string) >= stoppedAt);
      expect(expiredAfterRestart[0]?.reason).toBe('expired');
      await readValid(id, new Set());
    }
    expect((await sandbox.stats()).refreshTokenReuseDetections).toBe(0);
  });

  it('disconnect revokes the grant at the provider, destroys the secrets and announces it', async () => {
    const connectionId = connections.bob!;
    const before = await broker.internal<{ credential: { refreshToken?: string } }>('POST', `/connections/${connectionId}/credential`, { includeRefreshToken: true });
    expect(before.body.credential.refreshToken).toBeTruthy();
    // A rotated refresh token is refused too, and a reuse revokes the grant as well: count the grant
    // itself, and the reuse detections, to know that the broker revoked it.
    expect(await sandbox.grants('bob')).toBe(1);
    const reuseBefore = (await sandbox.stats()).refreshTokenReuseDetections;

    const deleted = await broker.internal<{ revocation: string }>('DELETE', `/connections/${connectionId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.revocation).toBe('revoked');
    const event = await waitFor(() => published(ConnectionDeleted, connectionId)[0], { description: 'ConnectionDeleted' });
    expect(event.revocation).toBe('revoked');
    expect((await broker.internal('GET', `/connections/${connectionId}`)).status).toBe(404);
    expect(await db('SELECT 1 FROM token_issuance.connections WHERE id = $1', [connectionId])).toHaveLength(0);
    expect(await db('SELECT revocation FROM token_issuance.connection_deletions WHERE connection_id = $1', [connectionId])).toEqual([{ revocation: 'revoked' }]);
    await waitFor(async () => (await db('SELECT 1 FROM token_refresh.refresh_schedule WHERE connection_id = $1', [connectionId])).length === 0, { description: 'off the schedule' });
    expect(await sandbox.grants('bob')).toBe(0);
    expect((await sandbox.stats()).refreshTokenReuseDetections).toBe(reuseBefore);
    expect(await sandbox.grants('carol')).toBe(1);
    expect((await broker.internal<{ revocation: string }>('DELETE', `/connections/${connections.carol}`)).body.revocation).toBe('revoked');
    expect(await sandbox.grants('carol')).toBe(0);
  });

  it('5xx and dropped connections at the token endpoint: no state change, backoff between the announced attempts, recovery', async () => {
    const connectionId = connections.alice!;
    const versionBefore = refreshes(connectionId).length;
    await sandbox.setTokenFault({ mode: 'status', status: 503, count: 3 });
    const recovered = await waitFor(async () => {
      const rows = await db<{ outcome: string; attempted_at: Date; error_code: string | null }>(
        `SELECT outcome, attempted_at, error_code FROM token_issuance.refresh_attempts WHERE connection_id = $1 ORDER BY id`,
        [connectionId],
      );
      const firstFailure = rows.findIndex((r) => r.outcome === 'transient_failure');
      const tail = firstFailure < 0 ? [] : rows.slice(firstFailure);
      return tail.length >= 4 && tail[3]!.outcome === 'refreshed' && tail.slice(0, 4);
    }, { timeoutMs: 40_000, intervalMs: 200, description: 'three 503s then a refresh' });
    // The backoff is the schedule's: measured between the announcements (TokenExpired's detectedAt) of
    // these four attempts, not between the attempts' records, which a busy machine delays unevenly.
    const announcedAt = await waitFor(() => {
      const times = published(TokenExpired, connectionId)
        .map((p) => Date.parse(p.detectedAt as string))
        .filter((t) => t <= recovered[3]!.attempted_at.getTime());
      return times.length >= 4 && times.slice(-4);
    }, { timeoutMs: 10_000, description: 'the announcements of the four attempts' });
    const gaps = announcedAt.slice(1).map((t, i) => t - announcedAt[i]!);
    process.stdout.write(`503 ×3: attempts ${recovered.map((r) => `${r.outcome}${r.error_code ? `(${r.error_code})` : ''}`).join(', ')}, announced ${gaps.join(' ms, ')} ms apart\n`);
    expect(recovered.slice(0, 3).map((r) => r.outcome)).toEqual(['transient_failure', 'transient_failure', 'transient_failure']);
    // The first two retries fit in what is left of the 5 s token (never sooner than 1 s apart);
    // after its expiry the lease doubles as usual (2 s, 4 s, 8 s: the cap, with up to 25 % jitter).
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[1]).toBeGreaterThanOrEqual(900);
    expect(gaps[0]! + gaps[1]!).toBeLessThan(5000);
    expect(gaps[2]).toBeGreaterThanOrEqual(7900);
    expect(gaps[2]).toBeLessThan(10_000 + 1500);
    expect(published(ConnectionStatusChanged, connectionId)).toHaveLength(0);
    expect(refreshes(connectionId).length).toBeGreaterThan(versionBefore);

    const attemptsBefore = (await db('SELECT 1 FROM token_issuance.refresh_attempts WHERE connection_id = $1', [connectionId])).length;
    await sandbox.setTokenFault({ mode: 'close', count: 2 });
    await waitFor(async () => {
      const rows = await db<{ outcome: string }>(`SELECT outcome FROM token_issuance.refresh_attempts WHERE connection_id = $1 ORDER BY id OFFSET $2`, [connectionId, attemptsBefore]);
      const failures = rows.filter((r) => r.outcome === 'transient_failure').length;
      return failures >= 2 && rows.at(-1)?.outcome === 'refreshed';
    }, { timeoutMs: 30_000, intervalMs: 200, description: 'two dropped connections then a refresh' });
    await readValid(connectionId, new Set());
    expect((await db<{ status: string }>('SELECT status FROM token_issuance.connections WHERE id = $1', [connectionId]))[0]?.status).toBe('active');
    expect((await sandbox.stats()).refreshTokenReuseDetections).toBe(0);
  });

  it('a grant revoked at the provider: needs_reconnect, one event, no retry storm; a reconnect restores it', async () => {
    const connectionId = connections.alice!;
    connections.dave = await broker.connectOAuth(connectorId, 'dave');
    await waitFor(() => published(TokenIssued, connections.dave).length > 0, { timeoutMs: 30_000, description: 'dave connected' });

    expect(await sandbox.revokeGrants('alice')).toBeGreaterThan(0);
    const changed = await waitFor(() => published(ConnectionStatusChanged, connectionId)[0], { timeoutMs: 20_000, description: 'needs_reconnect' });
    expect(changed).toMatchObject({ status: 'needs_reconnect', previousStatus: 'active', errorCode: 'invalid_grant' });
    // The marks are taken just after one of dave's refreshes was announced: its grant is counted, and
    // the next is half a token lifetime away (read at an arbitrary moment, a grant could be counted
    // while its announcement was still on its way, and the two counts would differ by one).
    const daveBefore = refreshes(connections.dave).length;
    await waitFor(() => refreshes(connections.dave).length > daveBefore, { timeoutMs: 30_000, description: 'a refresh of dave' });
    const grantsAtMark = await refreshGrants();
    const daveAtMark = refreshes(connections.dave).length;
    // Three more refresh cycles of another connection: alice's connection is not tried again.
    await waitFor(() => refreshes(connections.dave).length >= daveAtMark + 3, { timeoutMs: 30_000, description: 'three more refreshes of dave' });
    const daveRefreshes = refreshes(connections.dave).length - daveAtMark;
    expect((await refreshGrants()) - grantsAtMark).toBe(daveRefreshes);
    expect(published(ConnectionStatusChanged, connectionId)).toHaveLength(1);
    expect((await db('SELECT 1 FROM token_refresh.refresh_schedule WHERE connection_id = $1 AND due_at IS NULL AND status = $2', [connectionId, 'needs_reconnect']))).toHaveLength(1);
    const read = await broker.readCredential(connectionId);
    expect(read.status).toBe(409);
    expect(read.text).toContain('connection_needs_reconnect');

    await broker.connectOAuth(connectorId, 'alice', connectionId);
    const recovered = await waitFor(() => published(ConnectionStatusChanged, connectionId)[1], { timeoutMs: 30_000, description: 'active again' });
    expect(recovered).toMatchObject({ status: 'active', previousStatus: 'needs_reconnect' });
    const reconnectVersion = published(TokenIssued, connectionId).find((p) => p.reason === 'reconnect')!.credentialVersion!;
    await waitFor(() => refreshes(connectionId).some((p) => p.credentialVersion! > reconnectVersion), { timeoutMs: 20_000, description: 'refreshed after the reconnect' });
    await readValid(connectionId, new Set());
    expect(published(ConnectionStatusChanged, connectionId)).toHaveLength(2);
  });

  it('a caller-reported 401 refreshes at once; a report about an older credential version says superseded', async () => {
    const connectionId = connections.dave!;
    // the schedule stopped, so the version read is still the current one when the report arrives
    await system.stopService('token-refresh');
    try {
      const current = await broker.readCredential(connectionId);
      const grantsBefore = await refreshGrants();
      const report = await broker.internal<{ outcome: string; credentialVersion: number }>('POST', `/connections/${connectionId}/report-unauthorized`, { credentialVersion: current.body.credentialVersion });
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({ outcome: 'refreshed', credentialVersion: current.body.credentialVersion + 1 });
      expect((await refreshGrants()) - grantsBefore).toBe(1);
      const stale = await broker.internal<{ outcome: string; credentialVersion: number }>('POST', `/connections/${connectionId}/report-unauthorized`, { credentialVersion: current.body.credentialVersion });
      expect(stale.body).toMatchObject({ outcome: 'superseded', credentialVersion: current.body.credentialVersion + 1 });
      expect((await refreshGrants()) - grantsBefore).toBe(1);
      await readValid(connectionId, new Set());
    } finally {
      await system.startService('token-refresh');
    }
    expect((await sandbox.stats()).refreshTokenReuseDetections).toBe(0);
  });

  it('tokens without expires_in: the assumed lifetime or the introspected exp schedules the refresh; with neither, a reported 401 refreshes', async () => {
    const noExpirySecret = `no-expiry-client-secret-${Date.now()}`;
    const noExpiry = await startSandboxProvider({
      omitExpiresIn: true,
      accessTokenTtlSeconds: 6,
      clients: [{ client_id: 'cb-no-expiry', client_secret: noExpirySecret, redirect_uris: [`${system.urls.gateway}/oauth/callback`] }],
    });
    try {
      const base = {
        mode: 'OAUTH2',
        authorizationUrl: noExpiry.urls.authorization,
        tokenUrl: noExpiry.urls.token,
        clientId: 'cb-no-expiry',
        clientSecret: noExpirySecret,
        scopes: ['openid', 'offline_access'],
        authorizationParams: { prompt: 'consent' },
      };
      const assumedId = await broker.connector('no-expiry-assumed', { ...base, assumedTokenLifetimeSeconds: 4 });
      const introspectedId = await broker.connector('no-expiry-introspected', { ...base, introspectionUrl: noExpiry.urls.introspection });
      const silentId = await broker.connector('no-expiry-silent', base);
      const [assumed, introspected, silent] = await Promise.all([
        broker.connectOAuth(assumedId, 'frank'),
        broker.connectOAuth(introspectedId, 'grace'),
        broker.connectOAuth(silentId, 'heidi'),
      ]);
      const connected = (connectionId: string): Promise<Payload> =>
        waitFor(() => published(TokenIssued, connectionId).find((p) => p.reason === 'connect'), { timeoutMs: 30_000, description: `TokenIssued(connect) for ${connectionId}` });
      const lifetimeOf = (issued: Payload): number => (Date.parse(issued.expiresAt as string) - Date.parse(issued.issuedAt as string)) / 1000;

      const [assumedIssued, introspectedIssued, silentIssued] = await Promise.all([connected(assumed), connected(introspected), connected(silent)]);
      expect(lifetimeOf(assumedIssued)).toBeCloseTo(4, 0);
      expect(lifetimeOf(introspectedIssued)).toBeGreaterThan(4);
      expect(lifetimeOf(introspectedIssued)).toBeLessThanOrEqual(6);
      expect(silentIssued.expiresAt).toBeNull();
      for (const issued of [assumedIssued, introspectedIssued, silentIssued]) expect(issued.refreshable).toBe(true);

      const schedule = await waitFor(
        async () => {
          const rows = await db<{ connection_id: string; due_at: Date | null }>('SELECT connection_id, due_at FROM token_refresh.refresh_schedule WHERE connection_id = ANY($1)', [[assumed, introspected, silent]]);
          return rows.length === 3 ? new Map(rows.map((row) => [row.connection_id, row.due_at])) : undefined;
        },
        { timeoutMs: 20_000, description: 'the three connections on the schedule' },
      );
      expect(schedule.get(assumed)).toBeInstanceOf(Date);
      expect(schedule.get(introspected)).toBeInstanceOf(Date);
      expect(schedule.get(silent)).toBeNull();

      for (const connectionId of [assumed, introspected]) {
        const refreshed = await waitFor(() => refreshes(connectionId)[0], { timeoutMs: 20_000, description: `a scheduled refresh of ${connectionId}` });
        expect(refreshed.expiresAt).toEqual(expect.any(String));
        const credential = await broker.readCredential(connectionId);
        expect(credential.body.credentialVersion).toBeGreaterThanOrEqual(2);
        expect(await acceptedByProvider(noExpiry.urls.userinfo, credential.body.credential.accessToken!)).toBe(true);
      }
      expect(refreshes(silent)).toEqual([]);
      const report = await broker.internal<{ outcome: string; credentialVersion: number }>('POST', `/connections/${silent}/report-unauthorized`, {});
      expect(report.body).toMatchObject({ outcome: 'refreshed', credentialVersion: 2 });
      expect(await acceptedByProvider(noExpiry.urls.userinfo, (await broker.readCredential(silent)).body.credential.accessToken!)).toBe(true);
    } finally {
      await noExpiry.stop();
    }
  });

  it('a custom input credential with a lifetime expires on time and moves to needs_reconnect', async () => {
    const customId = await broker.connector('custom-expiring', {
      mode: 'CUSTOM',
      fields: [{ key: 'apiKey', label: 'API key', type: 'password', required: true }],
      expiry: { lifetimeSeconds: 4 },
    });
    const connectionId = await broker.submitCredentials(customId, 'erin', { values: { apiKey: `key-${Date.now()}` } });
    const issued = await waitFor(() => published(TokenIssued, connectionId)[0], { timeoutMs: 20_000, description: 'custom TokenIssued' });
    expect(issued.refreshable).toBe(false);
    expect((await broker.readCredential(connectionId)).status).toBe(200);
    const changed = await waitFor(() => published(ConnectionStatusChanged, connectionId)[0], { timeoutMs: 20_000, description: 'custom needs_reconnect' });
    const lateMs = Date.parse(changed.changedAt as string) - Date.parse(issued.expiresAt as string);
    process.stdout.write(`custom credential: needs_reconnect ${lateMs} ms after its expiry\n`);
    expect(changed).toMatchObject({ status: 'needs_reconnect', errorCode: 'credential_expired' });
    expect(published(TokenExpired, connectionId).map((p) => p.reason)).toEqual(['expired']);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(2000);
    expect((await broker.readCredential(connectionId)).status).toBe(409);
    expect((await broker.internal<{ revocation: string }>('DELETE', `/connections/${connectionId}`)).body.revocation).toBe('not_supported');
  });
});
