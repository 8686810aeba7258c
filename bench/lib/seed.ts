/**
 * Setting the stage, measured apart from every figure: a workspace (the gateway's CLI), an active
 * OAuth connector at the sandbox (the gateway's API), and grants at the sandbox obtained the way a
 * browser would (authorizeOverHttp), redeemed by the benchmark and stored through token-issuance's
 * own CredentialVault (sealed credential + TokenIssued through the outbox, so token-refresh
 * schedules each one through its real consumer).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OutboxWriter } from '@cb/messaging';
import { buildTokenRequest, createPkcePair, requestToken, type TokenResult } from '@cb/oauth-client';
import { Keyring } from '@cb/vault-crypto';
import { ConnectionEntity } from '../../apps/token-issuance/src/credential-vault/connection.entity';
import { CredentialVault } from '../../apps/token-issuance/src/credential-vault/credential-vault';
import { oauthCredential } from '../../apps/token-issuance/src/token-endpoint/token-endpoint';
import { authorizeOverHttp } from '../../test/support/sandbox-provider';
import { nodeArgs } from './build';
import type { Workspace } from './context';
import { ROOT } from './infra';
import { progress } from './report';
import { mapLimit } from './stats';
import type { RunningSystem } from './system';

export const SCOPES = ['openid', 'profile', 'email', 'offline_access'];

export async function createWorkspace(system: RunningSystem): Promise<Workspace> {
  const { args, env } = nodeArgs('apps/gateway/src/cli.js');
  const created = spawnSync(process.execPath, [...args, 'create-workspace', '--name', 'Benchmark'], { cwd: ROOT, env: { ...process.env, ...env, DATABASE_URL: system.databaseUrls.gateway }, encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`create-workspace failed: ${created.stderr}`);
  const { workspaceId, apiKey } = JSON.parse(created.stdout.trim().split('\n').pop() ?? '{}') as { workspaceId: string; apiKey: string };
  const gateway = system.urls.gateway;
  const issuer = system.sandbox.issuer;
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const response = await fetch(`${gateway}/v1/connectors`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      slug: 'bench-sandbox',
      name: 'Benchmark sandbox',
      config: {
        mode: 'OAUTH2',
        authorizationUrl: `${issuer}/auth`,
        tokenUrl: `${issuer}/token`,
        revocationUrl: `${issuer}/token/revocation`,
        clientId: system.sandbox.client.clientId,
        clientSecret: system.sandbox.client.clientSecret,
        scopes: SCOPES,
        authorizationParams: { prompt: 'consent' },
      },
    }),
  });
  const connector = (await response.json()) as { id: string };
  if (response.status !== 201) throw new Error(`create connector: ${response.status} ${JSON.stringify(connector)}`);
  const activated = await fetch(`${gateway}/v1/connectors/${connector.id}/activate`, { method: 'POST', headers: { authorization: headers.authorization } });
  if (!activated.ok) throw new Error(`activate connector: ${activated.status} ${await activated.text()}`);
  return { workspaceId, apiKey, connectorId: connector.id, scopes: SCOPES };
}

/** Waits until both services that need the connector have its activation from Kafka. */
export async function waitForProjections(db: import('pg').Pool, connectorId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM token_issuance.connectors WHERE connector_id = $1) + (SELECT count(*) FROM oauth_authorization.connectors WHERE connector_id = $1) AS n`,
      [connectorId],
    );
    if (Number(rows[0]!.n) === 2) return;
    if (Date.now() > deadline) throw new Error('the connector activation did not reach token-issuance and oauth-authorization');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function authorizationUrl(system: RunningSystem, challenge: string, state: string): string {
  const url = new URL(`${system.sandbox.issuer}/auth`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: system.sandbox.client.clientId,
    redirect_uri: system.sandbox.client.redirectUri,
    scope: SCOPES.join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    prompt: 'consent',
  }).toString();
  return url.toString();
}

/** One new grant at the sandbox: a browser's login and consent; returns the code and its verifier. */
export async function authorizeGrant(system: RunningSystem, username: string): Promise<{ code: string; verifier: string }> {
  const pkce = createPkcePair();
  const { callbackUrl } = await authorizeOverHttp(authorizationUrl(system, pkce.challenge, randomBytes(16).toString('base64url')), { username });
  const code = callbackUrl.searchParams.get('code');
  if (!code) throw new Error(`authorization for ${username} returned no code: ${callbackUrl.search}`);
  return { code, verifier: pkce.verifier };
}

/** The sandbox provider listens on this machine, as in development mode. */
const SANDBOX_ON_LOOPBACK = { admitInternalAddresses: true, allowedHosts: [], allowedCidrs: [] };

/** The token request token-issuance sends for a code, sent by the benchmark (the connect floor). */
export async function exchangeCode(system: RunningSystem, code: string, verifier: string): Promise<TokenResult> {
  const request = buildTokenRequest({
    tokenUrl: `${system.sandbox.issuer}/token`,
    client: { clientId: system.sandbox.client.clientId, clientSecret: system.sandbox.client.clientSecret, clientAuthMethod: 'client_secret_basic' },
    grant: { grantType: 'authorization_code', code, redirectUri: system.sandbox.client.redirectUri, codeVerifier: verifier },
  });
  const result = await requestToken(request, { timeoutMs: 10_000, outbound: SANDBOX_ON_LOOPBACK });
  if (!result.ok) throw new Error(`code exchange failed: ${result.code}`);
  return result;
}

/** The refresh grant as token-issuance sends it. */
export async function refreshGrant(system: RunningSystem, refreshToken: string): Promise<TokenResult> {
  const request = buildTokenRequest({
    tokenUrl: `${system.sandbox.issuer}/token`,
    client: { clientId: system.sandbox.client.clientId, clientSecret: system.sandbox.client.clientSecret, clientAuthMethod: 'client_secret_basic' },
    grant: { grantType: 'refresh_token', refreshToken },
  });
  const result = await requestToken(request, { timeoutMs: 10_000, outbound: SANDBOX_ON_LOOPBACK });
  if (!result.ok) throw new Error(`refresh grant failed: ${result.code}`);
  return result;
}

export function vaultDataSource(system: RunningSystem): DataSource {
  return new DataSource({ type: 'postgres', url: system.databaseUrls['token-issuance'], schema: 'token_issuance', entities: [ConnectionEntity], synchronize: false, logging: false, extra: { max: 4, application_name: 'bench-seed' } });
}

export function benchVault(system: RunningSystem, dataSource: DataSource): { vault: CredentialVault; keyring: Keyring } {
  const keyring = Keyring.fromConfig(system.vaultKeys);
  const outbox = new OutboxWriter({
    serviceName: 'token-issuance',
    instanceId: 'bench-seed',
    schema: 'token_issuance',
    databaseUrl: system.databaseUrls['token-issuance'],
    kafkaBrokers: system.kafkaBrokers,
    topicPrefix: system.topicPrefix,
  });
  return { vault: new CredentialVault(keyring, outbox, dataSource), keyring };
}

export interface SeedResult {
  connectionIds: string[];
  seconds: number;
  authorizationsPerSecond: number;
}

/**
 * `count` connections of the workspace's connector, each with its own grant at the sandbox
 * (user `<prefix>-<i>`), stored as token-issuance stores a connect and announced with TokenIssued.
 */
export async function seedConnections(system: RunningSystem, workspace: Workspace, count: number, concurrency: number, prefix: string, label: string): Promise<SeedResult> {
  const started = performance.now();
  let done = 0;
  const grants = await mapLimit(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    const { code, verifier } = await authorizeGrant(system, `${prefix}-${i}`);
    const token = await exchangeCode(system, code, verifier);
    done++;
    progress(`${label}: ${done}/${count} grants authorized at the sandbox`);
    return token;
  });
  const dataSource = await vaultDataSource(system).initialize();
  const { vault } = benchVault(system, dataSource);
  const connectionIds: string[] = [];
  try {
    const connector = await dataSource.query<Array<{ version: number }>>('SELECT version FROM token_issuance.connectors WHERE connector_id = $1', [workspace.connectorId]);
    const connectorVersion = connector[0]?.version ?? 1;
    for (let i = 0; i < grants.length; i += 200) {
      await dataSource.transaction(async (manager) => {
        for (const token of grants.slice(i, i + 200)) {
          const credential = oauthCredential(token, workspace.scopes, new Date(), null);
          const issued = await vault.issue(manager, {
            connectionId: randomUUID(),
            workspaceId: workspace.workspaceId,
            connectorId: workspace.connectorId,
            connectorVersion,
            mode: 'OAUTH2',
            endUserId: `${prefix}-${connectionIds.length}`,
            credential,
            expiresAt: credential.expiresAt,
            refreshable: credential.refreshToken !== undefined,
            refreshMarginSeconds: 300,
            reason: 'connect',
          });
          connectionIds.push(issued.id);
        }
      });
      progress(`${label}: ${connectionIds.length}/${count} connections stored`);
    }
  } finally {
    await dataSource.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return { connectionIds, seconds, authorizationsPerSecond: count / seconds };
}
