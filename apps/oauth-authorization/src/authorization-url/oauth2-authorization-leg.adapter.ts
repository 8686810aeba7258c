import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import { Inject, Injectable } from '@nestjs/common';
import { Strategy as OAuth2Strategy } from 'passport-oauth2';
import type { EntityManager } from 'typeorm';
import { renderUrl, type OAuth2Config } from '@cb/auth-modes';
import { createPkcePair } from '@cb/oauth-client';
import { OAUTH_AUTHORIZATION_CONFIG, OAuthAuthorizationConfig } from '../oauth-authorization.config';
import { expectedIssuerOf, issuerMatches } from './expected-issuer';
import { OAuthStateRepository } from './oauth-state.repository';
import { connectorIncomplete } from '../oauth-authorization.errors';

/** A pending connect session's request for the end user's authorization at the provider. */
export interface AuthorizationRequest {
  sessionId: string;
  config: OAuth2Config;
  tenant: string | undefined;
  attributes: Record<string, string>;
}

/** The authorization response's parameters this leg checks; both untrusted. */
export interface AuthorizationResponse {
  state: string;
  iss: string | undefined;
}

export type CallbackVerification =
  | {
      ok: true;
      sessionId: string;
      /** RFC 9207: `iss` names the issuer bound to the state, or the connector names none. */
      issuerAccepted: boolean;
      codeVerifier: string | null;
      redirectUri: string;
      requestedScopes: string[];
    }
  | { ok: false; reason: 'unknown_state' | 'state_reused' | 'state_expired'; sessionId: string | null };

/**
 * The OAuth 2.0 authorization leg: the authorization request (state, PKCE S256, exact redirect URI)
 * and the check of the authorization response's `state` and `iss`. The code is never redeemed here.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
@Injectable()
export class OAuth2AuthorizationLeg {
  constructor(
    private readonly states: OAuthStateRepository,
    @Inject(OAUTH_AUTHORIZATION_CONFIG) private readonly config: OAuthAuthorizationConfig,
  ) {}

  /**
   * Stores a new state, bound to the session with the sealed PKCE verifier, in `manager`'s
   * transaction and returns the URL to send the end user to.
   *
   * @throws `UrlTemplateError` when the authorization URL or issuer needs a value the session lacks.
   */
  async createAuthorizationRequest(manager: EntityManager, request: AuthorizationRequest): Promise<string> {
    const { config } = request;
    const connection = { ...(request.tenant === undefined ? {} : { tenant: request.tenant }), attributes: request.attributes };
    const expectedIssuer = expectedIssuerOf(config, connection);
    if (!config.authorizationUrl || !config.clientId) throw connectorIncomplete();
    const strategy = new ConnectorStrategy({
      authorizationUrl: renderUrl(config.authorizationUrl, connection),
      clientId: config.clientId,
      redirectUri: this.config.oauthRedirectUri,
      ...(config.resource === undefined ? {} : { resource: renderUrl(config.resource, connection) }),
      config,
    });
    const pkce = config.pkce ? createPkcePair() : undefined;
    const state = await this.states.create(manager, {
      sessionId: request.sessionId,
      redirectUri: this.config.oauthRedirectUri,
      expectedIssuer,
      requestedScopes: [...config.scopes],
      codeVerifier: pkce?.verifier ?? null,
    });
    return strategy.authorizationRequestUrl(state, pkce?.challenge);
  }

  /** Consumes the response's state (single use) and checks its `iss` against the bound issuer. */
  async consumeCallback(manager: EntityManager, response: AuthorizationResponse): Promise<CallbackVerification> {
    const consumed = await this.states.consume(manager, response.state);
    if (!consumed.ok) return consumed;
    const { expectedIssuer, ...binding } = consumed.binding;
    return { ok: true, ...binding, issuerAccepted: expectedIssuer === null || issuerMatches(expectedIssuer, response.iss) };
  }
}

interface ConnectorClient {
  /** The connector's authorization endpoint, placeholders rendered. */
  authorizationUrl: string;
  clientId: string;
  redirectUri: string;
  /** RFC 8707's `resource`, rendered. */
  resource?: string;
  config: Pick<OAuth2Config, 'scopes' | 'scopeSeparator' | 'scopeParam' | 'authorizationParams'>;
}

/**
 * The connector's client as a passport-oauth2 strategy, used only through what it offers subclasses:
 * the `authorizationParams` hook and its OAuth 2.0 client (`_oauth2`), which writes the request URL
 * and adds `client_id`. Never through `authenticate(req)`: that needs the end user's HTTP request and
 * the actions (`redirect`, `error`…) passport attaches to it per request, and on the callback it
 * redeems the code itself. Here the URL is answered as JSON to an API call (there is no such request
 * to hand it), and token-issuance redeems the code with the client secret, which this service never
 * holds; state and PKCE therefore go through {@link OAuthStateRepository} directly.
 */
class ConnectorStrategy extends OAuth2Strategy {
  private readonly endpointQuery: ParsedUrlQuery;

  constructor(private readonly client: ConnectorClient) {
    // `getAuthorizeUrl` appends `?` and its parameters: the endpoint's own query goes in with them.
    const endpoint = new URL(client.authorizationUrl);
    const endpointQuery = parseQuery(endpoint.search.slice(1));
    endpoint.search = '';
    // passport-oauth2 requires a token URL and a verify callback; neither is used by this leg.
    super({ authorizationURL: endpoint.toString(), tokenURL: endpoint.toString(), clientID: client.clientId, clientSecret: '' }, () => undefined);
    this.endpointQuery = endpointQuery;
  }

  /** The connector's own parameters, and its scopes when it names a parameter other than `scope`. */
  override authorizationParams(): Record<string, string> {
    const { scopes, scopeParam, scopeSeparator, authorizationParams } = this.client.config;
    return { ...authorizationParams, ...(scopeParam !== 'scope' && scopes.length > 0 ? { [scopeParam]: scopes.join(scopeSeparator) } : {}) };
  }

  /** RFC 6749 §4.1.1 with the RFC 7636 §4.3 challenge; query parameters of the endpoint stay first. */
  authorizationRequestUrl(state: string, codeChallenge: string | undefined): string {
    const { scopes, scopeParam, scopeSeparator } = this.client.config;
    return this._oauth2.getAuthorizeUrl({
      ...this.endpointQuery,
      ...this.authorizationParams(),
      response_type: 'code',
      redirect_uri: this.client.redirectUri,
      ...(scopeParam === 'scope' && scopes.length > 0 ? { scope: scopes.join(scopeSeparator) } : {}),
      ...(codeChallenge === undefined ? {} : { code_challenge: codeChallenge, code_challenge_method: 'S256' }),
      ...(this.client.resource === undefined ? {} : { resource: this.client.resource }),
      state,
    });
  }
}
