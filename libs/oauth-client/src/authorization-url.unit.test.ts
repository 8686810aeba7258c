import { buildAuthorizationRequestUrl } from '@cb/oauth-client';

const base = {
  authorizationUrl: 'https://login.example.com/common/oauth2/v2.0/authorize',
  clientId: 'client-1',
  redirectUri: 'https://broker.example.com/oauth/callback',
  state: 'state-1',
};

describe('buildAuthorizationRequestUrl', () => {
  it('builds an authorization-code request with PKCE, scopes and provider parameters', () => {
    const url = new URL(buildAuthorizationRequestUrl({
      ...base,
      scopes: ['openid', 'offline_access'],
      codeChallenge: 'challenge-1',
      params: { prompt: 'consent' },
    }));
    expect(url.origin + url.pathname).toBe(base.authorizationUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      prompt: 'consent',
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: base.redirectUri,
      state: 'state-1',
      scope: 'openid offline_access',
      code_challenge: 'challenge-1',
      code_challenge_method: 'S256',
    });
  });

  it('uses the scope parameter and separator of the connector', () => {
    const url = new URL(buildAuthorizationRequestUrl({ ...base, scopes: ['users:read', 'chat:write'], scopeSeparator: ',', scopeParam: 'user_scope' }));
    expect(url.searchParams.get('user_scope')).toBe('users:read,chat:write');
    expect(url.searchParams.has('scope')).toBe(false);
  });

  it('keeps query parameters already in the endpoint URL', () => {
    const url = new URL(buildAuthorizationRequestUrl({ ...base, authorizationUrl: 'https://auth.example.com/authorize?tenant=acme' }));
    expect(url.searchParams.get('tenant')).toBe('acme');
  });

  it('refuses provider parameters that would change the flow, such as response_type=token', () => {
    expect(() => buildAuthorizationRequestUrl({ ...base, params: { response_type: 'token' } })).toThrow('response_type');
    expect(() => buildAuthorizationRequestUrl({ ...base, params: { state: 'x' } })).toThrow('state');
  });
});
