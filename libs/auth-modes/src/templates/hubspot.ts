import type { ProviderTemplate } from './provider-template';

/** HubSpot. Client credentials go in the form body; access tokens live 30 minutes. */
export const hubspot: ProviderTemplate = {
  id: 'hubspot',
  name: 'HubSpot',
  mode: 'OAUTH2',
  config: {
    mode: 'OAUTH2',
    apiBaseUrl: 'https://api.hubapi.com',
    authorizationUrl: 'https://app.hubspot.com/oauth/authorize',
    tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
    clientAuthMethod: 'client_secret_post',
  },
  defaultScopes: ['oauth', 'crm.objects.contacts.read'],
  docsUrl: 'https://developers.hubspot.com/docs/api/oauth-quickstart-guide',
};
