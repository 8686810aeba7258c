import { bearerToken, json } from '../http-exchange';
import { authorizeAndConsent, fetchApi, tokenGrant, type ProviderProfile } from '../profile';

/**
 * Atlassian Cloud OAuth 2.0 (3LO). The authorization request must name `audience=api.atlassian.com`;
 * `offline_access` yields a refresh token. The token endpoint takes JSON with the client
 * credentials in it. Refresh tokens rotate; a spent one still works for a 10-minute leeway, after
 * which presenting it revokes the whole grant. Errors are JSON, refresh failures a 403
 * `invalid_grant` ("Unknown or invalid refresh token."). No PKCE.
 */
export const atlassian: ProviderProfile = {
  id: 'atlassian',
  templateId: 'atlassian',
  summary: 'audience parameter, JSON token requests, offline_access for a refresh token, rotating refresh tokens with a 10-minute reuse leeway then grant revocation',
  rules: { clientAuth: ['client_secret_post'], pkce: 'ignored', rotation: 'rotate', reuse: 'revoke_grant', reuseLeewaySeconds: 600, revokingGrantKillsAccessTokens: true },
  tellsExpiry: true,
  issuesRefreshTokens: true,
  create({ server, base }) {
    const consent = {
      scopeParam: 'scope',
      scopeSeparator: ' ' as const,
      offline: (scopes: readonly string[]) => scopes.includes('offline_access'),
      check: (query: URLSearchParams) => (query.get('audience') === 'api.atlassian.com' ? undefined : 'audience must be api.atlassian.com'),
    };
    return {
      handle(exchange) {
        if (exchange.path === '/auth.atlassian.com/authorize' && exchange.method === 'GET') return authorizeAndConsent(exchange, server, consent);
        if (exchange.path === '/auth.atlassian.com/oauth/token') {
          const outcome = tokenGrant(exchange, server, ['json']);
          if (!outcome.ok) {
            const { error } = outcome.failure;
            if (error === 'invalid_client') return json(401, { error: 'access_denied', error_description: 'Unauthorized' });
            if (error === 'invalid_grant') return json(403, { error, error_description: outcome.grantType === 'refresh_token' ? 'Unknown or invalid refresh token.' : 'Invalid authorization code' });
            return json(400, { error, error_description: outcome.failure.description });
          }
          const { tokens } = outcome;
          return json(200, {
            access_token: tokens.accessToken,
            expires_in: tokens.expiresIn,
            token_type: 'Bearer',
            ...(tokens.refreshToken === undefined ? {} : { refresh_token: tokens.refreshToken }),
            scope: tokens.grant.scopes.join(' '),
          });
        }
        if (exchange.path === '/api.atlassian.com/me' && exchange.method === 'GET') {
          const grant = server.grantOfAccessToken(bearerToken(exchange) ?? '');
          if (!grant) return json(401, { code: 401, message: 'Unauthorized' });
          return json(200, { account_id: `acc-${grant.user}`, name: grant.user });
        }
        return undefined;
      },
      async callApi(credential) {
        return (await fetchApi(`${base}/api.atlassian.com/me`, { headers: { authorization: `Bearer ${credential.accessToken}` } })).status === 200;
      },
    };
  },
};
