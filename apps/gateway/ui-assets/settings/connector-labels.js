// How the UI names connectors' auth modes and statuses.

export const MODES = {
  OAUTH2: { label: 'OAuth 2.0', about: 'The user signs in at the provider and consents in a popup; tokens are refreshed for you.' },
  API_KEY: { label: 'API Key', about: 'The user pastes an API key, sent in a header or a query parameter.' },
  BEARER: { label: 'Bearer Token', about: 'The user pastes a token, sent as Authorization: Bearer.' },
  BASIC: { label: 'Basic Auth', about: 'The user enters a username and a password.' },
  CUSTOM: { label: 'Custom Input', about: 'Fields you define (keys, secrets, numbers), shown on the connect form.' },
};

export const STATUS = { draft: 'Draft', active: 'Active', inactive: 'Inactive' };
