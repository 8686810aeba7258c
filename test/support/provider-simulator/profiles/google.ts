import { bearerToken, json } from '../http-exchange';
import { authorizeAndConsent, fetchApi, revokeRequest, tokenGrant, type ProviderProfile } from '../profile';
import { unsignedJwt } from './jwt';

const ISSUER_HOST = 'accounts.google.com';
const SCOPE_URLS: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

/**
 * Google. A refresh token comes only with `access_type=offline`, and only on a user's first consent
 * to the client unless `prompt=consent` asks again; refresh answers carry no refresh token (they do
 * not rotate). The authorization response adds `scope` (the granted scopes, as URLs), `authuser`
 * and `prompt`. Revocation takes the token without client authentication and ends the whole grant,
 * access tokens included; an unknown token is a 400 `invalid_token`.
 */
export const google: ProviderProfile = {
  id: 'google',
  templateId: 'google',
  summary: 'refresh token only with access_type=offline on first consent or prompt=consent, non-rotating, revocation endpoint, extra parameters on the redirect',
  rules: { clientAuth: ['client_secret_basic', 'client_secret_post'], pkce: 'supported', rotation: 'none', reuse: 'accepted', revokingGrantKillsAccessTokens: true },
  tellsExpiry: true,
  issuesRefreshTokens: true,
  create({ server, base }) {
    const consented = new Set<string>();
    const granted = (scopes: readonly string[]): string => scopes.map((scope) => SCOPE_URLS[scope] ?? scope).join(' ');
    const consent = {
      scopeParam: 'scope',
      scopeSeparator: ' ' as const,
      offline: (_scopes: readonly string[], query: URLSearchParams, user: string, client: { clientId: string }) => {
        const key = `${user} ${client.clientId}`;
        const first = !consented.has(key);
        consented.add(key);
        return query.get('access_type') === 'offline' && (first || (query.get('prompt') ?? '').split(' ').includes('consent'));
      },
      extraResponse: (scopes: readonly string[], query: URLSearchParams) => ({ scope: granted(scopes), authuser: '0', prompt: query.get('prompt') ?? 'none' }),
    };
    return {
      handle(exchange) {
        if (exchange.path === `/${ISSUER_HOST}/o/oauth2/v2/auth` && exchange.method === 'GET') return authorizeAndConsent(exchange, server, consent);
        if (exchange.path === '/oauth2.googleapis.com/token') {
          const outcome = tokenGrant(exchange, server, ['form', 'json']);
          if (!outcome.ok) {
            const unauthorized = outcome.failure.error === 'invalid_client';
            return json(unauthorized ? 401 : 400, { error: outcome.failure.error, error_description: unauthorized ? 'Unauthorized' : 'Bad Request' });
          }
          const { tokens } = outcome;
          return json(200, {
            access_token: tokens.accessToken,
            expires_in: tokens.expiresIn,
            ...(tokens.refreshToken === undefined ? {} : { refresh_token: tokens.refreshToken }),
            scope: granted(tokens.grant.scopes),
            token_type: 'Bearer',
            ...(tokens.grant.scopes.includes('openid') ? { id_token: unsignedJwt({ iss: `https://${ISSUER_HOST}`, sub: tokens.grant.user, aud: tokens.grant.clientId }) } : {}),
          });
        }
        if (exchange.path === '/oauth2.googleapis.com/revoke') {
          const token = exchange.params['token'] ?? exchange.query.get('token') ?? '';
          const known = server.grantOfAccessToken(token) !== undefined || server.isRefreshTokenLive(token);
          const problem = revokeRequest(exchange, server, false);
          if (problem || !known) return json(400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
          return json(200, {});
        }
        if (exchange.path === '/openidconnect.googleapis.com/v1/userinfo' && exchange.method === 'GET') {
          const grant = server.grantOfAccessToken(bearerToken(exchange) ?? '');
          if (!grant) return json(401, { error: 'invalid_request', error_description: 'Invalid Credentials' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
          return json(200, { sub: grant.user, email: `${grant.user}@gmail.example`, email_verified: true });
        }
        return undefined;
      },
      async callApi(credential) {
        return (await fetchApi(`${base}/openidconnect.googleapis.com/v1/userinfo`, { headers: { authorization: `Bearer ${credential.accessToken}` } })).status === 200;
      },
    };
  },
};
