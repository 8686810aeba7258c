import { randomUUID } from 'node:crypto';
import { bearerToken, json, type Answer } from '../http-exchange';
import { authorizeAndConsent, fetchApi, match, tokenGrant, type ProviderProfile } from '../profile';
import { unsignedJwt } from './jwt';

/** The tenants a v2 endpoint takes in its path besides a tenant id or domain. */
const MULTI_TENANT = ['common', 'organizations', 'consumers'];
const TENANT = /^(common|organizations|consumers|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9.-]+\.[a-z]{2,})$/i;

/**
 * Microsoft identity platform v2 (Entra ID). The tenant sits in the path; `offline_access` is needed
 * for a refresh token; refresh tokens rotate on every use and the spent one keeps working (Entra
 * does not revoke it); access tokens are JWTs that stay valid until they expire even when the grant
 * is revoked. The authorization response carries no `iss` (Entra does not announce RFC 9207); the
 * ID token's `iss` and the `common` metadata's issuer carry the tenant (`{tenantid}` literally in
 * the metadata). Errors are RFC 6749 JSON with AADSTS descriptions; `invalid_client` is a 401.
 */
export const microsoft: ProviderProfile = {
  id: 'microsoft',
  templateId: 'microsoft',
  summary: 'tenant in the path, offline_access for a refresh token, rotating refresh tokens (the spent one still accepted), iss with the tenant in the ID token and metadata',
  rules: { clientAuth: ['client_secret_post', 'client_secret_basic'], pkce: 'supported', rotation: 'rotate', reuse: 'accepted', revokingGrantKillsAccessTokens: false },
  tellsExpiry: true,
  issuesRefreshTokens: true,
  create({ server, base }) {
    const userTenant = randomUUID();
    const issuerOf = (tenant: string): string => `${base}/login.microsoftonline.com/${tenant}/v2.0`;
    const consent = {
      scopeParam: 'scope',
      scopeSeparator: ' ' as const,
      offline: (scopes: readonly string[]) => scopes.includes('offline_access'),
      check: (query: URLSearchParams) => (['query', null].includes(query.get('response_mode')) ? undefined : 'only response_mode=query is simulated'),
      details: () => ({ tenant: userTenant }),
    };
    const aadError = (status: number, error: string, description: string): Answer =>
      json(status, { error, error_description: `AADSTS${status === 401 ? '7000215' : '70000'}: ${description}`, error_codes: [status === 401 ? 7000215 : 70000], timestamp: new Date().toISOString(), trace_id: randomUUID(), correlation_id: randomUUID() });
    return {
      handle(exchange) {
        const tenantPath = match(exchange.path, /^\/login\.microsoftonline\.com\/(?<tenant>[^/]+)\/(?<rest>.+)$/);
        if (tenantPath) {
          const { tenant = '', rest } = tenantPath;
          if (!TENANT.test(tenant)) return aadError(400, 'invalid_request', `Tenant '${tenant}' not found.`);
          if (rest === 'v2.0/.well-known/openid-configuration') {
            const issuer = MULTI_TENANT.includes(tenant) ? issuerOf('{tenantid}') : issuerOf(tenant);
            return json(200, { issuer, authorization_endpoint: `${base}/login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize`, token_endpoint: `${base}/login.microsoftonline.com/${tenant}/oauth2/v2.0/token` });
          }
          if (rest === 'oauth2/v2.0/authorize' && exchange.method === 'GET') return authorizeAndConsent(exchange, server, consent);
          if (rest !== 'oauth2/v2.0/token') return undefined;
          const outcome = tokenGrant(exchange, server, ['form']);
          if (!outcome.ok) return aadError(outcome.failure.error === 'invalid_client' ? 401 : 400, outcome.failure.error, outcome.failure.description);
          const { tokens } = outcome;
          const tid = tokens.grant.details['tenant'] ?? userTenant;
          return json(200, {
            token_type: 'Bearer',
            scope: tokens.grant.scopes.filter((scope) => scope !== 'offline_access').join(' '),
            expires_in: tokens.expiresIn,
            ext_expires_in: tokens.expiresIn,
            access_token: tokens.accessToken,
            ...(tokens.refreshToken === undefined ? {} : { refresh_token: tokens.refreshToken }),
            ...(tokens.grant.scopes.includes('openid') ? { id_token: unsignedJwt({ iss: issuerOf(tid), tid, sub: tokens.grant.user, aud: tokens.grant.clientId }) } : {}),
          });
        }
        if (exchange.path === '/graph.microsoft.com/v1.0/me' && exchange.method === 'GET') {
          const grant = server.grantOfAccessToken(bearerToken(exchange) ?? '');
          if (!grant) return json(401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } });
          return json(200, { id: grant.user, displayName: grant.user, userPrincipalName: `${grant.user}@contoso.example` });
        }
        return undefined;
      },
      async callApi(credential) {
        return (await fetchApi(`${base}/graph.microsoft.com/v1.0/me`, { headers: { authorization: `Bearer ${credential.accessToken}` } })).status === 200;
      },
    };
  },
};
