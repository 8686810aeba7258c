import { parseTokenResponse, type TokenError, type TokenResult } from '@cb/oauth-client';

const JSON_TYPE = 'application/json; charset=utf-8';

function token(...args: Parameters<typeof parseTokenResponse>): TokenResult {
  const result = parseTokenResponse(...args);
  if (!result.ok) throw new Error(`expected a token, got ${JSON.stringify(result)}`);
  return result;
}

function failure(...args: Parameters<typeof parseTokenResponse>): TokenError {
  const result = parseTokenResponse(...args);
  if (result.ok) throw new Error('expected an error');
  return result;
}

const json = (value: unknown): string => JSON.stringify(value);

describe('parseTokenResponse', () => {
  it('reads a standard JSON response', () => {
    const body = json({ access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-1', scope: 'read write', id_token: 'idt' });
    expect(token(200, JSON_TYPE, body)).toEqual({
      ok: true,
      accessToken: 'at-1',
      tokenType: 'Bearer',
      expiresIn: 3600,
      refreshToken: 'rt-1',
      scopes: ['read', 'write'],
      idToken: 'idt',
      metadata: {},
    });
  });

  describe('Slack', () => {
    const paths = {
      accessToken: 'authed_user.access_token',
      refreshToken: 'authed_user.refresh_token',
      expiresIn: 'authed_user.expires_in',
      scope: 'authed_user.scope',
      tokenType: 'authed_user.token_type',
    };
    const metadataPaths = { team_id: 'team.id', authed_user_id: 'authed_user.id' };

    it('reads the user token nested in authed_user, comma-separated scopes and team metadata', () => {
      const body = json({
        ok: true,
        app_id: 'A1',
        team: { id: 'T1', name: 'Acme' },
        authed_user: { id: 'U1', scope: 'users:read,chat:write', access_token: 'xoxp-1', token_type: 'user', refresh_token: 'xoxe-1', expires_in: 43200 },
      });
      expect(token(200, JSON_TYPE, body, paths, metadataPaths)).toEqual({
        ok: true,
        accessToken: 'xoxp-1',
        tokenType: 'user',
        refreshToken: 'xoxe-1',
        expiresIn: 43200,
        scopes: ['users:read', 'chat:write'],
        metadata: { team_id: 'T1', authed_user_id: 'U1' },
      });
    });

    it('falls back to top-level members for a refresh answer', () => {
      const body = json({ ok: true, access_token: 'xoxp-2', refresh_token: 'xoxe-2', expires_in: 43200, token_type: 'user' });
      expect(token(200, JSON_TYPE, body, paths)).toMatchObject({ accessToken: 'xoxp-2', refreshToken: 'xoxe-2', expiresIn: 43200 });
    });

    it('treats HTTP 200 with ok:false as an error with Slack’s code', () => {
      expect(failure(200, JSON_TYPE, json({ ok: false, error: 'invalid_refresh_token' }), paths)).toEqual({
        ok: false,
        code: 'invalid_refresh_token',
        status: 200,
        retriable: false,
        reconnectRequired: true,
        ambiguous: false,
      });
      expect(failure(200, JSON_TYPE, json({ ok: false, error: 'ratelimited' }))).toMatchObject({ retriable: true, reconnectRequired: false });
      expect(failure(200, JSON_TYPE, json({ ok: false }))).toMatchObject({ code: 'provider_error' });
    });
  });

  describe('GitHub', () => {
    it('reads a form-encoded success', () => {
      const body = 'access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cgist&token_type=bearer';
      expect(token(200, 'application/x-www-form-urlencoded; charset=utf-8', body)).toEqual({
        ok: true,
        accessToken: 'gho_16C7e42F292c6912E7710c838347Ae178B4a',
        tokenType: 'bearer',
        scopes: ['repo', 'gist'],
        metadata: {},
      });
    });

    it('reads a form-encoded error sent with HTTP 200', () => {
      const body = 'error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fdocs.github.com';
      expect(failure(200, 'application/x-www-form-urlencoded', body)).toMatchObject({
        code: 'bad_verification_code',
        description: 'The code passed is incorrect or expired.',
        retriable: false,
        reconnectRequired: true,
      });
    });

    it('reads a form body even without a content type', () => {
      expect(token(200, null, 'access_token=gho_1&token_type=bearer&scope=')).toMatchObject({ accessToken: 'gho_1', scopes: [] });
    });
  });

  describe('HubSpot', () => {
    it('reads { status, message } on a 400 as an error with HubSpot\'s code', () => {
      const body = json({ status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token', correlationId: 'c0ffee' });
      expect(failure(400, JSON_TYPE, body)).toEqual({
        ok: false,
        code: 'BAD_REFRESH_TOKEN',
        description: 'missing or invalid refresh token',
        status: 400,
        retriable: false,
        reconnectRequired: true,
        ambiguous: false,
      });
      expect(failure(400, JSON_TYPE, json({ status: 'BAD_AUTH_CODE', message: 'missing or unknown auth code' }))).toMatchObject({ code: 'BAD_AUTH_CODE', reconnectRequired: true });
      expect(failure(400, JSON_TYPE, json({ status: 'BAD_CLIENT_ID', message: 'missing or unknown client id' }))).toMatchObject({ retriable: false, reconnectRequired: false });
    });

    it('leaves a lower-case or successful status member alone', () => {
      expect(failure(400, JSON_TYPE, json({ status: 'error', message: 'x' }))).toMatchObject({ code: 'invalid_token_response' });
      expect(token(200, JSON_TYPE, json({ access_token: 'at', status: 'ACTIVE' }))).toMatchObject({ accessToken: 'at' });
      expect(failure(503, JSON_TYPE, json({ status: 'SERVICE_UNAVAILABLE', message: 'try later' }))).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retriable: true });
    });
  });

  it('Salesforce: no expires_in, instance_url kept as metadata', () => {
    const body = json({
      access_token: '00D!AQ0AQ',
      refresh_token: '5Aep86',
      signature: 'sig',
      scope: 'refresh_token api',
      instance_url: 'https://acme.my.salesforce.com',
      id: 'https://login.salesforce.com/id/00D/005',
      token_type: 'Bearer',
      issued_at: '1700000000000',
    });
    const result = token(200, JSON_TYPE, body, {}, { instance_url: 'instance_url', identity_url: 'id' });
    expect(result.expiresIn).toBeUndefined();
    expect(result.metadata).toEqual({ instance_url: 'https://acme.my.salesforce.com', identity_url: 'https://login.salesforce.com/id/00D/005' });
  });

  it('Microsoft: expires_in as a string', () => {
    const body = json({ token_type: 'Bearer', scope: 'User.Read openid', expires_in: '3599', ext_expires_in: '3599', access_token: 'eyJ0', refresh_token: 'M.R3' });
    expect(token(200, JSON_TYPE, body)).toMatchObject({ expiresIn: 3599, refreshToken: 'M.R3' });
  });

  it('Google: a refresh answer without a refresh token leaves refreshToken absent', () => {
    const body = json({ access_token: 'ya29.a0', expires_in: 3599, scope: 'openid https://www.googleapis.com/auth/userinfo.email', token_type: 'Bearer' });
    const result = token(200, JSON_TYPE, body);
    expect(result).not.toHaveProperty('refreshToken');
    expect(result.scopes).toEqual(['openid', 'https://www.googleapis.com/auth/userinfo.email']);
  });

  it('ignores an expires_in that is not a non-negative number', () => {
    expect(token(200, JSON_TYPE, json({ access_token: 'a', expires_in: 'soon' }))).not.toHaveProperty('expiresIn');
    expect(token(200, JSON_TYPE, json({ access_token: 'a', expires_in: -5 }))).not.toHaveProperty('expiresIn');
    expect(token(200, JSON_TYPE, json({ access_token: 'a', expires_in: null }))).not.toHaveProperty('expiresIn');
  });

  it('reads JSON mislabelled as text/plain', () => {
    expect(token(200, 'text/plain', json({ access_token: 'a' }))).toMatchObject({ accessToken: 'a' });
  });

  describe('errors', () => {
    it('keeps the provider code of an RFC 6749 error; invalid_grant is permanent and needs a reconnect', () => {
      expect(failure(400, JSON_TYPE, json({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }))).toEqual({
        ok: false,
        code: 'invalid_grant',
        description: 'Token has been expired or revoked.',
        status: 400,
        retriable: false,
        reconnectRequired: true,
        ambiguous: false,
      });
    });

    it.each(['invalid_client', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_request'])(
      '%s is permanent but not a reconnect',
      (code) => {
        expect(failure(401, JSON_TYPE, json({ error: code }))).toMatchObject({ code, retriable: false, reconnectRequired: false });
      },
    );

    it('treats 5xx and 429 as transient, with or without an OAuth error body', () => {
      expect(failure(503, JSON_TYPE, json({ error: 'temporarily_unavailable' }))).toMatchObject({ retriable: true });
      expect(failure(429, JSON_TYPE, json({ error: 'too_many_requests' }))).toMatchObject({ retriable: true });
      expect(failure(502, 'text/html', '<html><body>Bad Gateway</body></html>')).toMatchObject({
        code: 'invalid_token_response',
        status: 502,
        retriable: true,
      });
    });

    it('lets a permanent code win over a 5xx status', () => {
      expect(failure(500, JSON_TYPE, json({ error: 'invalid_grant' }))).toMatchObject({ retriable: false, reconnectRequired: true });
    });

    it('treats an unreadable 2xx or 4xx answer as a permanent invalid_token_response', () => {
      expect(failure(200, 'text/html', '<html>login</html>')).toMatchObject({ code: 'invalid_token_response', retriable: false });
      expect(failure(200, JSON_TYPE, '{"access_token": ')).toMatchObject({ code: 'invalid_token_response' });
      expect(failure(200, JSON_TYPE, '[]')).toMatchObject({ code: 'invalid_token_response' });
      expect(failure(404, 'text/plain', 'Not Found')).toMatchObject({ code: 'invalid_token_response', retriable: false });
      expect(failure(302, null, '')).toMatchObject({ code: 'invalid_token_response', retriable: false });
    });

    it('treats a 2xx answer without an access token as invalid', () => {
      expect(failure(200, JSON_TYPE, json({ token_type: 'Bearer', refresh_token: 'rt-secret' }))).toMatchObject({
        code: 'invalid_token_response',
        description: 'the token response has no access token',
      });
      expect(failure(200, JSON_TYPE, json({ access_token: 42 }))).toMatchObject({ code: 'invalid_token_response' });
    });

    it('never puts a token value in the description', () => {
      const body = json({
        error: 'invalid_grant',
        error_description: 'refresh token rt-SECRET-1 and access token at-SECRET-2 were revoked\nnext line',
        refresh_token: 'rt-SECRET-1',
        authed_user: { access_token: 'at-SECRET-2' },
      });
      const error = failure(400, JSON_TYPE, body);
      expect(JSON.stringify(error)).not.toMatch(/SECRET/);
      expect(error.description).toBe('refresh token [redacted] and access token [redacted] were revoked next line');
    });

    it('bounds the description', () => {
      const error = failure(400, JSON_TYPE, json({ error: 'invalid_request', error_description: 'x'.repeat(5000) }));
      expect(error.description?.length).toBeLessThanOrEqual(301);
    });
  });

  describe('token material stays out of metadata, scopes and token type', () => {
    const body = json({
      access_token: 'access-SECRET-0001',
      refresh_token: 'refresh-SECRET-0002',
      id_token: 'idtoken-SECRET-0003',
      scope: 'read',
      extra: { copy: 'refresh-SECRET-0002', inner: { access_token: 'access-SECRET-0001' } },
      again: 'Bearer access-SECRET-0001',
      instance_url: 'https://acme.example.com',
    });

    it('drops a metadata value that contains a token, whatever the path calls it', () => {
      const metadataPaths = { leak1: 'refresh_token', leak2: 'extra', leak3: 'again', leak4: 'id_token', kept: 'instance_url' };
      expect(token(200, JSON_TYPE, body, {}, metadataPaths).metadata).toEqual({ kept: 'https://acme.example.com' });
    });

    it('drops a scope or token type read from a token member', () => {
      const result = token(200, JSON_TYPE, body, { scope: 'refresh_token', tokenType: 'again' });
      expect(result).not.toHaveProperty('scopes');
      expect(result).not.toHaveProperty('tokenType');
      expect(result.refreshToken).toBe('refresh-SECRET-0002');
    });
  });

  it.each([
    ['<script>"x"</script>', 'provider_error'],
    ['back\\slash', 'provider_error'],
    ['ünïcode', 'provider_error'],
    ['line\nbreak', 'provider_error'],
    ['x'.repeat(65), 'provider_error'],
    ['invalid_grant', 'invalid_grant'],
    ['Some Provider-Error.42', 'Some Provider-Error.42'],
    ['x'.repeat(64), 'x'.repeat(64)],
  ])('keeps a provider error code only when RFC 6749 allows it: %j → %s', (stated, kept) => {
    expect(failure(400, JSON_TYPE, json({ error: stated })).code).toBe(kept);
  });
});
