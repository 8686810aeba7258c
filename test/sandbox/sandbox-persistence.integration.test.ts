/**
 * The sandbox provider with SANDBOX_DATABASE_URL: grants, tokens and keys live in PostgreSQL, so a
 * restarted sandbox keeps honouring (and guarding) what it issued before.
 */
import { Client } from 'pg';
import { createTestDatabase } from '../harness';
import {
  authorizeOverHttp,
  buildAuthorizationUrl,
  createPkcePair,
  requestTokens,
  startSandboxProvider,
  type SandboxClientConfig,
  type SandboxProvider,
} from '../support/sandbox-provider';

const REDIRECT_URI = 'http://127.0.0.1:3999/oauth/callback';
const client: SandboxClientConfig = { client_id: 'persist-client', client_secret: 'persist-secret-41c9d0', redirect_uris: [REDIRECT_URI] };

let database: { url: string; drop(): Promise<void> };
let sandbox: SandboxProvider | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await sandbox?.stop();
  await database?.drop();
});

async function start(port?: number): Promise<SandboxProvider> {
  sandbox = await startSandboxProvider({ clients: [client], databaseUrl: database.url, ...(port === undefined ? {} : { port }) });
  return sandbox;
}

async function restart(previous: SandboxProvider): Promise<SandboxProvider> {
  await previous.stop();
  return start(previous.port);
}

async function connect(provider: SandboxProvider, username: string): Promise<{ access_token: string; refresh_token: string; id_token: string }> {
  const pkce = createPkcePair();
  const url = buildAuthorizationUrl(provider, { clientId: client.client_id, redirectUri: REDIRECT_URI, codeChallenge: pkce.challenge, state: 's' });
  const { callbackUrl } = await authorizeOverHttp(url, { username });
  const answer = await requestTokens(provider.urls.token, client, {
    grant_type: 'authorization_code',
    code: callbackUrl.searchParams.get('code') ?? '',
    redirect_uri: REDIRECT_URI,
    code_verifier: pkce.verifier,
  });
  const { access_token, refresh_token, id_token } = answer.body;
  if (answer.status !== 200 || !access_token || !refresh_token || !id_token) throw new Error(`code exchange: ${answer.status} ${JSON.stringify(answer.body.error)}`);
  return { access_token, refresh_token, id_token };
}

const refresh = (provider: SandboxProvider, refreshToken: string) => requestTokens(provider.urls.token, client, { grant_type: 'refresh_token', refresh_token: refreshToken });

async function userinfoStatus(provider: SandboxProvider, accessToken: string): Promise<number> {
  const response = await fetch(provider.urls.userinfo, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000) });
  await response.body?.cancel();
  return response.status;
}

async function signingKeyIds(provider: SandboxProvider): Promise<string[]> {
  const jwks = (await (await fetch(`${provider.issuer}/jwks`)).json()) as { keys: Array<{ kid: string }> };
  return jwks.keys.map((key) => key.kid);
}

describe('sandbox provider state in PostgreSQL', () => {
  it('after a restart accepts the refresh and access tokens it issued before, and signs with the same key', async () => {
    const first = await start();
    const tokens = await connect(first, 'olivia');
    const kids = await signingKeyIds(first);

    const second = await restart(first);

    expect(await signingKeyIds(second)).toEqual(kids);
    expect(await userinfoStatus(second, tokens.access_token)).toBe(200);
    const refreshed = await refresh(second, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toEqual(expect.any(String));
    expect(refreshed.body.refresh_token).not.toBe(tokens.refresh_token);
  });

  it('detects the reuse of a refresh token rotated before the restart and revokes the grant', async () => {
    const first = sandbox ?? (await start());
    const tokens = await connect(first, 'pablo');
    const rotated = await refresh(first, tokens.refresh_token);
    const newest = rotated.body.refresh_token ?? '';
    expect(rotated.status).toBe(200);

    const second = await restart(first);

    const reuse = await refresh(second, tokens.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    expect((await refresh(second, newest)).body.error).toBe('invalid_grant');
    expect((await second.stats()).refreshTokenReuseDetections).toBe(1);
  });

  it('revokes every grant of an account found in the database', async () => {
    const provider = sandbox ?? (await start());
    const revoked = await connect(provider, 'quinn');
    const bystander = await connect(provider, 'rosa');

    expect(await provider.revokeGrants('quinn')).toBe(1);

    expect((await refresh(provider, revoked.refresh_token)).body.error).toBe('invalid_grant');
    expect(await userinfoStatus(provider, revoked.access_token)).toBe(401);
    expect((await refresh(provider, bystander.refresh_token)).status).toBe(200);
  });

  it('keeps no token value in the clear in its schema', async () => {
    const provider = sandbox ?? (await start());
    const tokens = await connect(provider, 'sam');
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ dump: string }>(`SELECT string_agg(id_hash || ' ' || payload::text, E'\\n') AS dump FROM sandbox_provider.oidc_entries`);
      const dump = rows[0]?.dump ?? '';
      expect(dump).toContain('"accountId": "sam"');
      for (const value of [tokens.access_token, tokens.refresh_token]) expect(dump.includes(value)).toBe(false);
    } finally {
      await db.end();
    }
  });
});
