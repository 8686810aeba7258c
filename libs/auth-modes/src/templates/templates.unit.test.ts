import {
  activationGaps,
  configFromTemplate,
  getTemplate,
  listTemplates,
  renderOAuth2Urls,
  UnknownTemplateError,
  validateAuthConfig,
  validateRequiredAttributes,
  type OAuth2Config,
  type ProviderTemplate,
} from '@cb/auth-modes';

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
  it('lists each template once', () => {
    const ids = listTemplates().map((entry) => entry.id);
    expect(ids).toEqual(['microsoft', 'google', 'slack', 'github', 'salesforce', 'hubspot', 'atlassian']);
  });

  it.each(listTemplates().map((entry) => [entry.id, entry] as const))('%s is a valid OAuth2 template', (_id, entry) => {
    expect(entry.mode).toBe('OAUTH2');
    expect(entry.config).not.toHaveProperty('clientId');
    expect(entry.config).not.toHaveProperty('clientSecret');
    expect(entry.config).not.toHaveProperty('scopes');
    expect(entry.docsUrl).toMatch(/^https:\/\//);
    expect(validateAuthConfig(entry.config, { partial: true }).ok).toBe(true);
  });

  it.each(listTemplates().map((entry) => [entry.id] as const))(
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
    expect(configFromTemplate('google', { ...credentials, scopes: ['openid'] }).scopes).toEqual(['openid']);
  });

  it('does not share state between configs made from one template', () => {
    const first = configFromTemplate('slack', credentials);
    (first.metadataPaths as Record<string, string>)['extra'] = 'x';
    expect(configFromTemplate('slack', credentials).metadataPaths).not.toHaveProperty('extra');
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
