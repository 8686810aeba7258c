import { buildIntrospectionRequest, buildRevocationRequest, buildTokenRequest, type OAuthClient } from '@cb/oauth-client';

const tokenUrl = 'https://auth.example.com/token';
const secret = 'p@ss:w rd+/%é';
const code = { grantType: 'authorization_code', code: 'code-1', redirectUri: 'https://app.example.com/callback', codeVerifier: 'verifier-1' } as const;

function form(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

function decodeBasic(header: string | undefined): [string, string] {
  const decoded = Buffer.from((header ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
  const [id = '', encodedSecret = ''] = decoded.split(':');
  const decode = (value: string): string => decodeURIComponent(value.replace(/\+/g, ' '));
  return [decode(id), decode(encodedSecret)];
}

describe('buildTokenRequest', () => {
  it('sends client_secret_basic by default, form-urlencoding id and secret before base64 (RFC 6749 §2.3.1)', () => {
    const client: OAuthClient = { clientId: 'my client:1', clientSecret: secret };
    const request = buildTokenRequest({ tokenUrl, client, grant: code });
    expect(request.headers['Authorization']).toBe(
      `Basic ${Buffer.from('my+client%3A1:p%40ss%3Aw+rd%2B%2F%25%C3%A9').toString('base64')}`,
    );
    expect(decodeBasic(request.headers['Authorization'])).toEqual(['my client:1', secret]);
    expect(form(request.body)).toEqual({
      grant_type: 'authorization_code',
      code: 'code-1',
      redirect_uri: 'https://app.example.com/callback',
      code_verifier: 'verifier-1',
    });
  });

  it('puts the credentials in the body for client_secret_post, and sends no Authorization header', () => {
    const request = buildTokenRequest({ tokenUrl, client: { clientId: 'id', clientSecret: secret, clientAuthMethod: 'client_secret_post' }, grant: code });
    expect(request.headers).not.toHaveProperty('Authorization');
    expect(form(request.body)).toMatchObject({ client_id: 'id', client_secret: secret });
  });

  it('identifies a public client with client_id only', () => {
    const request = buildTokenRequest({ tokenUrl, client: { clientId: 'id' }, grant: code });
    expect(request.headers).not.toHaveProperty('Authorization');
    expect(form(request.body)).toMatchObject({ client_id: 'id' });
    expect(form(request.body)).not.toHaveProperty('client_secret');
  });

  it('asks for JSON and labels the form body', () => {
    const request = buildTokenRequest({ tokenUrl, client: { clientId: 'id', clientSecret: 's' }, grant: code });
    expect(request).toMatchObject({
      url: tokenUrl,
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    });
  });

  it('sends a JSON body when the connector asks for one', () => {
    const request = buildTokenRequest({
      tokenUrl,
      client: { clientId: 'id', clientSecret: secret, clientAuthMethod: 'client_secret_post' },
      grant: { grantType: 'refresh_token', refreshToken: 'refresh-1' },
      format: 'json',
    });
    expect(request.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({ grant_type: 'refresh_token', refresh_token: 'refresh-1', client_id: 'id', client_secret: secret });
  });

  it('builds refresh and client-credentials grants with an optional scope', () => {
    const client = { clientId: 'id', clientSecret: 's' };
    expect(form(buildTokenRequest({ tokenUrl, client, grant: { grantType: 'refresh_token', refreshToken: 'r', scope: 'a b' } }).body)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'r',
      scope: 'a b',
    });
    expect(form(buildTokenRequest({ tokenUrl, client, grant: { grantType: 'client_credentials' } }).body)).toEqual({ grant_type: 'client_credentials' });
  });

  it('names the protected resource on every grant when the connector has one (RFC 8707 §2.2)', () => {
    const client = { clientId: 'id', clientSecret: 's' };
    const resource = 'https://mcp.example.com/mcp';
    for (const grant of [code, { grantType: 'refresh_token', refreshToken: 'r' }, { grantType: 'client_credentials' }] as const) {
      expect(form(buildTokenRequest({ tokenUrl, client, grant, resource }).body)).toMatchObject({ grant_type: grant.grantType, resource });
    }
    expect(form(buildTokenRequest({ tokenUrl, client, grant: code }).body)).not.toHaveProperty('resource');
  });

  it('leaves out code_verifier when PKCE is off', () => {
    const request = buildTokenRequest({ tokenUrl, client: { clientId: 'id', clientSecret: 's' }, grant: { ...code, codeVerifier: undefined } });
    expect(form(request.body)).not.toHaveProperty('code_verifier');
  });
});

describe('buildRevocationRequest', () => {
  it('sends the token with its type hint, form-encoded, with the same client authentication (RFC 7009 §2.1)', () => {
    const request = buildRevocationRequest({
      revocationUrl: 'https://auth.example.com/revoke',
      client: { clientId: 'id', clientSecret: secret },
      token: 'refresh-1',
      tokenTypeHint: 'refresh_token',
    });
    expect(request.url).toBe('https://auth.example.com/revoke');
    expect(request.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(decodeBasic(request.headers['Authorization'])).toEqual(['id', secret]);
    expect(form(request.body)).toEqual({ token: 'refresh-1', token_type_hint: 'refresh_token' });
  });
});

describe('buildIntrospectionRequest', () => {
  it('sends the access token with its hint, form-encoded, authenticated like the token endpoint (RFC 7662 §2.1)', () => {
    const request = buildIntrospectionRequest({
      introspectionUrl: 'https://auth.example.com/introspect',
      client: { clientId: 'id', clientSecret: secret, clientAuthMethod: 'client_secret_post' },
      token: 'access-1',
      tokenTypeHint: 'access_token',
    });
    expect(request.url).toBe('https://auth.example.com/introspect');
    expect(request.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(request.headers['Authorization']).toBeUndefined();
    expect(form(request.body)).toEqual({ token: 'access-1', token_type_hint: 'access_token', client_id: 'id', client_secret: secret });
  });
});
