import {
  activationGaps,
  applyTemplateOverride,
  mergePatch,
  validateTemplateOverride,
  configFromTemplate,
  getTemplate,
  listTemplates,
  renderOAuth2Urls,
  UnknownTemplateError,
  validateAuthConfig,
  validateRequiredAttributes,
  type OAuth2Config,
  type OAuth2ConfigInput,
  type ProviderTemplate,
} from '@cb/auth-modes';

const ORIGINAL_OAUTH2 = ['microsoft', 'google', 'slack', 'github', 'salesforce', 'hubspot', 'atlassian'];
const oauth2Templates = (): ProviderTemplate[] => listTemplates().filter((entry) => entry.mode === 'OAUTH2');

const credentials = { clientId: 'client-id', clientSecret: 'client-secret' };

function validConfig(id: string): OAuth2Config {
  const result = validateAuthConfig(configFromTemplate(id, credentials));
  if (!result.ok) throw new Error(`${id}: ${JSON.stringify(result.errors)}`);
  if (result.value.mode !== 'OAUTH2') throw new Error('expected an OAuth2 config');
  return result.value;
}

function template(id: string): ProviderTemplate {
  const found = getTemplate(id);
  if (found === undefined) throw new Error(`no template ${id}`);
  return found;
}

describe('provider templates', () => {
  it('lists each template once, the original seven OAuth2 ones among them', () => {
    const ids = listTemplates().map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(ORIGINAL_OAUTH2));
  });

  it.each(oauth2Templates().map((entry) => [entry.id, entry] as const))('%s is a valid OAuth2 template', (_id, entry) => {
    expect(entry.config).not.toHaveProperty('clientId');
    expect(entry.config).not.toHaveProperty('clientSecret');
    expect(entry.config).not.toHaveProperty('scopes');
    expect(entry.docsUrl).toMatch(/^https:\/\//);
    expect(validateAuthConfig(entry.config, { partial: true }).ok).toBe(true);
  });

  it.each(oauth2Templates().map((entry) => [entry.id] as const))(
    '%s validates and can be activated once the client registration is supplied',
    (id) => {
      const config = validConfig(id);
      expect(activationGaps(config)).toEqual([]);
      expect(config).toMatchObject({ clientId: 'client-id', clientSecret: 'client-secret', scopes: template(id).defaultScopes });
    },
  );

  it('salesforce introspects for the expiry its token responses lack, and otherwise assumes less than the 2-hour default session', () => {
    const config = validConfig('salesforce');
    const urls = renderOAuth2Urls(config, { attributes: { loginHost: 'acme.my.salesforce.com' } });
    expect(urls.introspectionUrl).toBe('https://acme.my.salesforce.com/services/oauth2/introspect');
    expect(config.assumedTokenLifetimeSeconds).toBeGreaterThan(0);
    expect(config.assumedTokenLifetimeSeconds).toBeLessThan(2 * 3600);
  });

  it('uses the scopes supplied instead of the defaults', () => {
    expect((configFromTemplate('google', { ...credentials, scopes: ['openid'] }) as OAuth2ConfigInput).scopes).toEqual(['openid']);
  });

  it('does not share state between configs made from one template', () => {
    const first = configFromTemplate('slack', credentials) as OAuth2ConfigInput;
    (first.metadataPaths as Record<string, string>)['extra'] = 'x';
    expect((configFromTemplate('slack', credentials) as OAuth2ConfigInput).metadataPaths).not.toHaveProperty('extra');
  });

  it('throws a typed error for an unknown template', () => {
    expect(() => configFromTemplate('nope', credentials)).toThrow(UnknownTemplateError);
    expect(getTemplate('nope')).toBeUndefined();
  });

  describe('rendered URLs', () => {
    it('microsoft puts the tenant in the path and defaults it to common', () => {
      const config = validConfig('microsoft');
      expect(config).toMatchObject({
        tenantId: 'common',
        authorizationParams: { prompt: 'consent' },
        tokenRequestFormat: 'form',
        refreshTokenLifetimeSeconds: 7_776_000,
      });
      expect(config.scopes).toEqual(expect.arrayContaining(['offline_access', 'openid']));
      expect(renderOAuth2Urls(config, {})).toEqual({
        authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
        tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      });
      expect(renderOAuth2Urls(config, { tenant: 'contoso.onmicrosoft.com' }).tokenUrl).toBe(
        'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
      );
    });

    it('google asks for offline access with consent', () => {
      const config = validConfig('google');
      expect(config.authorizationParams).toMatchObject({ access_type: 'offline', prompt: 'consent' });
      expect(renderOAuth2Urls(config, {})).toEqual({
        authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl: 'https://oauth2.googleapis.com/token',
        revocationUrl: 'https://oauth2.googleapis.com/revoke',
      });
    });

    it('slack separates scopes with commas and reads the nested user token', () => {
      const config = validConfig('slack');
      expect(config).toMatchObject({
        scopeSeparator: ',',
        scopeParam: 'user_scope',
        tokenResponsePaths: { accessToken: 'authed_user.access_token' },
        metadataPaths: { team_id: 'team.id', authed_user_id: 'authed_user.id' },
      });
      expect(renderOAuth2Urls(config, {}).tokenUrl).toBe('https://slack.com/api/oauth.v2.access');
    });

    it('github renders its fixed URLs', () => {
      expect(renderOAuth2Urls(validConfig('github'), {})).toEqual({
        authorizationUrl: 'https://github.com/login/oauth/authorize',
        tokenUrl: 'https://github.com/login/oauth/access_token',
      });
    });

    it('salesforce takes its login host from a required attribute limited to salesforce.com', () => {
      const config = validConfig('salesforce');
      expect(config.metadataPaths).toMatchObject({ instance_url: 'instance_url' });
      for (const loginHost of ['login.salesforce.com', 'test.salesforce.com', 'acme.my.salesforce.com', 'acme--dev.sandbox.my.salesforce.com']) {
        const connection = validateRequiredAttributes(config, { loginHost });
        expect(connection.ok).toBe(true);
        if (connection.ok) {
          expect(renderOAuth2Urls(config, connection.value).tokenUrl).toBe(`https://${loginHost}/services/oauth2/token`);
        }
      }
      for (const loginHost of ['evil.com', 'login.salesforce.com.evil.com', 'evil.com/login.salesforce.com', 'my.salesforce.com']) {
        expect(validateRequiredAttributes(config, { loginHost }).ok).toBe(false);
      }
    });

    it('hubspot renders its fixed URLs', () => {
      expect(renderOAuth2Urls(validConfig('hubspot'), {})).toEqual({
        authorizationUrl: 'https://app.hubspot.com/oauth/authorize',
        tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
      });
    });

    it('atlassian asks for the api.atlassian.com audience, consent and offline access, with JSON token requests', () => {
      const config = validConfig('atlassian');
      expect(config).toMatchObject({ authorizationParams: { audience: 'api.atlassian.com', prompt: 'consent' }, tokenRequestFormat: 'json' });
      expect(config.scopes).toContain('offline_access');
      expect(renderOAuth2Urls(config, {}).authorizationUrl).toBe('https://auth.atlassian.com/authorize');
    });
  });
});

describe('templates beyond OAuth2', () => {
  it('need no client registration: the config is the template\'s own, with its verification request', () => {
    expect(template('stripe').verification).toEqual({ method: 'GET', path: '/v1/balance', expectedStatus: 200 });
    expect(configFromTemplate('stripe')).toEqual({
      mode: 'API_KEY',
      label: 'Secret key',
      placement: 'header',
      headerName: 'Authorization',
      prefix: 'Bearer',
      apiBaseUrl: 'https://api.stripe.com',
      verification: { method: 'GET', path: '/v1/balance', expectedStatus: 200 },
    });
  });

  it.each([
    ['zendesk', 'BASIC', 'https://{attr.subdomain}.zendesk.com/api/v2'],
    ['jira-api-token', 'BASIC', 'https://{attr.site}.atlassian.net'],
    ['twilio', 'BASIC', 'https://api.twilio.com/2010-04-01'],
    ['openai', 'API_KEY', 'https://api.openai.com/v1'],
    ['anthropic', 'API_KEY', 'https://api.anthropic.com'],
    ['airtable', 'BEARER', 'https://api.airtable.com/v0'],
    ['datadog', 'CUSTOM', 'https://api.datadoghq.com'],
  ])('%s is a %s template for %s', (id, mode, apiBaseUrl) => {
    const result = validateAuthConfig(configFromTemplate(id));
    expect(result.ok).toBe(true);
    expect(result.ok && result.value).toMatchObject({ mode, apiBaseUrl });
  });

  it('datadog puts both keys in their headers, and anthropic its key in x-api-key without a prefix', () => {
    expect(template('datadog').config).toMatchObject({ placement: { headers: { 'DD-API-KEY': '{fields.apiKey}', 'DD-APPLICATION-KEY': '{fields.appKey}' } } });
    const anthropic = template('anthropic').config;
    expect(anthropic).toMatchObject({ headerName: 'x-api-key' });
    expect(anthropic).not.toHaveProperty('prefix');
  });

  it('shopify and okta take their host from a required attribute pinned to the provider\'s domain', () => {
    const shopify = validConfig('shopify');
    const shop = validateRequiredAttributes(shopify, { shop: 'acme' });
    expect(shop.ok && renderOAuth2Urls(shopify, shop.value).tokenUrl).toBe('https://acme.myshopify.com/admin/oauth/access_token');
    expect(validateRequiredAttributes(shopify, { shop: 'evil.com/x' }).ok).toBe(false);
    const okta = validConfig('okta');
    expect(validateRequiredAttributes(okta, { oktaDomain: 'acme.okta.com' }).ok).toBe(true);
    expect(validateRequiredAttributes(okta, { oktaDomain: 'acme.okta.com.evil.com' }).ok).toBe(false);
  });
});

describe('template overrides', () => {
  it('merge a patch into the config (null removes, arrays replace) and replace scopes and name', () => {
    const result = validateTemplateOverride(template('google'), {
      name: 'Google (Acme)',
      defaultScopes: ['openid', 'https://www.googleapis.com/auth/drive.readonly'],
      config: { authorizationParams: { include_granted_scopes: null, hd: 'acme.com' } },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.value.merged).toMatchObject({ id: 'google', name: 'Google (Acme)', defaultScopes: ['openid', 'https://www.googleapis.com/auth/drive.readonly'] });
    expect((result.value.merged.config as OAuth2ConfigInput).authorizationParams).toEqual({ access_type: 'offline', prompt: 'consent', hd: 'acme.com' });
    expect(template('google').config).toMatchObject({ authorizationParams: { include_granted_scopes: 'true' } });
    const config = configFromTemplate(result.value.merged, credentials) as OAuth2ConfigInput;
    expect(config.scopes).toEqual(['openid', 'https://www.googleapis.com/auth/drive.readonly']);
  });

  it('may add a required attribute that the URLs then use', () => {
    const result = validateTemplateOverride(template('gitlab'), {
      config: {
        requiredAttributes: [{ key: 'host', label: 'GitLab host', pattern: '[a-z0-9-]+\\.gitlab\\.example\\.com' }],
        apiBaseUrl: 'https://{attr.host}/api/v4',
        authorizationUrl: 'https://{attr.host}/oauth/authorize',
        tokenUrl: 'https://{attr.host}/oauth/token',
        revocationUrl: 'https://{attr.host}/oauth/revoke',
      },
    });
    expect(result.ok).toBe(true);
  });

  it.each([
    [{ config: { tokenUrl: 'http://example.com/token' } }, 'config.tokenUrl'],
    [{ config: { tokenUrl: null } }, 'config.tokenUrl'],
    [{ config: { apiBaseUrl: 'https://{attr.nope}.example.com' } }, 'config.apiBaseUrl'],
    [{ config: { mode: 'BASIC' } }, 'config.mode'],
    [{ config: { clientSecret: 'x' } }, 'config.clientSecret'],
    [{ config: { scopes: ['a'] } }, 'config.scopes'],
    [{ defaultScopes: 'read' }, 'defaultScopes'],
    [{ colour: 'red' }, 'colour'],
    [{ name: '' }, 'name'],
  ])('refuses %j, naming %s', (override, path) => {
    const result = validateTemplateOverride(template('gitlab'), override);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.path)).toContain(path);
  });

  it('keeps an API base URL and holds no secret in a template beyond OAuth2', () => {
    const removed = validateTemplateOverride(template('stripe'), { config: { apiBaseUrl: null } });
    expect(!removed.ok && removed.errors).toEqual([{ path: 'config.apiBaseUrl', message: expect.any(String) }]);
    const secret = validateTemplateOverride(template('datadog'), {
      config: { fields: [{ key: 'apiKey', label: 'API key', type: 'password', required: true, default: 'a-secret-value' }], placement: { headers: { 'DD-APPLICATION-KEY': null } } },
    });
    expect(!secret.ok && secret.errors).toEqual([{ path: 'config.fields.apiKey.default', message: expect.any(String) }]);
    expect(JSON.stringify(secret)).not.toContain('a-secret-value');
    expect(validateTemplateOverride(template('stripe'), { defaultScopes: [] }).ok).toBe(false);
  });

  it('refuses an override of more than 16 KiB of JSON, counted in bytes', () => {
    const big = validateTemplateOverride(template('google'), { config: { authorizationParams: { hd: 'é'.repeat(9000) } } });
    expect(!big.ok && big.errors).toEqual([{ path: '', message: expect.stringContaining('16384 bytes') }]);
  });

  it('applies RFC 7396 merge patches', () => {
    expect(mergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({ a: 'z', c: { d: 'e' } });
    expect(mergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
    expect(applyTemplateOverride(template('stripe'), {})).toEqual(template('stripe'));
  });
});
