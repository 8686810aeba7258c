import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { AUTH_MODES } from '@cb/auth-modes';

/**
 * OpenAPI shapes of the connection views. token-issuance builds them (without any secret); the
 * gateway passes them through, so these classes document and do not validate.
 */
@ApiSchema({ name: 'ConnectionRefresh' })
export class ConnectionRefreshDoc {
  @ApiProperty({
    enum: ['ok', 'failing'],
    description:
      '`failing` while the provider answers refreshes of the current credential with transient errors (5xx, 429, timeouts): the token still works until `expiresAt`, ' +
      'and the broker retries on a backoff bounded by the remaining lifetime (at least two retries before expiry when the lifetime allows). ' +
      'Back to `ok` after a successful refresh or a reconnect. A refused refresh (`invalid_grant`) shows as status `needs_reconnect` instead.',
  })
  state: string;
  @ApiProperty({ type: String, nullable: true, description: "The provider's error code of the last failed refresh while failing (e.g. `server_error`, `http_500`, `timeout`); null when ok." })
  lastErrorCode: string | null;
  @ApiProperty({ description: 'Failed refresh attempts of the current credential while failing; 0 when ok.' }) failedAttempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the broker tries the next refresh while failing; null when ok or not known yet.' })
  nextAttemptAt: string | null;
}

@ApiSchema({ name: 'ConnectorHealth' })
export class ConnectorHealthDoc {
  @ApiProperty({
    enum: ['ok', 'failing'],
    description:
      "`failing` while the connector's token endpoint refuses requests for reasons of the connector's own (`invalid_client`, an HTML error page, a 404 token URL): " +
      'its connections stay `active`, keep their tokens until they expire, and are retried on the refresh schedule. Back to `ok` after the next success. ' +
      'Only a dead grant (`invalid_grant`) or a missing refresh token moves a connection to `needs_reconnect`.',
  })
  state: string;
  @ApiProperty({ type: String, nullable: true, description: 'The last error code while failing (e.g. `invalid_client`, `invalid_token_response`, `response_too_large`); null when ok.' })
  lastErrorCode: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Since when the connector has been failing; null when ok.' })
  failingSince: string | null;
}

@ApiSchema({ name: 'ConnectionConnector' })
export class ConnectionConnectorDoc {
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty() active: boolean;
  @ApiProperty({ type: ConnectorHealthDoc }) health: ConnectorHealthDoc;
}

@ApiSchema({ name: 'Connection' })
export class ConnectionResponseDoc {
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiProperty({ format: 'uuid' }) workspaceId: string;
  @ApiProperty({ format: 'uuid' }) connectorId: string;
  @ApiProperty() connectorVersion: number;
  @ApiProperty({ type: ConnectionConnectorDoc, nullable: true }) connector: ConnectionConnectorDoc | null;
  @ApiProperty({ enum: AUTH_MODES }) mode: string;
  @ApiProperty() endUserId: string;
  @ApiProperty({ enum: ['active', 'needs_reconnect'] }) status: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the current token expires; null when it does not say.' }) expiresAt: string | null;
  @ApiProperty() refreshable: boolean;
  @ApiProperty({ description: 'Bumped by every new credential (connect, reconnect, refresh).' }) credentialVersion: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastRefreshedAt: string | null;
  @ApiProperty({ type: ConnectionRefreshDoc }) refresh: ConnectionRefreshDoc;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiPropertyOptional({ description: "Calls proxied with the connection's credential (`/v1/proxy/…`); in `GET /v1/connections/{id}` only, not in the list." })
  proxyCalls?: number;
}

@ApiSchema({ name: 'ConnectionPage' })
export class ConnectionListResponseDoc {
  @ApiProperty({ type: [ConnectionResponseDoc] }) items: ConnectionResponseDoc[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Pass as `offset` for the next page; null on the last page.' }) nextOffset: number | null;
}

@ApiSchema({ name: 'ReportUnauthorizedRequest' })
export class ReportUnauthorizedRequestDoc {
  @ApiPropertyOptional({ minimum: 1, description: 'The `credentialVersion` the caller used; a report about an older version only says `superseded` (read again).' }) credentialVersion?: number;
}

@ApiSchema({ name: 'ReportUnauthorizedResult' })
export class ReportUnauthorizedResponseDoc {
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiProperty({ enum: ['refreshed', 'superseded', 'needs_reconnect'], description: '`refreshed` and `superseded`: read the credential again; `needs_reconnect`: the end user must connect again.' })
  outcome: string;
  @ApiProperty() credentialVersion: number;
  @ApiProperty({ enum: ['active', 'needs_reconnect'] }) status: string;
}

@ApiSchema({ name: 'DisconnectResult' })
export class DisconnectResultDoc {
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiProperty({ enum: ['revoked', 'not_supported', 'failed', 'nothing_to_revoke'], description: 'What revoking the grant at the provider (RFC 7009) did; the stored secrets are destroyed in every case.' })
  revocation: string;
  @ApiProperty({ type: String, nullable: true, description: "The provider's error when `failed`." }) revocationError: string | null;
  @ApiProperty({ format: 'date-time' }) deletedAt: string;
}

@ApiSchema({ name: 'ReadCredentialRequest' })
export class ReadCredentialRequestDoc {
  @ApiPropertyOptional({ default: false, description: 'The refresh token is withheld unless asked for.' }) includeRefreshToken?: boolean;
}
