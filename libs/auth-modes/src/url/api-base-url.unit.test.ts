import { renderApiBaseUrl, renderPlacement, validateAuthConfig, type FieldError } from '@cb/auth-modes';

const oauth2 = {
  mode: 'OAUTH2',
  authorizationUrl: 'https://auth.example.com/authorize',
  tokenUrl: 'https://auth.example.com/token',
  clientId: 'client-1',
  clientSecret: 'secret-1',
};

function errorsOf(input: unknown, allowInsecureLoopback = false): FieldError[] {
  const result = validateAuthConfig(input, { allowInsecureLoopback });
  return result.ok ? [] : result.errors;
}

describe('apiBaseUrl', () => {
  it('is accepted in every mode and kept with the defaults', () => {
    for (const config of [
      { ...oauth2, apiBaseUrl: 'https://api.example.com/v2' },
      { mode: 'BASIC', apiBaseUrl: 'https://api.example.com' },
      { mode: 'BEARER', apiBaseUrl: 'https://api.example.com' },
      { mode: 'API_KEY', placement: 'query', apiBaseUrl: 'https://api.example.com' },
      { mode: 'CUSTOM', fields: [{ key: 'apiKey', label: 'Key', type: 'password' }], apiBaseUrl: 'https://{tenant}.example.com' },
    ]) {
      const result = validateAuthConfig(config);
      expect(result.ok && result.value.apiBaseUrl).toBe(config.apiBaseUrl);
    }
  });

  it('must use https, except loopback http in development', () => {
    expect(errorsOf({ mode: 'BEARER', apiBaseUrl: 'http://api.example.com' })).toEqual([{ path: 'apiBaseUrl', message: expect.stringContaining('https') }]);
    expect(errorsOf({ mode: 'BEARER', apiBaseUrl: 'http://127.0.0.1:9999' })).toHaveLength(1);
    expect(errorsOf({ mode: 'BEARER', apiBaseUrl: 'http://127.0.0.1:9999' }, true)).toEqual([]);
  });

  it('refuses a query string, credentials and unknown placeholders', () => {
    expect(errorsOf({ mode: 'BEARER', apiBaseUrl: 'https://api.example.com/?a=1' })[0]?.message).toContain('query');
    expect(errorsOf({ mode: 'BEARER', apiBaseUrl: 'https://user:pw@api.example.com' })[0]?.message).toContain('credentials');
    expect(errorsOf({ mode: 'BEARER', apiBaseUrl: 'https://{attr.host}.example.com' })[0]?.message).toContain('attr.host');
    expect(errorsOf({ ...oauth2, apiBaseUrl: 'https://{attr.site}/api', requiredAttributes: [{ key: 'site', label: 'Site' }] })[0]?.message).toContain('host');
  });

  it('takes {metadata.<key>} only as the origin of an OAuth2 connector that keeps that key', () => {
    expect(errorsOf({ ...oauth2, metadataPaths: { instance_url: 'instance_url' }, apiBaseUrl: '{metadata.instance_url}/services/data' })).toEqual([]);
    expect(errorsOf({ ...oauth2, apiBaseUrl: '{metadata.instance_url}' })[0]?.message).toContain('metadataPaths');
    expect(errorsOf({ mode: 'BEARER', apiBaseUrl: '{metadata.instance_url}' })[0]?.message).toContain('OAuth2');
    expect(errorsOf({ ...oauth2, metadataPaths: { host: 'host' }, apiBaseUrl: 'https://{metadata.host}.example.com' })[0]?.message).toContain('origin');
  });

  it('renders placeholders, and a metadata origin only when it is an https origin', () => {
    expect(renderApiBaseUrl('https://{tenant}.example.com/v1/', { tenant: 'acme' })).toBe('https://acme.example.com/v1');
    expect(renderApiBaseUrl('{metadata.instance_url}/services', { metadata: { instance_url: 'https://acme.my.salesforce.com' } })).toBe('https://acme.my.salesforce.com/services');
    for (const bad of ['http://acme.example.com', 'https://acme.example.com/path', 'https://u:p@acme.example.com', 'not a url', 42]) {
      expect(() => renderApiBaseUrl('{metadata.instance_url}', { metadata: { instance_url: bad } })).toThrow('metadata.instance_url');
    }
    expect(renderApiBaseUrl('{metadata.u}', { metadata: { u: 'http://127.0.0.1:8080' } }, true)).toBe('http://127.0.0.1:8080');
  });
});

describe('Custom Input placement', () => {
  const fields = [
    { key: 'apiKey', label: 'Key', type: 'password' },
    { key: 'account', label: 'Account', type: 'text' },
  ];

  it('accepts header and query templates that name the fields', () => {
    const config = { mode: 'CUSTOM', fields, placement: { headers: { Authorization: 'Token {fields.apiKey}' }, query: { account: '{fields.account}' } } };
    const result = validateAuthConfig(config);
    expect(result.ok && result.value.mode === 'CUSTOM' && result.value.placement).toEqual(config.placement);
  });

  it('refuses a template naming a field the connector does not define', () => {
    expect(errorsOf({ mode: 'CUSTOM', fields, placement: { headers: { 'X-Key': '{fields.secret}' } } })).toEqual([
      { path: 'placement', message: expect.stringContaining('{fields.secret}') },
    ]);
  });

  it('refuses other braces, bad names, reserved headers and unknown members', () => {
    expect(errorsOf({ mode: 'CUSTOM', fields, placement: { headers: { 'X-Key': '{tenant}' } } })[0]?.message).toContain('only {fields.<key>}');
    expect(errorsOf({ mode: 'CUSTOM', fields, placement: { headers: { 'Bad Name': '{fields.apiKey}' } } })[0]?.message).toContain('header name');
    expect(errorsOf({ mode: 'CUSTOM', fields, placement: { headers: { Host: '{fields.apiKey}' } } })[0]?.message).toContain('Host');
    expect(errorsOf({ mode: 'CUSTOM', fields, placement: { query: { 'a b': '{fields.apiKey}' } } })[0]?.message).toContain('parameter name');
    expect(errorsOf({ mode: 'CUSTOM', fields, placement: { body: {} } })[0]?.message).toContain('unknown member');
    expect(errorsOf({ mode: 'CUSTOM', fields, placement: { headers: { 'X-Key': 'a\nb' } } })[0]?.message).toContain('single line');
  });

  it('renders templates, and nothing when a named field has no value', () => {
    expect(renderPlacement('Token {fields.apiKey}', { apiKey: 'k1' })).toBe('Token k1');
    expect(renderPlacement('{fields.apiKey}', {})).toBeUndefined();
  });
});
