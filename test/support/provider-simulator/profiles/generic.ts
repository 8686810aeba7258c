import { bearerToken, form, json, redirect, type Answer } from '../http-exchange';
import { authorizeAndConsent, fetchApi, revokeRequest, tokenGrant, type ProviderProfile } from '../profile';

/**
 * A standards-strict server: client_secret_basic only, PKCE S256 required, `iss` in every
 * authorization response (RFC 9207, announced in its metadata), refresh tokens that rotate with
 * reuse detection (a spent one presented again revokes the whole grant), RFC 7009 revocation with
 * client authentication.
 */
export const strictRfc: ProviderProfile = {
  id: 'strict-rfc',
  summary: 'client_secret_basic only, PKCE required, iss in the authorization response (RFC 9207), rotating refresh tokens with reuse detection, RFC 7009 revocation',
  rules: { clientAuth: ['client_secret_basic'], pkce: 'required', rotation: 'rotate', reuse: 'revoke_grant', revokingGrantKillsAccessTokens: true },
  tellsExpiry: true,
  issuesRefreshTokens: true,
  create({ server, base }) {
    const consent = { scopeParam: 'scope', scopeSeparator: ' ' as const, offline: (scopes: readonly string[]) => scopes.includes('offline_access') };
    return {
      handle(exchange) {
        if (exchange.path === '/.well-known/oauth-authorization-server') {
          return json(200, { issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`, revocation_endpoint: `${base}/revoke`, authorization_response_iss_parameter_supported: true, code_challenge_methods_supported: ['S256'] });
        }
        if (exchange.path === '/authorize' && exchange.method === 'GET') return withIssuer(authorizeAndConsent(exchange, server, consent), base);
        if (exchange.path === '/token') {
          const outcome = tokenGrant(exchange, server, ['form']);
          if (!outcome.ok) return json(outcome.failure.error === 'invalid_client' ? 401 : 400, { error: outcome.failure.error, error_description: outcome.failure.description });
          const { tokens } = outcome;
          return json(200, { access_token: tokens.accessToken, token_type: 'Bearer', expires_in: tokens.expiresIn, scope: tokens.grant.scopes.join(' '), ...(tokens.refreshToken === undefined ? {} : { refresh_token: tokens.refreshToken }) });
        }
        if (exchange.path === '/revoke') {
          const problem = revokeRequest(exchange, server, true);
          return problem ? json(problem.error === 'invalid_client' ? 401 : 400, { error: problem.error }) : { status: 200 };
        }
        if (exchange.path === '/userinfo') return userinfo(server.grantOfAccessToken(bearerToken(exchange) ?? ''));
        return undefined;
      },
      async callApi(credential) {
        return (await fetchApi(`${base}/userinfo`, { headers: { authorization: `Bearer ${credential.accessToken}` } })).status === 200;
      },
    };
  },
};

/**
 * An older server: client credentials in the body, no PKCE, answers form-encoded with `expires_in`
 * as a string and comma-separated scopes, refresh tokens that do not rotate, errors as form bodies.
 */
export const legacyForm: ProviderProfile = {
  id: 'legacy-form',
  summary: 'form-encoded answers, expires_in as a string, comma-separated scopes, no PKCE, client_secret_post, non-rotating refresh tokens',
  rules: { clientAuth: ['client_secret_post'], pkce: 'ignored', rotation: 'none', reuse: 'accepted', revokingGrantKillsAccessTokens: true },
  tellsExpiry: true,
  issuesRefreshTokens: true,
  create({ server, base }) {
    const consent = { scopeParam: 'scope', scopeSeparator: ',' as const, offline: () => true };
    return {
      handle(exchange) {
        if (exchange.path === '/oauth/authorize' && exchange.method === 'GET') return authorizeAndConsent(exchange, server, consent);
        if (exchange.path === '/oauth/token') {
          const outcome = tokenGrant(exchange, server, ['form']);
          if (!outcome.ok) return form(400, { error: outcome.failure.error, error_description: outcome.failure.description });
          const { tokens } = outcome;
          return form(200, { access_token: tokens.accessToken, token_type: 'bearer', expires_in: String(tokens.expiresIn), scope: tokens.grant.scopes.join(','), refresh_token: tokens.refreshToken ?? exchange.params['refresh_token'] });
        }
        if (exchange.path === '/api/me') return userinfo(server.grantOfAccessToken(bearerToken(exchange) ?? ''));
        return undefined;
      },
      async callApi(credential) {
        return (await fetchApi(`${base}/api/me`, { headers: { authorization: `Bearer ${credential.accessToken}` } })).status === 200;
      },
    };
  },
};

function withIssuer(answer: Answer, issuer: string): Answer {
  const location = answer.headers?.['location'];
  if (answer.status !== 302 || location === undefined) return answer;
  const url = new URL(location);
  return redirect(`${url.origin}${url.pathname}`, { ...Object.fromEntries(url.searchParams), iss: issuer });
}

function userinfo(grant: { user: string } | undefined): Answer {
  return grant ? json(200, { sub: grant.user }) : json(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
}
