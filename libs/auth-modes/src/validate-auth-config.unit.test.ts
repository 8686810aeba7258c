import { scopesFor, validateAuthConfig, type AuthConfig, type FieldError } from '@cb/auth-modes';

const oauth2 = {
  mode: 'OAUTH2',
  authorizationUrl: 'https://auth.example.com/authorize',
  tokenUrl: 'https://auth.example.com/token',
  clientId: 'client-1',
  clientSecret: 'client-secret-1',
  scopes: ['read', 'write'],
};

function errorsOf(input: unknown, opts?: Parameters<typeof validateAuthConfig>[1]): FieldError[] {
  const result = validateAuthConfig(input, opts);
  if (result.ok) throw new Error('expected validation to fail');
  return result.errors;
}

function valueOf(input: unknown, opts?: Parameters<typeof validateAuthConfig>[1]): AuthConfig {
  const result = validateAuthConfig(input, opts);
  if (!result.ok) throw new Error(`expected a valid config, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

const paths = (errors: FieldError[]): string[] => errors.map((error) => error.path);

describe('validateAuthConfig', () => {
  describe('mode', () => {
    it('refuses a missing or unknown mode, naming mode', () => {
      expect(errorsOf({})).toEqual([{ path: 'mode', message: expect.stringContaining('OAUTH2') }]);
      expect(paths(errorsOf({ mode: 'SAML' }))).toEqual(['mode']);
    });

    it('refuses a value that is not an object', () => {
      expect(paths(errorsOf('OAUTH2'))).toEqual(['']);
      expect(paths(errorsOf(null))).toEqual(['']);
      expect(paths(errorsOf([oauth2]))).toEqual(['']);
    });
  });

  describe('OAuth2', () => {
    it('applies the defaults', () => {
      expect(valueOf(oauth2)).toEqual({
        ...oauth2,
        scopeSeparator: ' ',
        scopeParam: 'scope',
        authorizationParams: {},
        requiredAttributes: [],
        grantType: 'authorization_code',
        refreshGrantType: 'refresh_token',
        clientAuthMethod: 'client_secret_basic',
        tokenRequestFormat: 'form',
        pkce: true,
        metadataPaths: {},
        refreshMarginSeconds: 300,
      });
    });

    it('does not refresh client-credentials connectors by default', () => {
      const config = valueOf({ mode: 'OAUTH2', grantType: 'client_credentials', tokenUrl: oauth2.tokenUrl, clientId: 'c', clientSecret: 's' });
      expect(config).toMatchObject({ grantType: 'client_credentials', refreshGrantType: 'none' });
    });

    it('defaults the tenant to common only when a URL uses {tenant}', () => {
      const withTenant = valueOf({ ...oauth2, authorizationUrl: 'https://login.example.com/{tenant}/authorize' });
      expect(withTenant).toMatchObject({ tenantId: 'common' });
      expect(valueOf(oauth2)).not.toHaveProperty('tenantId');
      expect(valueOf({ ...oauth2, tokenUrl: 'https://login.example.com/{tenant}/token', tenantId: 'contoso.onmicrosoft.com' }))
        .toMatchObject({ tenantId: 'contoso.onmicrosoft.com' });
    });

    it('refuses unknown members, including nested ones', () => {
      const errors = errorsOf({
        ...oauth2,
        clientSecrett: 'typo',
        requiredAttributes: [{ key: 'site', label: 'Site', extra: true }],
        tokenResponsePaths: { accesToken: 'x' },
      });
      expect(paths(errors).sort()).toEqual(['clientSecrett', 'requiredAttributes.0.extra', 'tokenResponsePaths.accesToken']);
    });

    it('names the path of each wrongly typed value, once', () => {
      const errors = errorsOf({
        ...oauth2,
        clientId: 42,
        scopes: 'read write',
        pkce: 'yes',
        refreshMarginSeconds: -1,
        requiredAttributes: [{ key: 'site', label: 'Site' }, 'oops', { key: '1bad', label: '' }],
      });
      expect(errors).toEqual([
        { path: 'clientId', message: 'clientId must be a string' },
        { path: 'scopes', message: 'scopes must be an array' },
        { path: 'requiredAttributes.1', message: 'each requiredAttributes item must be an object' },
        { path: 'requiredAttributes.2.key', message: expect.stringContaining('identifier') },
        { path: 'requiredAttributes.2.label', message: expect.stringContaining('label') },
        { path: 'pkce', message: 'pkce must be a boolean value' },
        { path: 'refreshMarginSeconds', message: expect.stringContaining('not be less than 0') },
      ]);
    });

    it('takes an introspection URL with placeholders and an assumed token lifetime of 1 s to 30 days, naming each problem', () => {
      const config = valueOf({ ...oauth2, tokenUrl: 'https://login.example.com/{tenant}/token', introspectionUrl: 'https://login.example.com/{tenant}/introspect', assumedTokenLifetimeSeconds: 3600 });
      expect(config).toMatchObject({ introspectionUrl: 'https://login.example.com/{tenant}/introspect', assumedTokenLifetimeSeconds: 3600 });
      const errors = errorsOf({ ...oauth2, introspectionUrl: 'http://auth.example.com/introspect', assumedTokenLifetimeSeconds: 0 });
      expect(errors).toEqual([
        { path: 'introspectionUrl', message: expect.stringContaining('https') },
        { path: 'assumedTokenLifetimeSeconds', message: expect.stringContaining('not be less than 1') },
      ]);
      expect(paths(errorsOf({ ...oauth2, assumedTokenLifetimeSeconds: 2_592_001 }))).toEqual(['assumedTokenLifetimeSeconds']);
      expect(paths(errorsOf({ ...oauth2, assumedTokenLifetimeSeconds: 1.5 }))).toEqual(['assumedTokenLifetimeSeconds']);
    });

    it('refuses null for optional members instead of storing it', () => {
      expect(paths(errorsOf({ ...oauth2, revocationUrl: null }))).toEqual(['revocationUrl']);
    });

    it('refuses enum values outside the allowed set', () => {
      const errors = errorsOf({ ...oauth2, grantType: 'password', clientAuthMethod: 'private_key_jwt', tokenRequestFormat: 'xml', scopeSeparator: ';' });
      expect(paths(errors).sort()).toEqual(['clientAuthMethod', 'grantType', 'scopeSeparator', 'tokenRequestFormat']);
    });

    it('refuses authorization parameters that the broker sets itself, such as response_type=token', () => {
      const errors = errorsOf({ ...oauth2, authorizationParams: { prompt: 'consent', response_type: 'token' } });
      expect(errors).toEqual([{ path: 'authorizationParams', message: expect.stringContaining("'response_type'") }]);
      expect(paths(errorsOf({ ...oauth2, authorizationParams: { prompt: 1 } }))).toEqual(['authorizationParams']);
    });

    it('refuses scopes that are not RFC 6749 scope tokens or contain the separator', () => {
      expect(paths(errorsOf({ ...oauth2, scopes: ['read write'] }))).toEqual(['scopes']);
      expect(paths(errorsOf({ ...oauth2, scopes: [''] }))).toEqual(['scopes']);
      expect(paths(errorsOf({ ...oauth2, scopeSeparator: ',', scopes: ['a,b'] }))).toEqual(['scopes']);
    });

    it('refuses a required-attribute pattern that does not compile, and repeated keys', () => {
      const errors = errorsOf({
        ...oauth2,
        requiredAttributes: [
          { key: 'site', label: 'Site', pattern: '([a-z]+' },
          { key: 'site', label: 'Site again' },
        ],
      });
      expect(paths(errors).sort()).toEqual(['requiredAttributes', 'requiredAttributes.0.pattern']);
    });

    it('checks token response and metadata paths', () => {
      expect(valueOf({ ...oauth2, tokenResponsePaths: { accessToken: 'authed_user.access_token' }, metadataPaths: { instance_url: 'instance_url' } }))
        .toMatchObject({ tokenResponsePaths: { accessToken: 'authed_user.access_token' }, metadataPaths: { instance_url: 'instance_url' } });
      expect(paths(errorsOf({ ...oauth2, tokenResponsePaths: { accessToken: 'a..b' } }))).toEqual(['tokenResponsePaths.accessToken']);
      expect(paths(errorsOf({ ...oauth2, metadataPaths: { 'bad key': 'x' } }))).toEqual(['metadataPaths']);
    });

    it('refuses metadata and response paths that would copy a token out of the vault', () => {
      const messages = (input: Record<string, unknown>): string[] => {
        const result = validateAuthConfig({ ...oauth2, ...input });
        return result.ok ? [] : result.errors.map((error) => error.message);
      };
      expect(messages({ metadataPaths: { leak: 'refresh_token' } })).toEqual(["metadataPaths 'leak' must not name a token (access_token, refresh_token, id_token)"]);
      expect(messages({ metadataPaths: { leak: 'authed_user.access_token' } })).toHaveLength(1);
      expect(messages({ metadataPaths: { leak: 'id_token' } })).toHaveLength(1);
      const slack = { tokenResponsePaths: { accessToken: 'authed_user.token' } };
      expect(messages({ ...slack, metadataPaths: { user: 'authed_user' } })).toEqual(["metadataPaths 'user' must not copy the token at authed_user.token"]);
      expect(messages({ ...slack, metadataPaths: { same: 'authed_user.token' } })).toHaveLength(1);
      expect(messages({ tokenResponsePaths: { scope: 'refresh_token' } })).toEqual(['tokenResponsePaths scope must not name a token (access_token, refresh_token, id_token)']);
      expect(messages({ tokenResponsePaths: { refreshToken: 'data.rt', tokenType: 'data.rt' } })).toHaveLength(1);
      expect(messages({ ...slack, metadataPaths: { user_id: 'authed_user.id', team: 'team' } })).toEqual([]);
    });
  });

  describe('endpoint URLs', () => {
    it.each([
      ['http://auth.example.com/token', 'must use https'],
      ['ftp://auth.example.com/token', 'must use https'],
      ['auth.example.com/token', 'must be an absolute URL'],
      ['https://user:pass@auth.example.com/token', 'must not contain credentials'],
      ['https://auth.example.com/token#frag', 'must not contain a fragment'],
    ])('refuses %s', (tokenUrl, message) => {
      expect(errorsOf({ ...oauth2, tokenUrl })).toEqual([{ path: 'tokenUrl', message: `tokenUrl ${message}` }]);
    });

    it.each(['http://localhost:3000/token', 'http://127.0.0.1/token', 'http://[::1]:8080/token'])(
      'accepts %s on loopback only when allowInsecureLoopback is set',
      (tokenUrl) => {
        expect(paths(errorsOf({ ...oauth2, tokenUrl }))).toEqual(['tokenUrl']);
        expect(valueOf({ ...oauth2, tokenUrl }, { allowInsecureLoopback: true })).toMatchObject({ tokenUrl });
      },
    );

    it('keeps refusing http to other hosts in development', () => {
      const errors = errorsOf({ ...oauth2, tokenUrl: 'http://auth.example.com/token' }, { allowInsecureLoopback: true });
      expect(errors).toEqual([{ path: 'tokenUrl', message: expect.stringContaining('localhost') }]);
    });

    it('accepts {tenant} and declared {attr.<key>} placeholders', () => {
      const config = valueOf({
        ...oauth2,
        authorizationUrl: 'https://login.example.com/{tenant}/authorize?site={attr.site}',
        tokenUrl: 'https://{attr.site}.example.com/token',
        requiredAttributes: [{ key: 'site', label: 'Site' }],
      });
      expect(config).toMatchObject({ tokenUrl: 'https://{attr.site}.example.com/token' });
    });

    it('names the field that has an unknown placeholder', () => {
      expect(errorsOf({ ...oauth2, revocationUrl: 'https://auth.example.com/{region}/revoke' })).toEqual([
        { path: 'revocationUrl', message: expect.stringContaining('{region}') },
      ]);
      expect(errorsOf({ ...oauth2, tokenUrl: 'https://auth.example.com/{attr.site}/token' })).toEqual([
        { path: 'tokenUrl', message: expect.stringContaining('not a required attribute') },
      ]);
      expect(paths(errorsOf({ ...oauth2, tokenUrl: 'https://auth.example.com/{tenant/token' }))).toEqual(['tokenUrl']);
    });

    it('refuses a placeholder that could name any host, unless a pattern limits it', () => {
      const site = { key: 'site', label: 'Site' };
      expect(paths(errorsOf({ ...oauth2, tokenUrl: 'https://{attr.site}/token', requiredAttributes: [site] }))).toEqual(['tokenUrl']);
      expect(paths(errorsOf({ ...oauth2, tokenUrl: 'https://{tenant}/token' }))).toEqual(['tokenUrl']);
      expect(
        valueOf({ ...oauth2, tokenUrl: 'https://{attr.site}/token', requiredAttributes: [{ ...site, pattern: '[a-z]+\\.example\\.com' }] }),
      ).toMatchObject({ tokenUrl: 'https://{attr.site}/token' });
    });
  });

  describe('drafts', () => {
    it('reports what activation needs unless partial is set', () => {
      const draft = { mode: 'OAUTH2', scopes: ['read'] };
      expect(paths(errorsOf(draft))).toEqual(['authorizationUrl', 'tokenUrl', 'clientId']);
      expect(valueOf(draft, { partial: true })).toMatchObject({ mode: 'OAUTH2', scopes: ['read'] });
    });

    it('needs PKCE for a public client before activation', () => {
      const { clientSecret: _secret, ...publicClient } = oauth2;
      expect(errorsOf({ ...publicClient, pkce: false })).toEqual([{ path: 'pkce', message: expect.stringContaining('client secret') }]);
      expect(valueOf({ ...publicClient, pkce: false }, { partial: true })).toMatchObject({ pkce: false });
      expect(valueOf(publicClient)).toMatchObject({ pkce: true });
    });

    it('still validates what a draft contains', () => {
      expect(paths(errorsOf({ mode: 'OAUTH2', tokenUrl: 'http://x.example.com' }, { partial: true }))).toEqual(['tokenUrl']);
    });
  });

  describe('Basic and Bearer', () => {
    it('applies label defaults', () => {
      expect(valueOf({ mode: 'BASIC' })).toEqual({ mode: 'BASIC', usernameLabel: 'Username', passwordLabel: 'Password' });
      expect(valueOf({ mode: 'BEARER', label: 'Personal access token' })).toEqual({ mode: 'BEARER', label: 'Personal access token' });
    });

    it('refuses members of other modes', () => {
      expect(paths(errorsOf({ mode: 'BEARER', clientId: 'x' }))).toEqual(['clientId']);
      expect(paths(errorsOf({ mode: 'BASIC', usernameLabel: 'a\nb' }))).toEqual(['usernameLabel']);
    });
  });

  describe('API key', () => {
    it('defaults to an X-API-Key header', () => {
      expect(valueOf({ mode: 'API_KEY' })).toEqual({ mode: 'API_KEY', placement: 'header', headerName: 'X-API-Key' });
      expect(valueOf({ mode: 'API_KEY', headerName: 'Authorization', prefix: 'Token' })).toEqual({
        mode: 'API_KEY',
        placement: 'header',
        headerName: 'Authorization',
        prefix: 'Token',
      });
    });

    it('defaults the query parameter to api_key', () => {
      expect(valueOf({ mode: 'API_KEY', placement: 'query' })).toEqual({ mode: 'API_KEY', placement: 'query', queryParam: 'api_key' });
    });

    it('refuses header members with query placement and the reverse', () => {
      expect(paths(errorsOf({ mode: 'API_KEY', placement: 'query', headerName: 'X-Key', prefix: 'Bearer' })).sort()).toEqual([
        'headerName',
        'prefix',
      ]);
      expect(paths(errorsOf({ mode: 'API_KEY', queryParam: 'key' }))).toEqual(['queryParam']);
    });

    it('refuses header names and prefixes that could break the header', () => {
      expect(paths(errorsOf({ mode: 'API_KEY', headerName: 'X-Key\r\nX-Evil' }))).toEqual(['headerName']);
      expect(paths(errorsOf({ mode: 'API_KEY', prefix: 'Bearer ' }))).toEqual(['prefix']);
    });
  });

  describe('Custom Input', () => {
    const apiKeyField = { key: 'apiKey', label: 'API key', type: 'password', required: true };
    const expiresIn = { key: 'expires_in', label: 'Expires in', type: 'number', default: 100000, hidden: true, disabled: true };

    it('keeps the field order and applies field defaults', () => {
      expect(valueOf({ mode: 'CUSTOM', fields: [apiKeyField, expiresIn], expiry: { fromField: 'expires_in' } })).toEqual({
        mode: 'CUSTOM',
        fields: [
          { ...apiKeyField, hidden: false, disabled: false },
          { ...expiresIn, required: false },
        ],
        expiry: { fromField: 'expires_in' },
      });
    });

    it('refuses field keys that are not identifiers, repeated keys and unknown types', () => {
      const errors = errorsOf({
        mode: 'CUSTOM',
        fields: [apiKeyField, { key: 'api key', label: 'x', type: 'text' }, { ...apiKeyField, type: 'secret' }],
      });
      expect(paths(errors)).toEqual(['fields', 'fields.1.key', 'fields.2.type']);
      expect(errors[0]?.message).toContain("'apiKey'");
    });

    it('requires defaults of the field type, and a default for hidden or disabled fields', () => {
      const errors = errorsOf({
        mode: 'CUSTOM',
        fields: [
          { key: 'a', label: 'A', type: 'number', default: '10' },
          { key: 'b', label: 'B', type: 'text', default: 10 },
          { key: 'c', label: 'C', type: 'text', hidden: true },
        ],
      });
      expect(paths(errors)).toEqual(['fields.0.default', 'fields.1.default', 'fields.2.default']);
    });

    it('takes expiry from a fixed lifetime or a number field, never both', () => {
      expect(valueOf({ mode: 'CUSTOM', fields: [apiKeyField], expiry: { lifetimeSeconds: 3600 } })).toMatchObject({
        expiry: { lifetimeSeconds: 3600 },
      });
      expect(paths(errorsOf({ mode: 'CUSTOM', fields: [apiKeyField, expiresIn], expiry: { lifetimeSeconds: 1, fromField: 'expires_in' } })))
        .toEqual(['expiry']);
      expect(paths(errorsOf({ mode: 'CUSTOM', fields: [apiKeyField], expiry: {} }))).toEqual(['expiry']);
      expect(paths(errorsOf({ mode: 'CUSTOM', fields: [apiKeyField], expiry: { fromField: 'apiKey' } }))).toEqual(['expiry']);
      expect(paths(errorsOf({ mode: 'CUSTOM', fields: [apiKeyField], expiry: { fromField: 'missing' } }))).toEqual(['expiry']);
      expect(paths(errorsOf({ mode: 'CUSTOM', fields: [apiKeyField], expiry: { lifetimeSeconds: 0 } }))).toEqual(['expiry.lifetimeSeconds']);
    });

    it('needs at least one field to activate', () => {
      expect(errorsOf({ mode: 'CUSTOM', fields: [] })).toEqual([{ path: 'fields', message: expect.stringContaining('activate') }]);
      expect(valueOf({ mode: 'CUSTOM' }, { partial: true })).toEqual({ mode: 'CUSTOM', fields: [] });
    });
  });

  describe('optional scopes', () => {
    it('keeps an allow-list of scope tokens and refuses malformed ones, naming the member', () => {
      expect(valueOf({ ...oauth2, optionalScopes: ['admin', 'files:write'] })).toMatchObject({ scopes: ['read', 'write'], optionalScopes: ['admin', 'files:write'] });
      expect(paths(errorsOf({ ...oauth2, optionalScopes: ['two words'] }))).toEqual(['optionalScopes']);
      expect(paths(errorsOf({ ...oauth2, optionalScopes: 'admin' }))).toEqual(['optionalScopes']);
    });

    it('scopesFor: the defaults then what was asked, once each; anything outside defaults and allow-list is named', () => {
      const config = { scopes: ['read', 'write'], optionalScopes: ['admin'] };
      expect(scopesFor(config, [])).toEqual({ scopes: ['read', 'write'], notAllowed: [] });
      expect(scopesFor(config, ['admin', 'read', 'admin'])).toEqual({ scopes: ['read', 'write', 'admin'], notAllowed: [] });
      expect(scopesFor(config, ['admin', 'root', 'root', 'sudo']).notAllowed).toEqual(['root', 'sudo']);
      expect(scopesFor({ scopes: ['read'] }, ['admin']).notAllowed).toEqual(['admin']);
    });
  });

  describe('verification request', () => {
    const base = 'https://api.example.com/v1';
    const check = { method: 'GET', path: '/me?fields=id', expectedStatus: 200 };

    it('is kept as given on every mode that has an apiBaseUrl', () => {
      for (const config of [
        { mode: 'BASIC', apiBaseUrl: base, verification: check },
        { mode: 'BEARER', apiBaseUrl: base, verification: check },
        { mode: 'API_KEY', apiBaseUrl: base, verification: check },
        { mode: 'CUSTOM', fields: [{ key: 'k', label: 'Key', type: 'password', required: true }], apiBaseUrl: base, placement: { headers: { 'X-Key': '{fields.k}' } }, verification: check },
        { ...oauth2, apiBaseUrl: base, verification: { method: 'HEAD', path: '/user', expectedStatus: 204 } },
      ]) {
        expect(valueOf(config)).toMatchObject({ verification: config.verification });
      }
    });

    it('needs the apiBaseUrl its path is relative to, and a placement for Custom Input', () => {
      expect(errorsOf({ mode: 'API_KEY', verification: check })).toEqual([{ path: 'verification', message: expect.stringContaining('needs apiBaseUrl') }]);
      expect(errorsOf({ mode: 'CUSTOM', fields: [{ key: 'k', label: 'Key', type: 'password', required: true }], apiBaseUrl: base, verification: check })).toEqual([
        { path: 'verification', message: expect.stringContaining('needs placement') },
      ]);
    });

    it('refuses a path that could leave the base URL, by the proxy path rules', () => {
      for (const path of ['me', '/../admin', '/%2e%2e/admin', '//evil.example.com/x', '/a%2Fb', '/a\\b', '/a b', '/me?x=1#frag']) {
        expect(errorsOf({ mode: 'BEARER', apiBaseUrl: base, verification: { ...check, path } })).toEqual([{ path: 'verification.path', message: expect.any(String) }]);
      }
    });

    it('takes afterOAuthExchange, a boolean, on OAuth2 connectors only', () => {
      expect(valueOf({ ...oauth2, apiBaseUrl: base, verification: { ...check, afterOAuthExchange: true } })).toMatchObject({ verification: { afterOAuthExchange: true } });
      expect(errorsOf({ mode: 'BEARER', apiBaseUrl: base, verification: { ...check, afterOAuthExchange: true } })).toEqual([
        { path: 'verification', message: expect.stringContaining('afterOAuthExchange only in OAuth2') },
      ]);
      expect(paths(errorsOf({ ...oauth2, apiBaseUrl: base, verification: { ...check, afterOAuthExchange: 'yes' } }))).toEqual(['verification.afterOAuthExchange']);
    });

    it('names each bad member: method, expected status, unknown members, a non-object', () => {
      expect(paths(errorsOf({ mode: 'BEARER', apiBaseUrl: base, verification: { method: 'DELETE', path: '/me', expectedStatus: 99, extra: true } })).sort()).toEqual([
        'verification.expectedStatus',
        'verification.extra',
        'verification.method',
      ]);
      expect(paths(errorsOf({ mode: 'BEARER', apiBaseUrl: base, verification: { method: 'GET', path: '/me' } }))).toEqual(['verification.expectedStatus']);
      expect(paths(errorsOf({ mode: 'BEARER', apiBaseUrl: base, verification: '/me' }))).toEqual(['verification']);
    });
  });

  describe('secrets in error messages', () => {
    const canary = 'CANARY-9f3b2c';

    it('never repeats a submitted value', () => {
      const inputs: unknown[] = [
        { ...oauth2, clientSecret: '' + canary.repeat(300) },
        { ...oauth2, clientId: `${canary}\n` },
        { ...oauth2, tokenUrl: `http://${canary}.example.com/x` },
        { ...oauth2, tokenUrl: `https://example.com/${canary}#x` },
        { ...oauth2, scopes: [`${canary} x`] },
        { ...oauth2, authorizationParams: { prompt: 7 }, metadataPaths: { a: `${canary}..` } },
        { mode: 'CUSTOM', fields: [{ key: 'p', label: 'P', type: 'password', default: canary.repeat(1000) }] },
        { mode: 'CUSTOM', fields: [{ key: 'n', label: 'N', type: 'number', default: canary }] },
        { mode: 'API_KEY', prefix: `${canary} ` },
      ];
      for (const input of inputs) {
        const errors = errorsOf(input);
        expect(errors.length).toBeGreaterThan(0);
        expect(JSON.stringify(errors)).not.toContain(canary);
      }
    });
  });
});
