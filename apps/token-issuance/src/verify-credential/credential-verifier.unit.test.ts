import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateAuthConfig, type AuthConfig } from '@cb/auth-modes';
import type { TokenIssuanceConfig } from '../token-issuance.config';
import { CredentialVerifier } from './credential-verifier';

const policy = (admitInternalAddresses: boolean) => ({ admitInternalAddresses, allowedHosts: [], allowedCidrs: [] });
const verifier = (admitInternalAddresses = true) => new CredentialVerifier({ outbound: policy(admitInternalAddresses), verificationTimeoutMs: 2000 } as unknown as TokenIssuanceConfig);

function config(input: Record<string, unknown>): AuthConfig {
  const result = validateAuthConfig(input, { allowInsecureLoopback: true });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

describe('CredentialVerifier', () => {
  let server: Server;
  let base = '';
  const received: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
      const status = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
      response.writeHead(status).end('the provider body, which may echo the key');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('puts a query-placed API key after the path\'s own query string, as the proxy does', async () => {
    const apiKey = config({ mode: 'API_KEY', placement: 'query', queryParam: 'key', apiBaseUrl: `${base}/v2`, verification: { method: 'POST', path: '/whoami?status=204', expectedStatus: 204 } });
    expect(await verifier().verify(apiKey, { type: 'api_key', apiKey: 'k 1&2' }, {})).toEqual({ ok: true });
    expect(received.at(-1)).toMatchObject({ method: 'POST', url: '/v2/whoami?status=204&key=k%201%262' });
  });

  it('fills the base URL with the connection\'s attributes and sends Basic credentials', async () => {
    const basic = config({ mode: 'BASIC', apiBaseUrl: `${base}/{tenant}`, verification: { method: 'GET', path: '/me', expectedStatus: 200 } });
    expect(await verifier().verify(basic, { type: 'basic', username: 'ana', password: 'pw' }, { tenant: 'acme' })).toEqual({ ok: true });
    expect(received.at(-1)).toMatchObject({ url: '/acme/me', headers: { authorization: `Basic ${Buffer.from('ana:pw').toString('base64')}` } });
  });

  it('names a refusal by its status and never the body', async () => {
    const bearer = (status: number) => config({ mode: 'BEARER', apiBaseUrl: base, verification: { method: 'GET', path: `/me?status=${status}`, expectedStatus: 200 } });
    expect(await verifier().verify(bearer(403), { type: 'bearer', token: 't' }, {})).toEqual({ ok: false, code: 'credential_rejected', reason: 'The provider rejected the credential (403).', providerStatus: 403 });
    const unexpected = await verifier().verify(bearer(500), { type: 'bearer', token: 't' }, {});
    expect(unexpected).toMatchObject({ ok: false, code: 'verification_unexpected_status', providerStatus: 500 });
    expect(JSON.stringify(unexpected)).not.toContain('provider body');
  });

  it('refuses an internal address unless the outbound policy admits it, without sending anything, and says no more than for a closed port', async () => {
    const before = received.length;
    const bearer = config({ mode: 'BEARER', apiBaseUrl: base, verification: { method: 'GET', path: '/me', expectedStatus: 200 } });
    expect(await verifier(false).verify(bearer, { type: 'bearer', token: 't' }, {})).toEqual({ ok: false, code: 'verification_unreachable', reason: 'The provider could not be reached to check the credential.' });
    expect(received.length).toBe(before);
  });

  it('answers unavailable when the base URL or the placement cannot be filled in', async () => {
    const tenantless = config({ mode: 'BEARER', apiBaseUrl: `${base}/{tenant}`, verification: { method: 'GET', path: '/me', expectedStatus: 200 } });
    expect(await verifier().verify(tenantless, { type: 'bearer', token: 't' }, {})).toMatchObject({ ok: false, code: 'verification_unavailable' });
    const custom = config({
      mode: 'CUSTOM',
      fields: [{ key: 'k', label: 'Key', type: 'password' }],
      apiBaseUrl: base,
      placement: { headers: { 'X-Key': '{fields.k}' } },
      verification: { method: 'GET', path: '/me', expectedStatus: 200 },
    });
    expect(await verifier().verify(custom, { type: 'custom', fields: {} }, {})).toMatchObject({ ok: false, code: 'verification_unavailable' });
  });

  it('lets through a connector without a verification request, and OAuth2 connections unless they say afterOAuthExchange', async () => {
    const before = received.length;
    expect(await verifier().verify(config({ mode: 'BEARER', apiBaseUrl: base }), { type: 'bearer', token: 't' }, {})).toEqual({ ok: true });
    const oauth2 = config({
      mode: 'OAUTH2',
      authorizationUrl: `${base}/authorize`,
      tokenUrl: `${base}/token`,
      clientId: 'c',
      apiBaseUrl: base,
      verification: { method: 'GET', path: '/me?status=401', expectedStatus: 200 },
    });
    const token = { type: 'oauth2', accessToken: 'a', tokenType: 'Bearer', expiresAt: null, scopes: [], metadata: {} } as unknown as Parameters<CredentialVerifier['verify']>[1];
    expect(await verifier().verify(oauth2, token, {})).toEqual({ ok: true });
    expect(received.length).toBe(before);

    const afterExchange = config({
      mode: 'OAUTH2',
      authorizationUrl: `${base}/authorize`,
      tokenUrl: `${base}/token`,
      clientId: 'c',
      apiBaseUrl: base,
      verification: { method: 'GET', path: '/me?status=401', expectedStatus: 200, afterOAuthExchange: true },
    });
    expect(await verifier().verify(afterExchange, token, {})).toMatchObject({ ok: false, code: 'credential_rejected', providerStatus: 401 });
    expect(received.at(-1)).toMatchObject({ url: '/me?status=401', headers: { authorization: 'Bearer a' } });
  });
});
