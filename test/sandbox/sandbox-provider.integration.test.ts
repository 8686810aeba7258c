/**
 * Proves the sandbox OAuth provider (apps/sandbox-provider) against the real process:
 * authorization code + PKCE, refresh rotation and reuse detection, userinfo, deny, faults,
 * revocation, introspection, client credentials and the control API.
 */
import {
  authorizeOverHttp,
  buildAuthorizationUrl,
  createPkcePair,
  startSandboxProvider,
  type SandboxClientConfig,
  type SandboxProvider,
} from '../support/sandbox-provider';

const REDIRECT_URI = 'http://127.0.0.1:3999/oauth/callback';
const ACCESS_TOKEN_TTL = 123;

const basicClient: SandboxClientConfig = {
  client_id: 'basic-client',
  client_secret: 'basic-secret-6d1f0c2a',
  redirect_uris: [REDIRECT_URI],
  token_endpoint_auth_method: 'client_secret_basic',
};
const postClient: SandboxClientConfig = {
  client_id: 'post-client',
  client_secret: 'post-secret-93be4471',
  redirect_uris: [REDIRECT_URI],
  token_endpoint_auth_method: 'client_secret_post',
};

interface TokenResponseBody {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

interface HttpResult<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Every secret value the tests saw; none of them may appear in the provider's logs. */
const secretsSeen = new Set<string>([basicClient.client_secret, postClient.client_secret]);

let sandbox: SandboxProvider;

beforeAll(async () => {
  sandbox = await startSandboxProvider({
    clients: [basicClient, postClient],
    accessTokenTtlSeconds: ACCESS_TOKEN_TTL,
    users: [{ username: 'carol', password: 'carol-has-her-own-password', email: 'carol@example.test' }],
  });
});

afterAll(async () => {
  await sandbox?.stop();
});

beforeEach(async () => {
  await sandbox.reset();
});

function basicAuthorization(client: SandboxClientConfig): string {
  const credentials = `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

async function postForm<T>(
  url: string,
  client: SandboxClientConfig,
  params: Record<string, string>,
): Promise<HttpResult<T>> {
  const form = new URLSearchParams(params);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (client.token_endpoint_auth_method === 'client_secret_post') {
    form.set('client_id', client.client_id);
    form.set('client_secret', client.client_secret);
  } else {
    headers.authorization = basicAuthorization(client);
  }
  const response = await fetch(url, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
}

async function tokenRequest(client: SandboxClientConfig, params: Record<string, string>): Promise<HttpResult<TokenResponseBody>> {
  const result = await postForm<TokenResponseBody>(sandbox.urls.token, client, params);
  for (const value of [result.body.access_token, result.body.refresh_token, result.body.id_token]) {
    if (value) secretsSeen.add(value);
  }
  return result;
}

function refresh(client: SandboxClientConfig, refreshToken: string): Promise<HttpResult<TokenResponseBody>> {
  return tokenRequest(client, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

async function userinfo(accessToken: string): Promise<HttpResult<Record<string, unknown>>> {
  const response = await fetch(sandbox.urls.userinfo, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

function requireValue<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}`);
  return value;
}

/** Runs the browser part and the code exchange; returns the token response. */
async function authorizeAndExchange(
  client: SandboxClientConfig,
  options: { username: string; scope?: string; prompt?: string } = { username: 'alice' },
): Promise<TokenResponseBody> {
  const pkce = createPkcePair();
  const state = `state-${Math.random().toString(36).slice(2)}`;
  const url = buildAuthorizationUrl(sandbox, {
    clientId: client.client_id,
    redirectUri: REDIRECT_URI,
    codeChallenge: pkce.challenge,
    state,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
  });
  const { callbackUrl } = await authorizeOverHttp(url, { username: options.username });

  expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(REDIRECT_URI);
  expect(callbackUrl.searchParams.get('error')).toBeNull();
  expect(callbackUrl.searchParams.get('state')).toBe(state);
  expect(callbackUrl.searchParams.get('iss')).toBe(sandbox.issuer); // RFC 9207
  const code = requireValue(callbackUrl.searchParams.get('code'), 'authorization code');

  const token = await tokenRequest(client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: pkce.verifier,
  });
  expect(token.status).toBe(200);
  return token.body;
}

describe('sandbox provider', () => {
  it('serves discovery with the endpoints the helper exposes', () => {
    expect(sandbox.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.urls).toEqual({
      authorization: `${sandbox.issuer}/auth`,
      token: `${sandbox.issuer}/token`,
      userinfo: `${sandbox.issuer}/me`,
      revocation: `${sandbox.issuer}/token/revocation`,
      introspection: `${sandbox.issuer}/token/introspection`,
    });
  });

  describe('authorization code flow with PKCE S256', () => {
    it.each([
      ['client_secret_basic', basicClient],
      ['client_secret_post', postClient],
    ])('issues tokens with %s, honours the access token TTL, and userinfo accepts the access token', async (_method, client) => {
      const tokens = await authorizeAndExchange(client, { username: 'alice' });

      expect(tokens.token_type).toBe('Bearer');
      expect(tokens.expires_in).toBe(ACCESS_TOKEN_TTL);
      expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);
      expect(typeof tokens.id_token).toBe('string');
      const accessToken = requireValue(tokens.access_token, 'access_token');
      expect(accessToken.split('.')).toHaveLength(1); // opaque, not a JWT
      expect(typeof tokens.refresh_token).toBe('string');

      const info = await userinfo(accessToken);
      expect(info.status).toBe(200);
      expect(info.body).toMatchObject({ sub: 'alice', preferred_username: 'alice', email: 'alice@sandbox.invalid' });

      const stats = await sandbox.stats();
      expect(stats.tokenRequests.byGrantType).toEqual({ authorization_code: 1 });
    });

    it('rejects the code exchange with a wrong code_verifier', async () => {
      const pkce = createPkcePair();
      const url = buildAuthorizationUrl(sandbox, {
        clientId: basicClient.client_id, redirectUri: REDIRECT_URI, codeChallenge: pkce.challenge, state: 's1',
      });
      const { callbackUrl } = await authorizeOverHttp(url, { username: 'alice' });
      const code = requireValue(callbackUrl.searchParams.get('code'), 'code');

      const token = await tokenRequest(basicClient, {
        grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: createPkcePair().verifier,
      });
      expect(token.status).toBe(400);
      expect(token.body.error).toBe('invalid_grant');
    });

    it('requires PKCE and only accepts S256', async () => {
      const pkce = createPkcePair();
      const base = buildAuthorizationUrl(sandbox, {
        clientId: basicClient.client_id, redirectUri: REDIRECT_URI, codeChallenge: pkce.challenge, state: 's2',
      });

      const withoutPkce = new URL(base);
      withoutPkce.searchParams.delete('code_challenge');
      withoutPkce.searchParams.delete('code_challenge_method');
      const missing = await authorizeOverHttp(withoutPkce.toString());
      expect(missing.callbackUrl.searchParams.get('error')).toBe('invalid_request');
      expect(missing.callbackUrl.searchParams.get('error_description')).toMatch(/PKCE/);

      const plain = new URL(base);
      plain.searchParams.set('code_challenge', pkce.verifier);
      plain.searchParams.set('code_challenge_method', 'plain');
      const rejected = await authorizeOverHttp(plain.toString());
      expect(rejected.callbackUrl.searchParams.get('error')).toBe('invalid_request');
      expect(rejected.callbackUrl.searchParams.get('iss')).toBe(sandbox.issuer);
    });

    it('returns error=access_denied to the redirect_uri when the user clicks Deny', async () => {
      const url = buildAuthorizationUrl(sandbox, {
        clientId: basicClient.client_id, redirectUri: REDIRECT_URI, codeChallenge: createPkcePair().challenge, state: 'deny-state',
      });
      const { callbackUrl } = await authorizeOverHttp(url, { username: 'dave', deny: true });

      expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(REDIRECT_URI);
      expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
      expect(callbackUrl.searchParams.get('state')).toBe('deny-state');
      expect(callbackUrl.searchParams.get('iss')).toBe(sandbox.issuer);
      expect(callbackUrl.searchParams.get('code')).toBeNull();
    });

    it('checks passwords of configured users and accepts "password" for everyone else', async () => {
      const url = (): string => buildAuthorizationUrl(sandbox, {
        clientId: basicClient.client_id, redirectUri: REDIRECT_URI, codeChallenge: createPkcePair().challenge, state: 's3',
      });
      await expect(authorizeOverHttp(url(), { username: 'carol', password: 'password' })).rejects.toThrow(/login failed/);
      const ok = await authorizeOverHttp(url(), { username: 'carol', password: 'carol-has-her-own-password' });
      expect(ok.callbackUrl.searchParams.get('code')).toEqual(expect.any(String));
    });

    it('renders labelled, plain-HTML login and consent forms', async () => {
      const url = buildAuthorizationUrl(sandbox, {
        clientId: basicClient.client_id, redirectUri: REDIRECT_URI, codeChallenge: createPkcePair().challenge, state: 's4',
      });
      const first = await fetch(url, { redirect: 'manual' });
      const interaction = new URL(requireValue(first.headers.get('location'), 'location'), url);
      const cookies = first.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).join('; ');
      const page = await fetch(interaction, { headers: { cookie: cookies } });
      const html = await page.text();

      expect(page.status).toBe(200);
      expect(html).toContain('<html lang="en">');
      expect(html).toMatch(/<label for="username">/);
      expect(html).toMatch(/<input id="username" name="username"/);
      expect(html).toMatch(/<label for="password">/);
      expect(html).toMatch(/<button type="submit"[^>]*>Sign in<\/button>/);
      expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
    });
  });

  describe('refresh tokens', () => {
    it('are only issued for offline_access requested together with prompt=consent', async () => {
      const withoutConsentPrompt = await authorizeAndExchange(basicClient, { username: 'erin', prompt: '' });
      expect(withoutConsentPrompt.refresh_token).toBeUndefined();
      expect(withoutConsentPrompt.scope?.split(' ')).not.toContain('offline_access');

      const withoutOfflineAccess = await authorizeAndExchange(basicClient, { username: 'erin', scope: 'openid profile' });
      expect(withoutOfflineAccess.refresh_token).toBeUndefined();
    });

    it('rotate on every use; reusing a rotated refresh token revokes the whole grant', async () => {
      const initial = await authorizeAndExchange(basicClient, { username: 'frank' });
      const rt1 = requireValue(initial.refresh_token, 'refresh_token');

      const first = await refresh(basicClient, rt1);
      expect(first.status).toBe(200);
      const rt2 = requireValue(first.body.refresh_token, 'rotated refresh_token');
      expect(rt2).not.toBe(rt1);
      expect(first.body.expires_in).toBe(ACCESS_TOKEN_TTL);

      const second = await refresh(basicClient, rt2);
      expect(second.status).toBe(200);
      const rt3 = requireValue(second.body.refresh_token, 'rotated refresh_token');
      const at3 = requireValue(second.body.access_token, 'access_token');
      expect(new Set([rt1, rt2, rt3]).size).toBe(3);
      expect((await userinfo(at3)).status).toBe(200);

      // rt2 was rotated away: presenting it again is reuse
      const reuse = await refresh(basicClient, rt2);
      expect(reuse.status).toBe(400);
      expect(reuse.body.error).toBe('invalid_grant');

      // ...and the whole grant is gone: the newest refresh token and access token are dead too
      const newest = await refresh(basicClient, rt3);
      expect(newest.status).toBe(400);
      expect(newest.body.error).toBe('invalid_grant');
      expect((await userinfo(at3)).status).toBe(401);

      const stats = await sandbox.stats();
      expect(stats.refreshTokenReuseDetections).toBe(1);
      expect(stats.tokenRequests.byGrantType).toEqual({ authorization_code: 1, refresh_token: 4 });
    });

    it('a redeemed authorization code presented again is refused, revokes the grant and is counted', async () => {
      const pkce = createPkcePair();
      const url = buildAuthorizationUrl(sandbox, { clientId: basicClient.client_id, redirectUri: REDIRECT_URI, codeChallenge: pkce.challenge, state: 'code-twice' });
      const { callbackUrl } = await authorizeOverHttp(url, { username: 'carl' });
      const exchange = { grant_type: 'authorization_code', code: requireValue(callbackUrl.searchParams.get('code'), 'authorization code'), redirect_uri: REDIRECT_URI, code_verifier: pkce.verifier };
      const first = await tokenRequest(basicClient, exchange);
      expect(first.status).toBe(200);
      const again = await tokenRequest(basicClient, exchange);
      expect(again.status).toBe(400);
      expect(again.body.error).toBe('invalid_grant');
      expect((await userinfo(requireValue(first.body.access_token, 'access_token'))).status).toBe(401);
      expect((await sandbox.stats()).authorizationCodeReuseDetections).toBe(1);
    });

    it('are rejected for a different client', async () => {
      const tokens = await authorizeAndExchange(basicClient, { username: 'gina' });
      const result = await refresh(postClient, requireValue(tokens.refresh_token, 'refresh_token'));
      expect(result.status).toBe(400);
      expect(result.body.error).toBe('invalid_grant');
    });
  });

  describe('revocation, introspection and provider-side grant revocation', () => {
    it('revocation endpoint (RFC 7009) revokes a refresh token', async () => {
      const tokens = await authorizeAndExchange(postClient, { username: 'hank' });
      const refreshToken = requireValue(tokens.refresh_token, 'refresh_token');

      const revoked = await postForm<Record<string, unknown>>(sandbox.urls.revocation, postClient, {
        token: refreshToken, token_type_hint: 'refresh_token',
      });
      expect(revoked.status).toBe(200);

      const result = await refresh(postClient, refreshToken);
      expect(result.status).toBe(400);
      expect(result.body.error).toBe('invalid_grant');
      expect((await sandbox.stats()).refreshTokenReuseDetections).toBe(0);
    });

    it('introspection reports active tokens', async () => {
      const tokens = await authorizeAndExchange(basicClient, { username: 'ivy' });
      const introspection = await postForm<Record<string, unknown>>(sandbox.urls.introspection, basicClient, {
        token: requireValue(tokens.access_token, 'access_token'),
      });
      expect(introspection.status).toBe(200);
      expect(introspection.body).toMatchObject({ active: true, client_id: basicClient.client_id, sub: 'ivy', token_type: 'Bearer' });

      const unknown = await postForm<Record<string, unknown>>(sandbox.urls.introspection, basicClient, { token: 'not-a-token' });
      expect(unknown.body).toEqual({ active: false });
    });

    it('revokeGrants(accountId) kills every token of that user', async () => {
      const first = await authorizeAndExchange(basicClient, { username: 'judy' });
      const second = await authorizeAndExchange(postClient, { username: 'judy' });
      const bystander = await authorizeAndExchange(basicClient, { username: 'kim' });
      expect(await sandbox.grants('judy')).toBe(2);

      expect(await sandbox.revokeGrants('judy')).toBe(2);
      expect(await sandbox.grants('judy')).toBe(0);
      expect(await sandbox.grants('kim')).toBe(1);

      expect((await refresh(basicClient, requireValue(first.refresh_token, 'rt'))).body.error).toBe('invalid_grant');
      expect((await refresh(postClient, requireValue(second.refresh_token, 'rt'))).body.error).toBe('invalid_grant');
      expect((await userinfo(requireValue(first.access_token, 'at'))).status).toBe(401);
      expect((await refresh(basicClient, requireValue(bystander.refresh_token, 'rt'))).status).toBe(200);
      expect((await sandbox.stats()).grantsRevokedByControl).toBe(2);
    });
  });

  describe('client credentials', () => {
    it('issues an opaque token for the sandbox API that the API and introspection accept', async () => {
      const token = await tokenRequest(postClient, { grant_type: 'client_credentials', scope: 'api:read' });
      expect(token.status).toBe(200);
      expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'api:read', expires_in: ACCESS_TOKEN_TTL });
      expect(token.body.refresh_token).toBeUndefined();
      const accessToken = requireValue(token.body.access_token, 'access_token');

      const api = await fetch(`${sandbox.issuer}/api/whoami`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(api.status).toBe(200);
      expect(await api.json()).toMatchObject({ client_id: postClient.client_id, scope: 'api:read', aud: sandbox.apiResource });

      const introspection = await postForm<Record<string, unknown>>(sandbox.urls.introspection, basicClient, { token: accessToken });
      expect(introspection.body).toMatchObject({ active: true, client_id: postClient.client_id, scope: 'api:read' });

      const denied = await fetch(`${sandbox.issuer}/api/whoami`, { headers: { authorization: 'Bearer nope' } });
      expect(denied.status).toBe(401);
    });
  });

  describe('token endpoint faults', () => {
    it('status 503 with Retry-After for the next request, then normal service', async () => {
      const tokens = await authorizeAndExchange(basicClient, { username: 'leo' });
      await sandbox.reset();
      await sandbox.setTokenFault({ mode: 'status', status: 503, retryAfter: 7, count: 1 });

      const faulted = await refresh(basicClient, requireValue(tokens.refresh_token, 'rt'));
      expect(faulted.status).toBe(503);
      expect(faulted.headers.get('retry-after')).toBe('7');
      expect(faulted.body.error).toBe('temporarily_unavailable');

      // the refresh token was not consumed by the faulted request
      const recovered = await refresh(basicClient, requireValue(tokens.refresh_token, 'rt'));
      expect(recovered.status).toBe(200);
      expect(recovered.body.refresh_token).toEqual(expect.any(String));

      const stats = await sandbox.stats();
      expect(stats.faultsInjected).toBe(1);
      expect(stats.tokenRequests).toEqual({ total: 2, byGrantType: { refresh_token: 2 }, withResourceByGrantType: {} });
      expect(stats.tokenRequestTimestamps).toHaveLength(2);
      const [t1 = 0, t2 = 0] = stats.tokenRequestTimestamps;
      expect(t2).toBeGreaterThanOrEqual(t1);
      expect(stats.refreshTokenReuseDetections).toBe(0);
    });

    it('garbage returns 200 with a non-JSON body; close drops the connection; clearFaults restores service', async () => {
      await sandbox.setTokenFault({ mode: 'garbage', count: 1 });
      const garbage = await fetch(sandbox.urls.token, {
        method: 'POST',
        headers: { authorization: basicAuthorization(basicClient), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(garbage.status).toBe(200);
      await expect(garbage.json()).rejects.toThrow();

      await sandbox.setTokenFault({ mode: 'close' });
      await expect(tokenRequest(basicClient, { grant_type: 'client_credentials' })).rejects.toThrow();
      await expect(tokenRequest(basicClient, { grant_type: 'client_credentials' })).rejects.toThrow();

      await sandbox.clearFaults();
      expect((await tokenRequest(basicClient, { grant_type: 'client_credentials' })).status).toBe(200);
      const stats = await sandbox.stats();
      expect(stats.faultsInjected).toBe(3);
      expect(stats.tokenRequests.byGrantType).toEqual({ client_credentials: 4 });
    });

    it('slow delays the response and then handles the request normally', async () => {
      await sandbox.setTokenFault({ mode: 'slow', delayMs: 400, count: 1 });
      const startedAt = Date.now();
      const result = await tokenRequest(basicClient, { grant_type: 'client_credentials' });
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(390);
      expect(result.status).toBe(200);
      expect((await sandbox.stats()).faultsInjected).toBe(1);
    });

    it('rejects invalid fault definitions', async () => {
      const response = await fetch(`${sandbox.issuer}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tokenEndpoint: { mode: 'explode' } }),
      });
      expect(response.status).toBe(400);
    });
  });

  it('never writes client secrets or tokens to its logs', () => {
    const logs = sandbox.logs().join('\n');
    expect(logs).toContain('"msg":"sandbox-provider ready"');
    expect(secretsSeen.size).toBeGreaterThan(10);
    for (const secret of secretsSeen) {
      expect(logs.includes(secret)).toBe(false);
    }
  });
});

describe('sandbox provider defaults and shutdown', () => {
  it('uses a 3600 s access token TTL by default and exits cleanly on SIGTERM', async () => {
    const provider = await startSandboxProvider({ clients: [basicClient] });
    try {
      const token = await postForm<TokenResponseBody>(provider.urls.token, basicClient, { grant_type: 'client_credentials' });
      expect(token.status).toBe(200);
      expect(token.body.expires_in).toBe(3600);
    } finally {
      await provider.stop();
    }
    expect(provider.logs()).toContainEqual(expect.stringContaining('"msg":"sandbox-provider stopped"'));
  });
});
