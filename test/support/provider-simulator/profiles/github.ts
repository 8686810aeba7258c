import { bearerToken, form, json, type Answer, type Exchange } from '../http-exchange';
import { authorizeAndConsent, fetchApi, tokenGrant, type ProfileContext, type ProfileEndpoints, type ProviderProfile } from '../profile';
import type { OAuthFailure } from '../authorization-server';

/** GitHub's own error codes; they come back with HTTP 200. */
function githubError(failure: OAuthFailure, grantType: string | undefined): string {
  if (failure.error === 'invalid_client') return 'incorrect_client_credentials';
  if (failure.error === 'invalid_grant') {
    if (grantType === 'refresh_token') return 'bad_refresh_token';
    return /redirect_uri/.test(failure.description) ? 'redirect_uri_mismatch' : 'bad_verification_code';
  }
  return failure.error === 'unsupported_grant_type' ? 'unsupported_grant_type' : 'invalid_request';
}

/** Form-encoded unless the client asked for JSON, as GitHub does. */
function answer(exchange: Exchange, body: Record<string, string | number | undefined>): Answer {
  const wantsJson = (exchange.headers.accept ?? '').includes('application/json');
  return wantsJson ? json(200, body) : form(200, body);
}

function githubEndpoints({ server, base }: ProfileContext, expiring: boolean): ProfileEndpoints {
  const consent = { scopeParam: 'scope', scopeSeparator: ' ' as const, offline: () => expiring };
  return {
    handle(exchange) {
      if (exchange.path === '/github.com/login/oauth/authorize' && exchange.method === 'GET') return authorizeAndConsent(exchange, server, consent);
      if (exchange.path === '/github.com/login/oauth/access_token') {
        const outcome = tokenGrant(exchange, server, ['form', 'json']);
        if (!outcome.ok) {
          return answer(exchange, { error: githubError(outcome.failure, outcome.grantType), error_description: outcome.failure.description, error_uri: 'https://docs.github.com/apps/troubleshooting' });
        }
        const { tokens } = outcome;
        return answer(exchange, {
          access_token: tokens.accessToken,
          ...(expiring ? { expires_in: tokens.expiresIn, refresh_token: tokens.refreshToken, refresh_token_expires_in: 15_897_600 } : {}),
          scope: tokens.grant.scopes.join(','),
          token_type: 'bearer',
        });
      }
      if (exchange.path === '/api.github.com/user' && exchange.method === 'GET') {
        const grant = server.grantOfAccessToken(bearerToken(exchange, ['bearer', 'token']) ?? '');
        if (!grant) return json(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
        return json(200, { login: grant.user, id: 1 });
      }
      return undefined;
    },
    async callApi(credential) {
      return (await fetchApi(`${base}/api.github.com/user`, { headers: { authorization: `Bearer ${credential.accessToken}`, accept: 'application/vnd.github+json' } })).status === 200;
    },
  };
}

/**
 * A GitHub App's user tokens, with expiration on: `expires_in` (8 hours in production) and a
 * refresh token that is spent on use (`bad_refresh_token` on reuse). The token endpoint answers
 * form-encoded unless asked for JSON, and errors come back with HTTP 200. Client credentials go in
 * the body. PKCE S256 is checked when sent.
 */
export const github: ProviderProfile = {
  id: 'github',
  templateId: 'github',
  summary: 'GitHub App user tokens: form-encoded unless Accept: application/json, errors with HTTP 200, expiring tokens with single-use refresh tokens',
  rules: { clientAuth: ['client_secret_post'], pkce: 'supported', rotation: 'rotate', reuse: 'refused', revokingGrantKillsAccessTokens: true },
  tellsExpiry: true,
  issuesRefreshTokens: true,
  create: (context) => githubEndpoints(context, true),
};

/** A GitHub OAuth app: the same endpoints, tokens that never expire and no refresh token. */
export const githubOAuthApp: ProviderProfile = {
  id: 'github-oauth-app',
  templateId: 'github',
  summary: 'GitHub OAuth app: tokens that do not expire, no refresh token',
  rules: { clientAuth: ['client_secret_post'], pkce: 'supported', rotation: 'none', reuse: 'accepted', revokingGrantKillsAccessTokens: true, accessTokensExpire: false },
  tellsExpiry: false,
  issuesRefreshTokens: false,
  create: (context) => githubEndpoints(context, false),
};
