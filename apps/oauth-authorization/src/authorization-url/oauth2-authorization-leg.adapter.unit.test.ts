import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { validateAuthConfig, type OAuth2Config, type OAuth2ConfigInput } from '@cb/auth-modes';
import type { OAuthAuthorizationConfig } from '../oauth-authorization.config';
import { OAuth2AuthorizationLeg } from './oauth2-authorization-leg.adapter';
import type { OAuthStateRepository, StateBinding, StateConsumption } from './oauth-state.repository';

const REDIRECT_URI = 'https://broker.example.com/oauth/callback';
const manager = {} as EntityManager;

function oauth2(input: Partial<OAuth2ConfigInput>): OAuth2Config {
  const result = validateAuthConfig({ mode: 'OAUTH2', clientId: 'client-1', authorizationUrl: 'https://auth.example.com/authorize', ...input }, { partial: true });
  if (!result.ok || result.value.mode !== 'OAUTH2') throw new Error(JSON.stringify(result));
  return result.value;
}

/** The state store, in memory: what was bound, and what the next consumption answers. */
class StatesInMemory {
  readonly bound: StateBinding[] = [];
  consumption: StateConsumption = { ok: false, reason: 'unknown_state', sessionId: null };

  create(_manager: EntityManager, binding: StateBinding): Promise<string> {
    this.bound.push(binding);
    return Promise.resolve(`state-${this.bound.length}`);
  }

  consume(): Promise<StateConsumption> {
    return Promise.resolve(this.consumption);
  }
}

function leg(): { leg: OAuth2AuthorizationLeg; states: StatesInMemory } {
  const states = new StatesInMemory();
  const config = { oauthRedirectUri: REDIRECT_URI } as OAuthAuthorizationConfig;
  return { leg: new OAuth2AuthorizationLeg(states as unknown as OAuthStateRepository, config), states };
}

describe('OAuth2AuthorizationLeg.createAuthorizationRequest', () => {
  it('asks for a code with the client id, exact redirect URI, scopes, parameters, stored state and the S256 challenge of the stored verifier', async () => {
    const { leg: authorization, states } = leg();
    const config = oauth2({ scopes: ['openid', 'offline_access'], authorizationParams: { prompt: 'consent' } });
    const url = new URL(await authorization.createAuthorizationRequest(manager, { sessionId: 'session-1', config, tenant: undefined, attributes: {} }));

    const [binding] = states.bound;
    expect(binding).toEqual({ sessionId: 'session-1', redirectUri: REDIRECT_URI, expectedIssuer: null, requestedScopes: ['openid', 'offline_access'], codeVerifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(`${url.origin}${url.pathname}`).toBe('https://auth.example.com/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      prompt: 'consent',
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid offline_access',
      code_challenge: createHash('sha256').update(binding?.codeVerifier ?? '').digest('base64url'),
      code_challenge_method: 'S256',
      state: 'state-1',
      client_id: 'client-1',
    });
  });

  it('names the protected resource, rendered for the connection, when the connector has one (RFC 8707 §2)', async () => {
    const { leg: authorization } = leg();
    const config = oauth2({ resource: 'https://{tenant}.mcp.example.com/mcp', tenantId: 'acme' });
    const url = new URL(await authorization.createAuthorizationRequest(manager, { sessionId: 'session-1', config, tenant: 'globex', attributes: {} }));
    expect(url.searchParams.get('resource')).toBe('https://globex.mcp.example.com/mcp');
    const without = new URL(await authorization.createAuthorizationRequest(manager, { sessionId: 'session-2', config: oauth2({}), tenant: undefined, attributes: {} }));
    expect(without.searchParams.has('resource')).toBe(false);
  });

  it("keeps the endpoint's own query parameters and sends scopes in the connector's scope parameter", async () => {
    const { leg: authorization } = leg();
    const config = oauth2({ authorizationUrl: 'https://slack.example.com/authorize?team=T1', scopes: ['users:read', 'chat:write'], scopeSeparator: ',', scopeParam: 'user_scope' });
    const url = new URL(await authorization.createAuthorizationRequest(manager, { sessionId: 'session-1', config, tenant: undefined, attributes: {} }));
    expect(url.searchParams.get('team')).toBe('T1');
    expect(url.searchParams.get('user_scope')).toBe('users:read,chat:write');
    expect(url.searchParams.has('scope')).toBe(false);
  });

  it('stores no verifier and sends no challenge for a connector without PKCE', async () => {
    const { leg: authorization, states } = leg();
    const url = new URL(await authorization.createAuthorizationRequest(manager, { sessionId: 'session-1', config: oauth2({ pkce: false }), tenant: undefined, attributes: {} }));
    expect(states.bound[0]?.codeVerifier).toBeNull();
    expect(url.searchParams.has('code_challenge')).toBe(false);
  });

  it("fills the connection's tenant in the URL and binds the issuer expanded for it", async () => {
    const { leg: authorization, states } = leg();
    const config = oauth2({ authorizationUrl: 'https://sso.example.com/realms/{tenant}/auth', issuer: 'https://sso.example.com/realms/{tenant}' });
    const url = new URL(await authorization.createAuthorizationRequest(manager, { sessionId: 'session-1', config, tenant: 'acme', attributes: {} }));
    expect(url.pathname).toBe('/realms/acme/auth');
    expect(states.bound[0]?.expectedIssuer).toBe('https://sso.example.com/realms/acme');
  });

  it('refuses a connector without an authorization URL before storing any state', async () => {
    const { leg: authorization, states } = leg();
    const { authorizationUrl: _none, ...config } = oauth2({});
    await expect(authorization.createAuthorizationRequest(manager, { sessionId: 'session-1', config, tenant: undefined, attributes: {} })).rejects.toMatchObject({ code: 'connector_incomplete' });
    expect(states.bound).toHaveLength(0);
  });
});

describe('OAuth2AuthorizationLeg.consumeCallback', () => {
  const binding: StateBinding = { sessionId: 'session-1', redirectUri: REDIRECT_URI, expectedIssuer: 'https://sso.example.com/realms/acme', requestedScopes: ['openid'], codeVerifier: 'verifier' };

  it('accepts the issuer bound to the state only (RFC 9207), and any iss when none is bound', async () => {
    const { leg: authorization, states } = leg();
    states.consumption = { ok: true, binding };
    await expect(authorization.consumeCallback(manager, { state: 's', iss: 'https://sso.example.com/realms/acme' })).resolves.toEqual({
      ok: true,
      sessionId: 'session-1',
      issuerAccepted: true,
      codeVerifier: 'verifier',
      redirectUri: REDIRECT_URI,
      requestedScopes: ['openid'],
    });
    await expect(authorization.consumeCallback(manager, { state: 's', iss: 'https://attacker.example' })).resolves.toMatchObject({ issuerAccepted: false });
    await expect(authorization.consumeCallback(manager, { state: 's', iss: undefined })).resolves.toMatchObject({ issuerAccepted: false });
    states.consumption = { ok: true, binding: { ...binding, expectedIssuer: null } };
    await expect(authorization.consumeCallback(manager, { state: 's', iss: undefined })).resolves.toMatchObject({ issuerAccepted: true });
  });

  it('answers a refused state with its reason and the session it belonged to', async () => {
    const { leg: authorization, states } = leg();
    states.consumption = { ok: false, reason: 'state_reused', sessionId: 'session-1' };
    await expect(authorization.consumeCallback(manager, { state: 's', iss: undefined })).resolves.toEqual({ ok: false, reason: 'state_reused', sessionId: 'session-1' });
  });
});
