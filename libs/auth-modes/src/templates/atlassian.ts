import type { ProviderTemplate } from './provider-template';

/**
 * Atlassian Cloud (OAuth 2.0 3LO). The `audience` and `prompt=consent` parameters are required,
 * `offline_access` yields a rotating refresh token, and the token endpoint takes JSON.
 */
export const atlassian: ProviderTemplate = {
  id: 'atlassian',
  name: 'Atlassian (Jira, Confluence)',
  mode: 'OAUTH2',
  config: {
    mode: 'OAUTH2',
    // A site's APIs are under /ex/jira/{cloudId} and /ex/confluence/{cloudId}; the cloud id is known only
    // after consent (GET /oauth/token/accessible-resources, on this same host), so callers put it in the path.
    apiBaseUrl: 'https://api.atlassian.com',
    authorizationUrl: 'https://auth.atlassian.com/authorize',
    tokenUrl: 'https://auth.atlassian.com/oauth/token',
    authorizationParams: { audience: 'api.atlassian.com', prompt: 'consent' },
    clientAuthMethod: 'client_secret_post',
    tokenRequestFormat: 'json',
  },
  defaultScopes: ['read:me', 'offline_access'],
  docsUrl: 'https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/',
};
