import { IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { defineEvent } from './event-definition';

const AUTH_MODES = ['OAUTH2', 'BASIC', 'API_KEY', 'BEARER', 'CUSTOM'] as const;

class ConnectionRef {
  @IsUUID() connectionId: string;
  @IsUUID() workspaceId: string;
  @IsUUID() connectorId: string;
  @IsString() endUserId: string;
}

/** A connection holds a new credential: first connect, reconnect, refresh, or an import from elsewhere. No secret inside. */
export class TokenIssuedPayload extends ConnectionRef {
  @IsInt() @Min(1) connectorVersion: number;
  @IsIn(AUTH_MODES) mode: (typeof AUTH_MODES)[number];
  @IsIn(['connect', 'reconnect', 'refresh', 'import']) reason: 'connect' | 'reconnect' | 'refresh' | 'import';
  @IsOptional() @IsUUID() sessionId?: string;
  @IsArray() @IsString({ each: true }) scopes: string[];
  /** ISO time (from `expires_in`, else introspection's `exp` or the connector's assumed lifetime), or null when none gave one. */
  @IsOptional() @IsISO8601() expiresAt: string | null;
  @IsBoolean() refreshable: boolean;
  @IsInt() @Min(0) refreshMarginSeconds: number;
  @IsInt() @Min(1) credentialVersion: number;
  @IsISO8601() issuedAt: string;
}

/** A connect attempt failed at the token leg; `errorCode` is the provider's code when it sent one. */
export class ConnectionFailedPayload extends ConnectionRef {
  @IsUUID() sessionId: string;
  @IsString() errorCode: string;
  @IsString() reason: string;
  @IsISO8601() failedAt: string;
}

/** A credential is due for refresh or has expired. */
export class TokenExpiredPayload extends ConnectionRef {
  @IsIn(['due', 'expired', 'unauthorized_reported']) reason: 'due' | 'expired' | 'unauthorized_reported';
  @IsOptional() @IsISO8601() expiresAt: string | null;
  @IsInt() @Min(1) credentialVersion: number;
  @IsISO8601() detectedAt: string;
  /**
   * When the schedule will announce this credential version again if no newer credential arrives
   * (the next retry); null when it will not. Absent from producers older than this field.
   */
  @IsOptional() @IsISO8601() nextAttemptAt?: string | null;
}

export class ConnectionStatusChangedPayload extends ConnectionRef {
  @IsIn(['active', 'needs_reconnect']) status: 'active' | 'needs_reconnect';
  @IsIn(['active', 'needs_reconnect']) previousStatus: 'active' | 'needs_reconnect';
  @IsOptional() @IsString() errorCode?: string;
  @IsString() reason: string;
  /** The credential version the change is about; lets consumers ignore a change a newer credential overtook. */
  @IsOptional() @IsInt() @Min(1) credentialVersion?: number;
  @IsISO8601() changedAt: string;
}

export class ConnectionDeletedPayload extends ConnectionRef {
  @IsIn(['revoked', 'not_supported', 'failed', 'nothing_to_revoke']) revocation: 'revoked' | 'not_supported' | 'failed' | 'nothing_to_revoke';
  @IsISO8601() deletedAt: string;
}

export const TokenIssued = defineEvent({
  name: 'TokenIssued',
  type: 'dev.credential-broker.token.issued.v1',
  version: 1,
  topic: 'credential-broker.token-issued.v1',
  payload: TokenIssuedPayload,
  key: (p) => p.connectionId,
  producer: 'token-issuance',
  consumers: ['oauth-authorization', 'token-refresh', 'token-issuance', 'connector-config'],
});

export const ConnectionFailed = defineEvent({
  name: 'ConnectionFailed',
  type: 'dev.credential-broker.connection.failed.v1',
  version: 1,
  topic: 'credential-broker.connection-failed.v1',
  payload: ConnectionFailedPayload,
  key: (p) => p.connectionId,
  producer: 'token-issuance',
  consumers: ['oauth-authorization', 'connector-config'],
});

export const TokenExpired = defineEvent({
  name: 'TokenExpired',
  type: 'dev.credential-broker.token.expired.v1',
  version: 1,
  topic: 'credential-broker.token-expired.v1',
  payload: TokenExpiredPayload,
  key: (p) => p.connectionId,
  producer: 'token-refresh',
  consumers: ['token-issuance'],
});

export const ConnectionStatusChanged = defineEvent({
  name: 'ConnectionStatusChanged',
  type: 'dev.credential-broker.connection.status-changed.v1',
  version: 1,
  topic: 'credential-broker.connection-status-changed.v1',
  payload: ConnectionStatusChangedPayload,
  key: (p) => p.connectionId,
  producer: 'token-issuance',
  consumers: ['token-refresh', 'connector-config'],
});

export const ConnectionDeleted = defineEvent({
  name: 'ConnectionDeleted',
  type: 'dev.credential-broker.connection.deleted.v1',
  version: 1,
  topic: 'credential-broker.connection-deleted.v1',
  payload: ConnectionDeletedPayload,
  key: (p) => p.connectionId,
  producer: 'token-issuance',
  consumers: ['token-refresh', 'connector-config'],
});
