/**
 * What a workspace API key may do. `admin` manages connectors, keys and webhook endpoints of its own
 * workspace; `proxy` calls providers through `/v1/proxy/`.
 */
export const WORKSPACE_SCOPES = ['admin', 'connect', 'credentials:read', 'proxy'] as const;
/**
 * Every scope. `operator` manages workspaces and the keys of any workspace (`/v1/workspaces…`); only
 * the CLI or another operator key gives it, and a workspace's first key does not hold it.
 */
export const API_KEY_SCOPES = [...WORKSPACE_SCOPES, 'operator'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
