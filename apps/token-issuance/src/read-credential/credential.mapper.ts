import type { AuthConfig } from '@cb/auth-modes';
import { ConnectionEntity } from '../credential-vault/connection.entity';
import { StoredCredential } from '../credential-vault/stored-credential';

export type CredentialMaterial =
  | { type: 'oauth2'; accessToken: string; tokenType: string; expiresAt: string | null; scopes: string[]; metadata: Record<string, unknown>; refreshToken?: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'api_key'; apiKey: string; placement: 'header' | 'query'; headerName?: string; prefix?: string; queryParam?: string }
  | { type: 'bearer'; token: string }
  | { type: 'custom'; fields: Record<string, string | number>; expiresAt: string | null };

export interface CredentialResponse {
  connectionId: string;
  connectorId: string;
  mode: ConnectionEntity['mode'];
  credentialVersion: number;
  credential: CredentialMaterial;
}

/** The one response that carries a secret: one shape for every mode; the refresh token only when asked. */
export function toCredentialResponse(connection: ConnectionEntity, credential: StoredCredential, config: AuthConfig | null, includeRefreshToken: boolean): CredentialResponse {
  return {
    connectionId: connection.id,
    connectorId: connection.connectorId,
    mode: connection.mode,
    credentialVersion: connection.credentialVersion,
    credential: material(connection, credential, config, includeRefreshToken),
  };
}

function material(connection: ConnectionEntity, credential: StoredCredential, config: AuthConfig | null, includeRefreshToken: boolean): CredentialMaterial {
  switch (credential.type) {
    case 'oauth2':
      return {
        type: 'oauth2',
        accessToken: credential.accessToken,
        tokenType: credential.tokenType,
        expiresAt: credential.expiresAt,
        scopes: credential.scopes,
        metadata: credential.metadata,
        ...(includeRefreshToken && credential.refreshToken ? { refreshToken: credential.refreshToken } : {}),
      };
    case 'basic':
      return { type: 'basic', username: credential.username, password: credential.password };
    case 'api_key':
      if (config?.mode === 'API_KEY' && config.placement === 'query') return { type: 'api_key', apiKey: credential.apiKey, placement: 'query', queryParam: config.queryParam };
      return {
        type: 'api_key',
        apiKey: credential.apiKey,
        placement: 'header',
        headerName: config?.mode === 'API_KEY' && config.placement === 'header' ? config.headerName : 'X-API-Key',
        ...(config?.mode === 'API_KEY' && config.placement === 'header' && config.prefix ? { prefix: config.prefix } : {}),
      };
    case 'bearer':
      return { type: 'bearer', token: credential.token };
    case 'custom':
      return { type: 'custom', fields: credential.fields, expiresAt: connection.expiresAt?.toISOString() ?? null };
  }
}
