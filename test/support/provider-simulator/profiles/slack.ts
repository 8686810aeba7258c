import { bearerToken, json } from '../http-exchange';
import { authorizeAndConsent, fetchApi, tokenGrant, type ProviderProfile } from '../profile';
import type { OAuthFailure } from '../authorization-server';

const TEAM = { id: 'T0SIMULATED', name: 'Simulated Team' };

/** Slack's own error codes for what RFC 6749 calls invalid_client, invalid_grant… */
function slackError(failure: OAuthFailure, grantType: string | undefined): string {
  if (failure.error === 'invalid_client') return /unknown/.test(failure.description) ? 'invalid_client_id' : 'bad_client_secret';
  if (failure.error === 'invalid_grant') {
    if (grantType === 'refresh_token') return 'invalid_refresh_token';
    return /redirect_uri/.test(failure.description) ? 'bad_redirect_uri' : 'invalid_code';
  }
  if (failure.error === 'unsupported_grant_type') return 'invalid_grant_type';
  return 'invalid_arguments';
}

/**
 * Slack `oauth.v2.access` for a user token, with token rotation on. User scopes arrive in
 * `user_scope`, comma-separated. Every answer is HTTP 200: errors are `ok: false` with Slack's own
 * codes. The exchange nests the user token in `authed_user` beside `team`; a refresh answers at top
 * level. A refresh token is spent when used (reuse gets `invalid_refresh_token`). The Web API
 * (`auth.test`) answers 200 too, with `ok: false` for a dead token. No PKCE.
 */
export const slack: ProviderProfile = {
  id: 'slack',
  templateId: 'slack',
  summary: 'HTTP 200 with ok:false errors, user token nested in authed_user, comma-separated user_scope, rotating refresh tokens (a spent one refused)',
  rules: { clientAuth: ['client_secret_post', 'client_secret_basic'], pkce: 'ignored', rotation: 'rotate', reuse: 'refused', revokingGrantKillsAccessTokens: true },
  tellsExpiry: true,
  issuesRefreshTokens: true,
  create({ server, base }) {
    const consent = { scopeParam: 'user_scope', scopeSeparator: ',' as const, offline: () => true };
    return {
      handle(exchange) {
        if (exchange.path === '/slack.com/oauth/v2/authorize' && exchange.method === 'GET') return authorizeAndConsent(exchange, server, consent);
        if (exchange.path === '/slack.com/api/oauth.v2.access') {
          const outcome = tokenGrant(exchange, server, ['form']);
          if (!outcome.ok) return json(200, { ok: false, error: slackError(outcome.failure, outcome.grantType) });
          const { tokens } = outcome;
          const userToken = {
            access_token: tokens.accessToken,
            token_type: 'user',
            scope: tokens.grant.scopes.join(','),
            ...(tokens.refreshToken === undefined ? {} : { refresh_token: tokens.refreshToken }),
            expires_in: tokens.expiresIn,
          };
          if (outcome.grantType === 'refresh_token') return json(200, { ok: true, app_id: 'A0SIMULATED', ...userToken, team: TEAM, enterprise: null });
          return json(200, { ok: true, app_id: 'A0SIMULATED', authed_user: { id: `U-${tokens.grant.user}`, ...userToken }, team: TEAM, enterprise: null, is_enterprise_install: false });
        }
        if (exchange.path === '/slack.com/api/auth.test' && exchange.method === 'POST') {
          const grant = server.grantOfAccessToken(bearerToken(exchange) ?? '');
          return json(200, grant ? { ok: true, team_id: TEAM.id, user_id: `U-${grant.user}` } : { ok: false, error: 'invalid_auth' });
        }
        return undefined;
      },
      async callApi(credential) {
        const answer = await fetchApi(`${base}/slack.com/api/auth.test`, { method: 'POST', headers: { authorization: `Bearer ${credential.accessToken}` } });
        return answer.status === 200 && (answer.body as { ok?: unknown }).ok === true;
      },
    };
  },
};
