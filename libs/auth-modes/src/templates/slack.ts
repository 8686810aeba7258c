import type { ProviderTemplate } from './provider-template';

/**
 * Slack `oauth.v2.access`, user token. User scopes go in `user_scope`, comma-separated; the user
 * token is nested in `authed_user` (a refresh answers at top level, which the token parser falls
 * back to); errors arrive as HTTP 200 with `ok: false`. With token rotation on, `expires_in` and a
 * refresh token appear.
 */
export const slack: ProviderTemplate = {
  id: 'slack',
  name: 'Slack',
  mode: 'OAUTH2',
  config: {
    mode: 'OAUTH2',
    apiBaseUrl: 'https://slack.com/api',
    authorizationUrl: 'https://slack.com/oauth/v2/authorize',
    tokenUrl: 'https://slack.com/api/oauth.v2.access',
    scopeSeparator: ',',
    scopeParam: 'user_scope',
    clientAuthMethod: 'client_secret_post',
    tokenResponsePaths: {
      accessToken: 'authed_user.access_token',
      refreshToken: 'authed_user.refresh_token',
      expiresIn: 'authed_user.expires_in',
      scope: 'authed_user.scope',
      tokenType: 'authed_user.token_type',
    },
    metadataPaths: { team_id: 'team.id', team_name: 'team.name', authed_user_id: 'authed_user.id' },
  },
  defaultScopes: ['users:read', 'chat:write'],
  docsUrl: 'https://api.slack.com/authentication/oauth-v2',
};
