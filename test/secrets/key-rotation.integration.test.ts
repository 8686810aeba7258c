/**
 * Vault key rotation on the running system: k2 becomes the primary key beside k1, values sealed
 * under k1 stay readable, each service's re-encryption command moves every sealed value of its
 * schema to k2, and then k1 is removed: credential reads, a pending OAuth flow, a new connect, a
 * refresh and a webhook signed with a secret sealed under k1 all still work.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateVaultKey } from '@cb/vault-crypto';
import { runReseal } from '@cb/service-runtime';
import { resealConnectorConfig } from '../../apps/connector-config/src/reseal-secrets/reseal-secrets.command';
import { resealOAuthAuthorization } from '../../apps/oauth-authorization/src/reseal-secrets/reseal-secrets.command';
import { ROOT } from '../../scripts/lib/paths';
import { waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, ServiceName, startSystem } from '../support/system';
import { activeConnector, apiKeyConnection, call, dumpAllRows, newWorkspace, oauthConnect, openSession, sessionReaches, withDb, Workspace } from '../hostile/hostile-support';
import { bodyOf, verifies, WebhookReceiver } from '../webhooks/webhook-receiver';

const K1 = generateVaultKey('k1');
const K2 = generateVaultKey('k2');
const CLIENT_SECRET = `rotation-secret-${randomBytes(6).toString('hex')}`;
const BACKEND: ServiceName[] = ['connector-config', 'oauth-authorization', 'token-issuance', 'token-refresh', 'gateway'];

describe('vault key rotation', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let workspace: Workspace;
  let oauthConnectorId: string;
  let customConnectorId: string;
  const connections: Record<string, string> = {};
  let pendingAuthorizationUrl = '';
  let pendingSessionId = '';
  let receiver: WebhookReceiver;
  let webhookSecret = '';

  /** Sealed values by key id, over every table of every schema. */
  const sealedByKey = async (): Promise<Record<string, number>> => {
    const dump = await withDb(system.databaseUrl, dumpAllRows);
    const counts: Record<string, number> = {};
    for (const match of dump.matchAll(/v1\.(k\d)\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+/g)) counts[match[1] as string] = (counts[match[1] as string] ?? 0) + 1;
    return counts;
  };

  const restartAll = async (env: Record<string, string>): Promise<void> => {
    for (const name of [...BACKEND].reverse()) await system.stopService(name);
    for (const name of BACKEND) await system.startService(name, env);
  };

  const readCredential = async (connectionId: string): Promise<{ status: number; credential: Record<string, unknown> }> => {
    const answer = await workspace.call<{ credential: Record<string, unknown> }>('POST', `/v1/connections/${connectionId}/credential`, { body: { includeRefreshToken: true } });
    return { status: answer.status, credential: answer.body?.credential ?? {} };
  };

  beforeAll(async () => {
    system = await startSystem({ env: { VAULT_KEYS: K1 } });
    sandbox = await startSandboxProvider({
      clients: [{ client_id: 'rotation', client_secret: CLIENT_SECRET, redirect_uris: [`${system.urls.gateway}/oauth/callback`] }],
    });
    workspace = await newWorkspace(system, 'Rotation Co');
    receiver = new WebhookReceiver();
    await receiver.start();
    const endpoint = await workspace.call<{ secret: string }>('POST', '/v1/webhook-endpoints', { body: { url: receiver.url('/ok'), eventTypes: ['connector.activated'] } });
    expect(endpoint.status).toBe(201);
    webhookSecret = endpoint.body.secret;
    oauthConnectorId = await activeConnector(workspace, 'rotation-oauth', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'rotation',
      clientSecret: CLIENT_SECRET,
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
    customConnectorId = await activeConnector(workspace, 'rotation-custom', {
      mode: 'CUSTOM',
      fields: [
        { key: 'account', label: 'Account', type: 'text', required: true },
        { key: 'password', label: 'Password', type: 'password', required: false, default: 'field-default-secret' },
      ],
    });
    // a client the broker registered itself (RFC 7591): its registration access token is sealed under k1
    const registered = await workspace.call<{ registration: { method: string } }>('POST', '/v1/connectors/from-url', { body: { url: sandbox.issuer, slug: 'rotation-registered', name: 'Registered' } });
    expect(registered.body.registration.method).toBe('dynamic');
    const apiKeyConnectorId = await activeConnector(workspace, 'rotation-api', { mode: 'API_KEY', headerName: 'X-Key' });
    connections.apiKey = (await apiKeyConnection(system, workspace, apiKeyConnectorId, 'rotation-user', 'api-key-under-k1')).connectionId;
    const custom = await openSession(workspace, { connectorId: customConnectorId, endUserId: 'rotation-custom' });
    const submitted = await call(system.urls.gateway, 'POST', '/v1/connect/credentials', { headers: { authorization: `Bearer ${custom.sessionToken}` }, body: { values: { account: 'acme' } } });
    expect(submitted.status).toBe(202);
    connections.custom = (await sessionReaches(workspace, custom.sessionId, 'completed')).connectionId;
    const oauth = await oauthConnect(workspace, { connectorId: oauthConnectorId, endUserId: 'rotation-oauth' }, (url) => authorizeOverHttp(url));
    connections.oauth = (await sessionReaches(workspace, oauth.sessionId, 'completed')).connectionId;
    const pending = await openSession(workspace, { connectorId: oauthConnectorId, endUserId: 'rotation-pending' });
    pendingAuthorizationUrl = pending.authorizationUrl as string;
    pendingSessionId = pending.sessionId;
  });

  afterAll(async () => {
    await sandbox?.stop();
    await system?.stop();
    await receiver?.stop();
  });

  it('starts with every sealed value under k1', async () => {
    const counts = await sealedByKey();
    expect(counts.k1).toBeGreaterThanOrEqual(8);
    expect(counts.k2).toBeUndefined();
  });

  it('makes k2 primary: old values stay readable and new ones are sealed under k2', async () => {
    await restartAll({ VAULT_KEYS: `${K1},${K2}`, VAULT_PRIMARY_KEY_ID: 'k2' });
    expect((await readCredential(connections.apiKey as string)).credential.apiKey).toBe('api-key-under-k1');
    expect((await readCredential(connections.custom as string)).credential.fields).toEqual({ account: 'acme', password: 'field-default-secret' });
    expect((await readCredential(connections.oauth as string)).credential.refreshToken).toEqual(expect.any(String));
    const fresh = await apiKeyConnection(system, workspace, (await workspace.call<{ items: Array<{ id: string; slug: string }> }>('GET', '/v1/connectors')).body.items.find((c) => c.slug === 'rotation-api')?.id as string, 'rotation-new', 'api-key-under-k2');
    const keyId = await withDb(system.databaseUrl, async (db) => (await db.query('SELECT credential_key_id FROM token_issuance.connections WHERE id = $1', [fresh.connectionId])).rows[0] as { credential_key_id: string });
    expect(keyId.credential_key_id).toBe('k2');
    expect((await sealedByKey()).k1).toBeGreaterThan(0);
  });

  it("re-seals every value under k2 with each service's own command, and a second run finds nothing left", async () => {
    // Each command with its service's environment: its own database role and the new keyring.
    const env = (name: ServiceName): Record<string, string> => ({ ...system.envFor(name), VAULT_KEYS: `${K1},${K2}`, VAULT_PRIMARY_KEY_ID: 'k2' });
    const first = {
      'connector-config': await runReseal(resealConnectorConfig, env('connector-config')),
      'oauth-authorization': await runReseal(resealOAuthAuthorization, env('oauth-authorization')),
      // token-issuance through its command-line entry, as an operator runs it
      'token-issuance': await runCommandLine('apps/token-issuance/src/reseal-secrets/reseal-secrets.main.ts', env('token-issuance')),
    };
    process.stdout.write(`key rotation: re-sealed ${JSON.stringify(first)}\n`);
    expect(first['connector-config'].connectors).toBeGreaterThanOrEqual(2);
    expect(first['connector-config'].webhook_endpoints).toBe(1);
    expect(first['connector-config'].client_registrations).toBe(1);
    expect(first['connector-config'].outbox).toBeGreaterThanOrEqual(2);
    expect(first['oauth-authorization'].oauth_states).toBeGreaterThanOrEqual(2);
    expect(first['oauth-authorization'].outbox).toBeGreaterThanOrEqual(3);
    expect(first['token-issuance'].connections).toBe(3);
    expect(first['token-issuance'].connectors).toBeGreaterThanOrEqual(2);
    expect(await sealedByKey()).toEqual({ k2: expect.any(Number) });
    const again = await runReseal(resealConnectorConfig, env('connector-config'));
    expect(again).toEqual({ connectors: 0, client_registrations: 0, webhook_endpoints: 0, outbox: 0 });
  });

  it('works without k1: credential reads, a pending OAuth flow, a new connect and a refresh', async () => {
    await restartAll({ VAULT_KEYS: K2, VAULT_PRIMARY_KEY_ID: 'k2' });
    expect((await readCredential(connections.apiKey as string)).credential.apiKey).toBe('api-key-under-k1');
    expect((await readCredential(connections.custom as string)).credential.fields).toEqual({ account: 'acme', password: 'field-default-secret' });
    const before = await readCredential(connections.oauth as string);
    expect(before.status).toBe(200);

    // the verifier of a flow started under k1 was re-sealed: the flow completes
    const { callbackUrl } = await authorizeOverHttp(pendingAuthorizationUrl);
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
    await sessionReaches(workspace, pendingSessionId, 'completed');

    // the client secret in token-issuance's projection was re-sealed: a new connect redeems its code
    const fresh = await oauthConnect(workspace, { connectorId: oauthConnectorId, endUserId: 'rotation-after' }, (url) => authorizeOverHttp(url));
    await sessionReaches(workspace, fresh.sessionId, 'completed');

    // a refresh opens the k1 refresh token re-sealed under k2, and the provider accepts it
    const refreshed = await workspace.call<{ outcome: string; credentialVersion: number }>('POST', `/v1/connections/${connections.oauth}/report-unauthorized`, { body: { credentialVersion: 1 } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.outcome).toBe('refreshed');
    const after = await readCredential(connections.oauth as string);
    expect(after.credential.accessToken).not.toBe(before.credential.accessToken);
    const userinfo = await fetch(sandbox.urls.userinfo, { headers: { authorization: `Bearer ${String(after.credential.accessToken)}` } });
    expect(userinfo.status).toBe(200);
    expect((await sandbox.stats()).refreshTokenReuseDetections).toBe(0);

    // the webhook signing secret sealed under k1 was re-sealed: deliveries still verify with it
    const connectorId = await activeConnector(workspace, 'rotation-after-k1', { mode: 'BEARER' });
    const delivered = await waitFor(() => receiver.at('/ok').find((d) => bodyOf(d).data.connectorId === connectorId), { timeoutMs: 30_000, description: 'a webhook delivery without k1' });
    expect(verifies(webhookSecret, delivered)).toBe(true);
  });
});

async function runCommandLine(entry: string, env: Record<string, string>): Promise<Record<string, number>> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    timeout: 120_000,
  });
  return (JSON.parse(stdout.trim().split('\n').at(-1) as string) as { resealed: Record<string, number> }).resealed;
}
