import type { ProviderTemplate } from './provider-template';

/**
 * Salesforce. The login host differs per org (production, sandbox, My Domain), so it is a required
 * attribute whose pattern keeps it on salesforce.com. Token responses carry no `expires_in` and an
 * `instance_url` that API calls need.
 *
 * The access token lives as long as the org's session timeout (2 hours unless the org changed it),
 * so the broker asks the introspection endpoint for its `exp`; when that gives nothing it assumes
 * one hour, below the default, and refreshes before then. A token that dies sooner (an org with a
 * shorter timeout, a revoked session) is renewed when a caller reports the 401.
 */
export const salesforce: ProviderTemplate = {
  id: 'salesforce',
  name: 'Salesforce',
  mode: 'OAUTH2',
  config: {
    mode: 'OAUTH2',
    // Each org's API lives at the instance_url its token response names.
    apiBaseUrl: '{metadata.instance_url}',
    authorizationUrl: 'https://{attr.loginHost}/services/oauth2/authorize',
    tokenUrl: 'https://{attr.loginHost}/services/oauth2/token',
    revocationUrl: 'https://{attr.loginHost}/services/oauth2/revoke',
    introspectionUrl: 'https://{attr.loginHost}/services/oauth2/introspect',
    requiredAttributes: [
      {
        key: 'loginHost',
        label: 'Login host',
        description: 'login.salesforce.com, test.salesforce.com for sandboxes, or your My Domain host',
        pattern: '(login|test)\\.salesforce\\.com|[A-Za-z0-9-]+(\\.(sandbox|develop|scratch))?\\.my\\.salesforce\\.com',
      },
    ],
    clientAuthMethod: 'client_secret_post',
    metadataPaths: { instance_url: 'instance_url', identity_url: 'id' },
    assumedTokenLifetimeSeconds: 3600,
  },
  defaultScopes: ['api', 'refresh_token'],
  docsUrl: 'https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm',
};
