/** What a workspace API key may do. `admin` manages connectors, keys and webhook endpoints; `proxy` calls providers through `/v1/proxy/`. */
export const API_KEY_SCOPES = ['admin', 'connect', 'credentials:read', 'proxy'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
