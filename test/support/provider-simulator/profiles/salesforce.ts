import { randomBytes } from 'node:crypto';
import { bearerToken, json, type Answer } from '../http-exchange';
import { authorizeAndConsent, fetchApi, match, revokeRequest, tokenGrant, type ProviderProfile } from '../profile';

/** The login hosts the template's attribute pattern allows; anything else is not Salesforce. */
const LOGIN_HOST = /^((login|test)\.salesforce\.com|[A-Za-z0-9-]+(\.(sandbox|develop|scratch))?\.my\.salesforce\.com)$/;
const ORG_ID = '00D5g000000SIMUL';

/**
 * Salesforce (web server flow). The login host is per org; the token answer has no `expires_in`
 * (access tokens die at the org's session timeout, which is not disclosed) but an `instance_url`
 * that API calls go to, an identity URL in `id`, `issued_at` and `signature`. A refresh token comes
 * only with the `refresh_token` (or `offline_access`) scope; refreshes answer without one (rotation
 * off, the default). Revocation needs no client authentication and revoking the refresh token
 * ends the grant's access tokens too. API errors are 401 with INVALID_SESSION_ID.
 */
export const salesforce: ProviderProfile = {
  id: 'salesforce',
  templateId: 'salesforce',
  summary: 'per-org login host, no expires_in (session timeout not disclosed), instance_url for API calls, refresh token only with the refresh_token scope, revocation',
  rules: { clientAuth: ['client_secret_post', 'client_secret_basic'], pkce: 'supported', rotation: 'none', reuse: 'accepted', revokingGrantKillsAccessTokens: true },
  tellsExpiry: false,
  issuesRefreshTokens: true,
  create({ server, base }) {
    const instanceOf = (loginHost: string): string => (loginHost.endsWith('.my.salesforce.com') ? loginHost : 'na1.salesforce.com');
    const sfError = (error: string, description: string): Answer => json(400, { error, error_description: description });
    return {
      handle(exchange) {
        const login = match(exchange.path, /^\/(?<host>[^/]+)\/services\/oauth2\/(?<endpoint>authorize|token|revoke|userinfo)$/);
        if (!login) return undefined;
        const host = login['host'] ?? '';
        const endpoint = login['endpoint'];
        if (endpoint === 'userinfo') {
          const grant = server.grantOfAccessToken(bearerToken(exchange) ?? '');
          if (!grant || grant.details['instance'] !== host) return json(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
          return json(200, { user_id: `005-${grant.user}`, organization_id: ORG_ID, preferred_username: `${grant.user}@acme.example` });
        }
        if (!LOGIN_HOST.test(host)) return json(404, { error: 'not_found', error_description: `${host} is not a Salesforce login host` });
        if (endpoint === 'authorize' && exchange.method === 'GET') {
          return authorizeAndConsent(exchange, server, {
            scopeParam: 'scope',
            scopeSeparator: ' ',
            offline: (scopes) => scopes.includes('refresh_token') || scopes.includes('offline_access'),
            details: () => ({ instance: instanceOf(host) }),
          });
        }
        if (endpoint === 'revoke') {
          const problem = revokeRequest(exchange, server, false);
          return problem ? sfError('unsupported_token_type', 'this token type is not supported') : { status: 200 };
        }
        if (endpoint !== 'token') return undefined;
        const outcome = tokenGrant(exchange, server, ['form']);
        if (!outcome.ok) return sfError(outcome.failure.error, outcome.failure.error === 'invalid_grant' ? 'expired access/refresh token' : outcome.failure.description);
        const { tokens } = outcome;
        const instanceUrl = `${base}/${tokens.grant.details['instance'] ?? instanceOf(host)}`;
        return json(200, {
          access_token: tokens.accessToken,
          ...(tokens.refreshToken === undefined ? {} : { refresh_token: tokens.refreshToken }),
          signature: randomBytes(32).toString('base64'),
          scope: tokens.grant.scopes.join(' '),
          instance_url: instanceUrl,
          id: `${base}/login.salesforce.com/id/${ORG_ID}/005-${tokens.grant.user}`,
          token_type: 'Bearer',
          issued_at: String(Date.now()),
        });
      },
      async callApi(credential) {
        const instanceUrl = credential.metadata?.['instance_url'];
        if (typeof instanceUrl !== 'string') return false;
        return (await fetchApi(`${instanceUrl}/services/oauth2/userinfo`, { headers: { authorization: `Bearer ${credential.accessToken}` } })).status === 200;
      },
    };
  },
};
