import { randomUUID } from 'node:crypto';
import { bearerToken, json } from '../http-exchange';
import { authorizeAndConsent, fetchApi, tokenGrant, type ProviderProfile } from '../profile';
import type { OAuthFailure } from '../authorization-server';

/** HubSpot's error statuses, in its own `{ status, message }` shape (no OAuth `error` member). */
function hubspotStatus(failure: OAuthFailure, grantType: string | undefined): string {
  if (failure.error === 'invalid_client') return 'BAD_CLIENT_ID';
  if (failure.error === 'invalid_grant') {
    if (grantType === 'refresh_token') return 'BAD_REFRESH_TOKEN';
    return /redirect_uri/.test(failure.description) ? 'BAD_REDIRECT_URI' : 'BAD_AUTH_CODE';
  }
  return failure.error === 'unsupported_grant_type' ? 'BAD_GRANT_TYPE' : 'BAD_REQUEST';
}

/**
 * HubSpot. The token endpoint takes a form with the client credentials in it; every grant yields a
 * refresh token, which does not rotate (a refresh answers with the same one); access tokens live
 * 30 minutes in production. Errors are HTTP 400 with HubSpot's `{ status: 'BAD_REFRESH_TOKEN',
 * message, correlationId }`, not an OAuth `error`. No PKCE.
 */
export const hubspot: ProviderProfile = {
  id: 'hubspot',
  templateId: 'hubspot',
  summary: "form body with client credentials, non-rotating refresh tokens (the same one returned), errors as { status: 'BAD_REFRESH_TOKEN', message }",
  rules: { clientAuth: ['client_secret_post'], pkce: 'ignored', rotation: 'none', reuse: 'accepted', revokingGrantKillsAccessTokens: true },
  tellsExpiry: true,
  issuesRefreshTokens: true,
  create({ server, base }) {
    return {
      handle(exchange) {
        if (exchange.path === '/app.hubspot.com/oauth/authorize' && exchange.method === 'GET') {
          return authorizeAndConsent(exchange, server, { scopeParam: 'scope', scopeSeparator: ' ', offline: () => true });
        }
        if (exchange.path === '/api.hubapi.com/oauth/v1/token') {
          const outcome = tokenGrant(exchange, server, ['form']);
          if (!outcome.ok) return json(400, { status: hubspotStatus(outcome.failure, outcome.grantType), message: outcome.failure.description, correlationId: randomUUID() });
          const { tokens } = outcome;
          const refreshToken = tokens.refreshToken ?? exchange.params['refresh_token'];
          return json(200, { token_type: 'bearer', refresh_token: refreshToken, access_token: tokens.accessToken, expires_in: tokens.expiresIn });
        }
        if (exchange.path === '/api.hubapi.com/crm/v3/objects/contacts' && exchange.method === 'GET') {
          const grant = server.grantOfAccessToken(bearerToken(exchange) ?? '');
          if (!grant) return json(401, { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION', correlationId: randomUUID() });
          return json(200, { results: [] });
        }
        return undefined;
      },
      async callApi(credential) {
        return (await fetchApi(`${base}/api.hubapi.com/crm/v3/objects/contacts`, { headers: { authorization: `Bearer ${credential.accessToken}` } })).status === 200;
      },
    };
  },
};
