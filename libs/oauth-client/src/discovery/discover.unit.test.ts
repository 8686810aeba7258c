import { discover, DiscoveryError, type FetchedDocument } from '@cb/oauth-client';

/** A web of documents by URL; every GET is recorded, an unknown URL answers 404. */
function web(pages: Record<string, Partial<FetchedDocument>>): { fetch: (url: string) => Promise<FetchedDocument>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    fetch: (url) => {
      asked.push(url);
      const page = pages[url];
      return Promise.resolve({ url, status: page?.status ?? (page?.json ? 200 : 404), wwwAuthenticate: page?.wwwAuthenticate ?? null, json: page?.json });
    },
  };
}

const ISSUER = 'https://login.example.com/tenant-1';
const metadata = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  code_challenge_methods_supported: ['S256'],
  ...overrides,
});
const production = { requireHttps: true };

async function problemOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.catch((caught: unknown) => caught);
  if (!(error instanceof DiscoveryError)) throw new Error(`expected a DiscoveryError, got ${String(error)}`);
  return error.problem;
}

describe('discover', () => {
  it('tries RFC 8414 path-inserted, then OpenID Connect path-inserted and appended, for an issuer with a path', async () => {
    const { fetch, asked } = web({ [`${ISSUER}/.well-known/openid-configuration`]: { json: metadata({ revocation_endpoint: `${ISSUER}/revoke`, authorization_response_iss_parameter_supported: true }) } });
    const found = await discover(ISSUER, fetch, production);
    expect(asked).toEqual([
      ISSUER,
      'https://login.example.com/.well-known/oauth-authorization-server/tenant-1',
      'https://login.example.com/.well-known/openid-configuration/tenant-1',
      `${ISSUER}/.well-known/openid-configuration`,
    ]);
    expect(found).toMatchObject({ kind: 'authorization_server', authorizationServer: { issuer: ISSUER, revocationEndpoint: `${ISSUER}/revoke`, issParameterSupported: true, tokenEndpointAuthMethodsSupported: ['client_secret_basic'] } });
  });

  it("falls back to the URL's origin for any page of the provider", async () => {
    const origin = 'https://accounts.example.com';
    const { fetch } = web({ [`${origin}/.well-known/openid-configuration`]: { json: { ...metadata(), issuer: origin } } });
    expect((await discover(`${origin}/o/oauth2/v2/auth?x=1`, fetch, production)).authorizationServer.issuer).toBe(origin);
  });

  it('refuses a document naming another issuer, and a server offering plain PKCE only', async () => {
    const other = web({ [`${ISSUER}/.well-known/openid-configuration`]: { json: metadata({ issuer: 'https://evil.example.com' }) } });
    expect(await problemOf(discover(ISSUER, other.fetch, production))).toBe('issuer_mismatch');
    const plain = web({ [`${ISSUER}/.well-known/openid-configuration`]: { json: metadata({ code_challenge_methods_supported: ['plain'] }) } });
    expect(await problemOf(discover(ISSUER, plain.fetch, production))).toBe('pkce_unsupported');
  });

  it('refuses http in production, for the URL and for the endpoints a document names', async () => {
    expect(await problemOf(discover('http://login.example.com', web({}).fetch, production))).toBe('invalid_url');
    const insecure = web({ [`${ISSUER}/.well-known/openid-configuration`]: { json: metadata({ token_endpoint: 'http://login.example.com/token' }) } });
    expect(await problemOf(discover(ISSUER, insecure.fetch, production))).toBe('insecure_endpoint');
    expect(await problemOf(discover('not a url', web({}).fetch, production))).toBe('invalid_url');
  });

  it('follows an MCP server’s 401 to its resource metadata and that to its authorization server', async () => {
    const mcp = 'https://mcp.example.com/mcp';
    const pointer = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
    const { fetch } = web({
      [mcp]: { status: 401, wwwAuthenticate: `Bearer error="invalid_token", resource_metadata="${pointer}"` },
      [pointer]: { json: { resource: mcp, authorization_servers: [ISSUER], scopes_supported: ['files:read'] } },
      [`https://login.example.com/.well-known/oauth-authorization-server/tenant-1`]: { json: metadata({ registration_endpoint: `${ISSUER}/register` }) },
    });
    const found = await discover(mcp, fetch, production);
    expect(found).toMatchObject({ kind: 'protected_resource', resource: { resource: mcp, scopesSupported: ['files:read'] }, authorizationServer: { issuer: ISSUER, registrationEndpoint: `${ISSUER}/register` } });
  });

  it("refuses an MCP server whose authorization server does not publish S256, or whose metadata describes another resource", async () => {
    const mcp = 'https://mcp.example.com/mcp';
    const pointer = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
    const challenge = { status: 401, wwwAuthenticate: `Bearer resource_metadata="${pointer}"` };
    const silent = web({
      [mcp]: challenge,
      [pointer]: { json: { resource: mcp, authorization_servers: [ISSUER] } },
      [`${ISSUER}/.well-known/openid-configuration`]: { json: metadata({ code_challenge_methods_supported: undefined }) },
    });
    expect(await problemOf(discover(mcp, silent.fetch, production))).toBe('pkce_unsupported');
    const elsewhere = web({ [mcp]: challenge, [pointer]: { json: { resource: 'https://other.example.com/mcp', authorization_servers: [ISSUER] } } });
    expect(await problemOf(discover(mcp, elsewhere.fetch, production))).toBe('resource_mismatch');
  });

  it('finds a resource that publishes its metadata at the well-known path without pointing at it, and says what was not found', async () => {
    const api = 'https://api.example.com/v1';
    const { fetch } = web({
      'https://api.example.com/.well-known/oauth-protected-resource/v1': { json: { resource: api, authorization_servers: [ISSUER] } },
      [`${ISSUER}/.well-known/openid-configuration`]: { json: metadata() },
    });
    expect((await discover(api, fetch, production)).kind).toBe('protected_resource');
    expect(await problemOf(discover('https://nothing.example.com', web({}).fetch, production))).toBe('not_found');
  });
});
