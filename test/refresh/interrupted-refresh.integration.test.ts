/**
 * A refresh grant whose answer was never stored (token-issuance killed, or the database gone, while
 * the request was out): the provider may have rotated the refresh token, so it is never presented
 * again. The mark a crash leaves behind is planted here directly; test/faults/service-kill proves a
 * real SIGKILL leaves it and that no provider then sees a refresh token twice.
 */
import { ConnectionStatusChanged, TokenIssued } from '@cb/events';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { Broker } from './lifecycle-helpers';
import { withDatabase } from './refresh-events';

describe('a refresh cut off before its answer was stored', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let events: MessageCollector;
  let broker: Broker;
  let connectorId: string;

  const marks = (): Promise<Array<{ connection_id: string; credential_version: number }>> =>
    withDatabase(system.databaseUrl, async (db) => (await db.query('SELECT connection_id, credential_version FROM token_issuance.refresh_in_flight')).rows);
  const refreshGrants = async (): Promise<number> => (await sandbox.stats()).tokenRequests.byGrantType.refresh_token ?? 0;

  beforeAll(async () => {
    system = await startSystem();
    sandbox = await startSandboxProvider({
      clients: [{ client_id: 'cb-interrupted', client_secret: 'cb-interrupted-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`] }],
    });
    events = await collectMessages({ brokers: system.kafkaBrokers, topics: [system.topic(TokenIssued.topic), system.topic(ConnectionStatusChanged.topic)] });
    broker = await Broker.create(system, 'interrupted-refresh');
    connectorId = await broker.connector('interrupted', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'cb-interrupted',
      clientSecret: 'cb-interrupted-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
  });

  afterAll(async () => {
    await events?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  const connected = async (user: string): Promise<{ connectionId: string; credentialVersion: number }> => {
    const connectionId = await broker.connectOAuth(connectorId, user);
    const issued = await waitFor(
      () => events.messages.filter((m) => m.topic === system.topic(TokenIssued.topic)).map((m) => JSON.parse(m.value) as { connectionId: string; credentialVersion: number }).find((p) => p.connectionId === connectionId),
      { timeoutMs: 20_000, description: `TokenIssued for ${user}` },
    );
    return { connectionId, credentialVersion: issued.credentialVersion };
  };

  it('a completed refresh leaves no mark; a mark for an older credential version is ignored', async () => {
    const { connectionId, credentialVersion } = await connected('finisher');
    await withDatabase(system.databaseUrl, (db) => db.query('INSERT INTO token_issuance.refresh_in_flight (connection_id, credential_version) VALUES ($1, $2)', [connectionId, credentialVersion - 1]));
    const grantsBefore = await refreshGrants();
    const reported = await broker.gateway<{ outcome: string; credentialVersion: number }>('POST', `/v1/connections/${connectionId}/report-unauthorized`, {});
    expect(reported.status).toBe(200);
    expect(reported.body.outcome).toBe('refreshed');
    expect(await refreshGrants()).toBe(grantsBefore + 1);
    expect((await marks()).filter((m) => m.connection_id === connectionId)).toEqual([]);
  });

  it('with a mark for the current version: needs_reconnect (refresh_interrupted), announced once, and the refresh token is not presented', async () => {
    const { connectionId, credentialVersion } = await connected('interrupted');
    await withDatabase(system.databaseUrl, (db) => db.query('INSERT INTO token_issuance.refresh_in_flight (connection_id, credential_version) VALUES ($1, $2)', [connectionId, credentialVersion]));
    const grantsBefore = await refreshGrants();

    const reported = await broker.gateway<{ outcome: string }>('POST', `/v1/connections/${connectionId}/report-unauthorized`, {});
    expect(reported.body.outcome).toBe('needs_reconnect');
    const again = await broker.gateway<{ outcome: string }>('POST', `/v1/connections/${connectionId}/report-unauthorized`, {});
    expect(again.body.outcome).not.toBe('refreshed');
    expect(await refreshGrants()).toBe(grantsBefore);
    expect((await sandbox.stats()).refreshTokenReuseDetections).toBe(0);

    const changes = await waitFor(
      () => {
        const found = events.messages.filter((m) => m.topic === system.topic(ConnectionStatusChanged.topic)).map((m) => JSON.parse(m.value) as { connectionId: string; status: string; errorCode: string }).filter((p) => p.connectionId === connectionId);
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 20_000, description: 'ConnectionStatusChanged' },
    );
    expect(changes).toEqual([expect.objectContaining({ status: 'needs_reconnect', errorCode: 'refresh_interrupted' })]);
    const connection = await broker.gateway<{ status: string }>('GET', `/v1/connections/${connectionId}`);
    expect(connection.body.status).toBe('needs_reconnect');
    expect((await marks()).filter((m) => m.connection_id === connectionId)).toEqual([]);
  });
});
