import { validateAuthConfig, validateRequiredAttributes, type AuthConfig, type FieldError } from '@cb/auth-modes';

function valid(input: unknown): AuthConfig {
  const result = validateAuthConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const config = valid({
  mode: 'OAUTH2',
  authorizationUrl: 'https://{attr.subdomain}.example.com/{tenant}/authorize',
  tokenUrl: 'https://{attr.subdomain}.example.com/{tenant}/token',
  clientId: 'c',
  requiredAttributes: [
    { key: 'subdomain', label: 'Subdomain', pattern: '[a-z0-9-]+' },
    { key: 'region', label: 'Region' },
  ],
});

function refused(attributes: unknown, tenant?: unknown): FieldError[] {
  const result = validateRequiredAttributes(config, attributes, tenant);
  if (result.ok) throw new Error('expected the attributes to be refused');
  return result.errors;
}

describe('validateRequiredAttributes', () => {
  it('accepts declared attributes and falls back to the connector tenant', () => {
    expect(validateRequiredAttributes(config, { subdomain: 'acme', region: 'eu' })).toEqual({
      ok: true,
      value: { tenant: 'common', attributes: { subdomain: 'acme', region: 'eu' } },
    });
    expect(validateRequiredAttributes(config, { subdomain: 'acme', region: 'eu' }, 'contoso')).toMatchObject({ value: { tenant: 'contoso' } });
  });

  it('matches the whole value against the pattern', () => {
    expect(refused({ subdomain: 'acme.evil.com', region: 'eu' })).toEqual([
      { path: 'attributes.subdomain', message: 'subdomain does not have the expected format' },
    ]);
    expect(refused({ subdomain: 'ACME', region: 'eu' }).map((error) => error.path)).toEqual(['attributes.subdomain']);
  });

  it('refuses missing, unknown and mistyped attributes and a malformed tenant', () => {
    expect(refused({ subdomain: 'acme', colour: 'red' }).map((error) => error.path)).toEqual(['attributes.colour', 'attributes.region']);
    expect(refused({ subdomain: 'acme', region: 3 }).map((error) => error.path)).toEqual(['attributes.region']);
    expect(refused(['acme']).map((error) => error.path)).toEqual(['attributes']);
    expect(refused({ subdomain: 'acme', region: 'eu' }, '../admin').map((error) => error.path)).toEqual(['tenant']);
  });

  it('lists the attributes left out when the connect dialog may ask for them, still checking those given', () => {
    expect(validateRequiredAttributes(config, { subdomain: 'acme' }, undefined, { missingAllowed: true })).toEqual({
      ok: true,
      value: { tenant: 'common', attributes: { subdomain: 'acme' }, missing: ['region'] },
    });
    expect(validateRequiredAttributes(config, undefined, undefined, { missingAllowed: true })).toMatchObject({ value: { attributes: {}, missing: ['subdomain', 'region'] } });
    const wrong = validateRequiredAttributes(config, { subdomain: 'ACME' }, undefined, { missingAllowed: true });
    expect(wrong.ok ? [] : wrong.errors.map((error) => error.path)).toEqual(['attributes.subdomain']);
  });

  it('refuses every attribute for a connector that declares none', () => {
    const basic = valid({ mode: 'BASIC' });
    expect(validateRequiredAttributes(basic, {})).toEqual({ ok: true, value: { attributes: {} } });
    expect(validateRequiredAttributes(basic, { region: 'eu' }).ok).toBe(false);
  });
});

describe('required attributes in every auth mode', () => {
  const requiredAttributes = [{ key: 'account', label: 'Account', pattern: '[a-z]+' }];
  const apiBaseUrl = 'https://{attr.account}.api.example.com';

  it.each([
    { mode: 'API_KEY', apiBaseUrl, requiredAttributes },
    { mode: 'BASIC', apiBaseUrl, requiredAttributes },
    { mode: 'BEARER', apiBaseUrl, requiredAttributes },
    { mode: 'CUSTOM', fields: [{ key: 'k', label: 'K', type: 'password', required: true }], apiBaseUrl, requiredAttributes },
  ])('$mode keeps them, and its apiBaseUrl may name them', (config) => {
    const result = validateAuthConfig(config);
    expect(result.ok && result.value.requiredAttributes).toEqual(requiredAttributes);
    expect(validateRequiredAttributes((result as { value: AuthConfig }).value, { account: 'acme' })).toEqual({ ok: true, value: { attributes: { account: 'acme' } } });
  });

  it('refuses an apiBaseUrl naming an attribute the connector does not declare', () => {
    expect(validateAuthConfig({ mode: 'BEARER', apiBaseUrl: 'https://{attr.other}.api.example.com', requiredAttributes }).ok).toBe(false);
  });
});
