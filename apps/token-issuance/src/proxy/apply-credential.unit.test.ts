import { validateAuthConfig, type AuthConfig } from '@cb/auth-modes';
import { applyCredential } from './apply-credential';

function config(input: object): AuthConfig {
  const result = validateAuthConfig(input, { partial: true });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

describe('applyCredential', () => {
  it('sends OAuth2 and bearer tokens as Authorization: Bearer', () => {
    const oauth = applyCredential({ type: 'oauth2', accessToken: 'at-1', tokenType: 'Bearer', scopes: [], expiresAt: null, metadata: {} }, config({ mode: 'OAUTH2' }));
    expect(oauth).toEqual({ headers: { authorization: 'Bearer at-1' }, query: [] });
    expect(applyCredential({ type: 'bearer', token: 'bt-1' }, config({ mode: 'BEARER' }))).toEqual({ headers: { authorization: 'Bearer bt-1' }, query: [] });
  });

  it('sends Basic credentials base64-encoded as RFC 7617 says', () => {
    expect(applyCredential({ type: 'basic', username: 'ana', password: 'pä:ss' }, config({ mode: 'BASIC' }))?.headers).toEqual({
      authorization: `Basic ${Buffer.from('ana:pä:ss').toString('base64')}`,
    });
  });

  it("puts an API key where its connector says: a header with its prefix, or a query parameter", () => {
    expect(applyCredential({ type: 'api_key', apiKey: 'k1' }, config({ mode: 'API_KEY' }))).toEqual({ headers: { 'x-api-key': 'k1' }, query: [] });
    expect(applyCredential({ type: 'api_key', apiKey: 'k1' }, config({ mode: 'API_KEY', headerName: 'Authorization', prefix: 'Token' }))?.headers).toEqual({ authorization: 'Token k1' });
    expect(applyCredential({ type: 'api_key', apiKey: 'k1' }, config({ mode: 'API_KEY', placement: 'query', queryParam: 'key' }))).toEqual({ headers: {}, query: [['key', 'k1']] });
  });

  it('fills Custom Input placement templates, and refuses when a named field has no value', () => {
    const custom = config({
      mode: 'CUSTOM',
      fields: [{ key: 'apiKey', label: 'Key', type: 'password' }, { key: 'account', label: 'Account', type: 'text' }],
      placement: { headers: { 'X-Auth': 'Key {fields.apiKey}' }, query: { acct: '{fields.account}' } },
    });
    expect(applyCredential({ type: 'custom', fields: { apiKey: 'k1', account: 'a-7' } }, custom)).toEqual({ headers: { 'x-auth': 'Key k1' }, query: [['acct', 'a-7']] });
    expect(applyCredential({ type: 'custom', fields: { apiKey: 'k1' } }, custom)).toBeUndefined();
    expect(applyCredential({ type: 'custom', fields: { apiKey: 'k1' } }, config({ mode: 'CUSTOM', fields: [] }))).toBeUndefined();
  });
});
