import type { AuthConfigInput, AuthMode, RedactedAuthConfig } from '@cb/auth-modes';

export type { AuthConfigInput, AuthMode, RedactedAuthConfig };

export type ConnectorStatus = 'draft' | 'active' | 'inactive';

/** A connector as the API shows it: every secret replaced by `{ isSet }`. */
export interface Connector {
  id: string;
  workspaceId: string;
  slug: string;
  name: string;
  mode: AuthMode;
  status: ConnectorStatus;
  version: number;
  templateId: string | null;
  config: RedactedAuthConfig;
  statusNote?: string;
  createdAt: string;
  updatedAt: string;
  activatedAt: string | null;
  deactivatedAt: string | null;
}

/** From scratch: `slug`, `name` and `config`. */
export interface CreateConnectorFromConfig {
  slug: string;
  name: string;
  config: AuthConfigInput;
}

/** From a provider template: only the client's credentials and scopes. */
export interface CreateConnectorFromTemplate {
  templateId: string;
  clientId: string;
  clientSecret?: string;
  scopes?: string[];
  slug?: string;
  name?: string;
}

export type CreateConnectorRequest = CreateConnectorFromConfig | CreateConnectorFromTemplate;

/** `config` replaces the whole configuration; secrets left out keep their stored values. */
export interface UpdateConnectorRequest {
  slug?: string;
  name?: string;
  config?: AuthConfigInput;
}

export interface ListConnectorsQuery {
  mode?: AuthMode;
  status?: ConnectorStatus;
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ConnectorTemplate {
  id: string;
  name: string;
  mode: 'OAUTH2';
  config: Record<string, unknown>;
  defaultScopes: string[];
  docsUrl: string;
}

export interface CreateConnectSessionRequest {
  connectorId: string;
  /** Required for a new connection. */
  endUserId?: string;
  /** Re-authorize this existing connection instead of creating one. */
  connectionId?: string;
  /** Values of the connector's required attributes, e.g. `{ host: 'acme.my.salesforce.com' }`. */
  attributes?: Record<string, string>;
  tenant?: string;
  /** Where the callback sends the browser instead of posting to its opener. */
  returnUrl?: string;
}

export interface ConnectSession {
  sessionId: string;
  /** For the connect dialog only: it authenticates `GET /v1/connect/session` and the credential form. */
  sessionToken: string;
  expiresAt: string;
  connectionId: string;
  mode: AuthMode;
  /** OAuth (authorization code) connectors: where the end user signs in and consents. */
  authorizationUrl?: string;
}

export type ConnectSessionStatus = 'pending' | 'completed' | 'failed' | 'expired';

export interface ConnectSessionView {
  sessionId: string;
  status: ConnectSessionStatus;
  workspaceId: string;
  connectorId: string;
  connectorVersion: number;
  mode: AuthMode;
  connectionId: string;
  endUserId: string;
  reconnect: boolean;
  expiresAt: string;
  createdAt: string;
  completedAt: string | null;
  error: { code: string; reason: string } | null;
}

export type ConnectionStatus = 'active' | 'needs_reconnect';

/** A connection without any secret. */
export interface Connection {
  connectionId: string;
  workspaceId: string;
  connectorId: string;
  connectorVersion: number;
  /** `health.state` is `failing` while the connector's token endpoint refuses the connector itself (invalid_client, an HTML page, a 404). */
  connector: {
    slug: string;
    name: string;
    active: boolean;
    health: { state: 'ok' | 'failing'; lastErrorCode: string | null; failingSince: string | null };
  } | null;
  mode: AuthMode;
  endUserId: string;
  status: ConnectionStatus;
  scopes: string[];
  expiresAt: string | null;
  refreshable: boolean;
  credentialVersion: number;
  lastRefreshedAt: string | null;
  /** `failing` while the provider answers refreshes with transient errors; the token works until it expires. */
  refresh: { state: 'ok' | 'failing'; lastErrorCode: string | null; failedAttempts: number; nextAttemptAt: string | null };
  createdAt: string;
  updatedAt: string;
}

export interface ListConnectionsQuery {
  connectorId?: string;
  endUserId?: string;
  status?: ConnectionStatus;
  limit?: number;
  offset?: number;
}

export interface ConnectionPage {
  items: Connection[];
  total: number;
  limit: number;
  offset: number;
  nextOffset: number | null;
}

/** The secret material, one shape per kind. The refresh token only when asked for. */
export type CredentialMaterial =
  | { type: 'oauth2'; accessToken: string; tokenType: string; expiresAt: string | null; scopes: string[]; metadata: Record<string, unknown>; refreshToken?: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'api_key'; apiKey: string; placement: 'header' | 'query'; headerName?: string; prefix?: string; queryParam?: string }
  | { type: 'bearer'; token: string }
  | { type: 'custom'; fields: Record<string, string | number>; expiresAt: string | null };

export interface Credential {
  connectionId: string;
  connectorId: string;
  mode: AuthMode;
  credentialVersion: number;
  credential: CredentialMaterial;
}

/** What removing a connection did at the provider (RFC 7009 revocation). */
export interface DisconnectResult {
  connectionId: string;
  revocation: 'revoked' | 'not_supported' | 'failed' | 'nothing_to_revoke';
  revocationError: string | null;
  deletedAt: string;
}
