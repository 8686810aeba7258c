/** What a workspace API key may do. `admin` manages connectors and keys. */
export const API_KEY_SCOPES = ['admin', 'connect', 'credentials:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
