/** What a provider profile is, and the steps most providers share (each still answers in its own format). */
import { AuthorizationServer, failure, isFailure, type ClientAuthMethod, type IssuedTokens, type OAuthFailure, type RegisteredClient, type ServerRules } from './authorization-server';
import { redirect, text, type Answer, type BodyFormat, type Exchange } from './http-exchange';

/** What a test knows of a credential the broker handed out. */
export interface HandedOutCredential {
  readonly accessToken: string;
  readonly tokenType?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface ProfileContext {
  readonly server: AuthorizationServer;
  /** Where the profile is mounted, e.g. `http://127.0.0.1:41234/microsoft`. */
  readonly base: string;
}

export interface ProfileEndpoints {
  /** Answers a request below the profile's mount point; `undefined` is a 404. */
  handle(exchange: Exchange): Answer | Promise<Answer> | undefined;
  /** Calls the provider's API (Graph's /me, Slack's auth.test…) the way a caller would; true when it accepts the token. */
  callApi(credential: HandedOutCredential): Promise<boolean>;
}

export interface ProviderProfile {
  readonly id: string;
  /** The broker's provider template this profile answers for; absent for the generic profiles. */
  readonly templateId?: string;
  readonly summary: string;
  readonly rules: ServerRules;
  /** Whether access tokens carry an expiry the client is told about (`expires_in`). */
  readonly tellsExpiry: boolean;
  /** Whether the test's template configuration (scopes, parameters) yields a refresh token. */
  readonly issuesRefreshTokens: boolean;
  create(context: ProfileContext): ProfileEndpoints;
}

/** The logged-in user at the provider: the browser's `sim_user` cookie (the consent screen itself is not simulated). */
export const USER_COOKIE = 'sim_user';

export interface ConsentPolicy {
  /** The query parameter that carries the scopes, and how they are separated. */
  readonly scopeParam: string;
  readonly scopeSeparator: ' ' | ',';
  /** Whether this consent yields a refresh token. */
  offline(scopes: readonly string[], query: URLSearchParams, user: string, client: RegisteredClient): boolean;
  /** A provider-specific check of the request (`audience`, `response_mode`…); a description of what is wrong, or undefined. */
  check?(query: URLSearchParams): string | undefined;
  details?(user: string): Record<string, string>;
  /** Extra members of the authorization response besides code and state (Google's `scope`, `authuser`). */
  extraResponse?(scopes: readonly string[], query: URLSearchParams): Record<string, string | undefined>;
}

/**
 * The authorization endpoint of a logged-in user who consents at once: a 302 to the registered
 * redirect URI with the code and the state. An unknown client or a redirect URI that is not
 * registered exactly gets an error page, never a redirect (RFC 6749 §4.1.2.1).
 */
export function authorizeAndConsent(exchange: Exchange, server: AuthorizationServer, policy: ConsentPolicy): Answer {
  const { query } = exchange;
  const client = server.clientForRedirect(query.get('client_id'), query.get('redirect_uri'));
  if (!client) return text(400, 'unknown client_id or unregistered redirect_uri');
  const user = exchange.cookies[USER_COOKIE];
  if (user === undefined) return text(401, 'not logged in');
  const state = query.get('state') ?? undefined;
  const redirectUri = query.get('redirect_uri')!;
  const scopeText = query.get(policy.scopeParam) ?? '';
  const otherSeparator = policy.scopeSeparator === ' ' ? ',' : ' ';
  if (scopeText.includes(otherSeparator)) return redirect(redirectUri, { error: 'invalid_scope', error_description: `scopes are separated by '${policy.scopeSeparator}'`, state });
  const problem = policy.check?.(query);
  if (problem !== undefined) return redirect(redirectUri, { error: 'invalid_request', error_description: problem, state });
  const scopes = scopeText.split(policy.scopeSeparator).filter((scope) => scope !== '');
  const offline = policy.offline(scopes, query, user, client);
  const result = server.authorize(query, { user, scopes, offline, ...(policy.details ? { details: policy.details(user) } : {}) });
  if (isFailure(result)) return redirect(redirectUri, { error: result.error, error_description: result.description, state });
  return redirect(redirectUri, { code: result.code, state, ...policy.extraResponse?.(scopes, query) });
}

export type TokenOutcome =
  | { readonly ok: true; readonly tokens: IssuedTokens; readonly grantType: 'authorization_code' | 'refresh_token'; readonly clientAuth: ClientAuthMethod }
  | { readonly ok: false; readonly failure: OAuthFailure; readonly grantType: string | undefined };

/** The token endpoint's checks in order: body format, client authentication, grant. */
export function tokenGrant(exchange: Exchange, server: AuthorizationServer, formats: readonly BodyFormat[]): TokenOutcome {
  const grantType = exchange.params['grant_type'];
  if (exchange.method !== 'POST' || !formats.includes(exchange.bodyFormat)) {
    return { ok: false, failure: failure('invalid_request', `the token endpoint takes a POST with a ${formats.join(' or ')} body`), grantType };
  }
  const authenticated = server.authenticateClient(exchange);
  if (isFailure(authenticated)) return { ok: false, failure: authenticated, grantType };
  const { client, method } = authenticated;
  if (grantType === 'authorization_code' || grantType === 'refresh_token') {
    const result = grantType === 'authorization_code' ? server.redeemCode(client, exchange.params) : server.refresh(client, exchange.params);
    return isFailure(result) ? { ok: false, failure: result, grantType } : { ok: true, tokens: result, grantType, clientAuth: method };
  }
  return { ok: false, failure: failure('unsupported_grant_type', 'authorization_code and refresh_token only'), grantType };
}

/** A token revocation request (RFC 7009 §2.1), with client authentication when the provider asks for it. */
export function revokeRequest(exchange: Exchange, server: AuthorizationServer, requireClientAuth: boolean): OAuthFailure | undefined {
  const token = exchange.params['token'] ?? exchange.query.get('token') ?? undefined;
  if (exchange.method !== 'POST' || token === undefined) return failure('invalid_request', 'POST the token to revoke');
  let clientAuth: ClientAuthMethod | 'none' = 'none';
  if (requireClientAuth || exchange.headers.authorization !== undefined || exchange.params['client_secret'] !== undefined) {
    const authenticated = server.authenticateClient(exchange);
    if (isFailure(authenticated)) return authenticated;
    clientAuth = authenticated.method;
  }
  server.revokeToken(token, exchange.params['token_type_hint'], clientAuth);
  return undefined;
}

/** Calls an API endpoint of a simulated provider. */
export async function fetchApi(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  const bodyText = await response.text();
  let body: unknown = bodyText;
  try {
    body = JSON.parse(bodyText);
  } catch {
    // not JSON
  }
  return { status: response.status, body };
}

/** `/segment/...` path matching: the named groups of the first pattern that matches. */
export function match(path: string, pattern: RegExp): Record<string, string> | undefined {
  const found = pattern.exec(path);
  return found ? { ...found.groups } : undefined;
}
