import { validateAuthConfig } from '@cb/auth-modes';
test('scratch', () => {
  const show = (x: unknown, o = {}) => console.log(JSON.stringify(validateAuthConfig(x, o), null, 1));
  show({ mode: 'OAUTH2', authorizationUrl: 'https://x.com/a', tokenUrl: 'https://x.com/t', clientId: 'a', clientSecret: 's3cr3t', authorizationParams: { prompt: 'consent' }, requiredAttributes: [{ key: 'host', label: 'H', pattern: '[a-z]+\\.x\\.com' }], metadataPaths: { instance_url: 'instance_url' } });
  show({ mode: 'OAUTH2', authorizationUrl: 'http://localhost/a', tokenUrl: 'https://{attr.host}/t', revocationUrl: 'https://{tenant}.example.com/r', clientSecret: 12, extra: 1, requiredAttributes: ['x', null, { key: '1', label: 3, pattern: '(' }], authorizationParams: { response_type: 'token' }, scopes: 'a', tokenResponsePaths: 'x' });
  show({ mode: 'OAUTH2', authorizationUrl: 'http://localhost/a', tokenUrl: 'https://{attr.host}/t', requiredAttributes: [{ key: 'host', label: 'h' }], scopes: ['a b', ''] }, { allowInsecureLoopback: true, partial: true });
  show({ mode: 'CUSTOM', fields: [{ key: 'apiKey', label: 'API key', type: 'password', required: true, default: 'SECRETDEF' }, { key: 'expires_in', label: 'E', type: 'number', default: 100000, hidden: true, disabled: true }, { key: 'apiKey', label: 'x', type: 'text', hidden: true }, { key: 'n', label: 'n', type: 'number', default: 'SECRETDEF' }], expiry: { fromField: 'apiKey' } });
  show({ mode: 'CUSTOM', fields: [{ key: 'expires_in', label: 'E', type: 'number', default: 100000, hidden: true, disabled: true }], expiry: { fromField: 'expires_in' } });
  show({ mode: 'API_KEY', placement: 'query', headerName: 'X' });
  show({ mode: 'API_KEY', prefix: 'Bearer' });
  show({ mode: 'NOPE' });
  show({ mode: 'BEARER', __proto__: { x: 1 }, constructor: 1 });
  show(JSON.parse('{"mode":"BEARER","__proto__":{"x":1}}'));
});
