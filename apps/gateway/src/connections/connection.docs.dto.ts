import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AUTH_MODES } from '@cb/auth-modes';

/**
 * OpenAPI shapes of the connection views. token-issuance builds them (without any secret); the
 * gateway passes them through, so these classes document and do not validate.
 */
export class ConnectionRefreshDoc {
  @ApiProperty({
    enum: ['ok', 'failing'],
    description:
      '`failing` while the provider answers refreshes of the current credential with transient errors (5xx, 429, timeouts): the token still works until `expiresAt`, ' +
      'and the broker retries on a backoff bounded by the remaining lifetime (at least two retries before expiry when the lifetime allows). ' +
      'Back to `ok` after a successful refresh or a reconnect. A refused refresh (`invalid_grant`) shows as status `needs_reconnect` instead.',
  })
  state: string;
  @ApiPropertyOptional({ nullable: true, description: "The provider's error code of the last failed refresh while failing (e.g. `server_error`, `http_500`, `timeout`); null when ok." })
  lastErrorCode: string | null;
  @ApiProperty({ description: 'Failed refresh attempts of the current credential while failing; 0 when ok.' }) failedAttempts: number;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, description: 'When the broker tries the next refresh while failing; null when ok or not known yet.' })
  nextAttemptAt: string | null;
}

export class ConnectorHealthDoc {
  @ApiProperty({
    enum: ['ok', 'failing'],
    description:
      "`failing` while the connector's token endpoint refuses requests for reasons of the connector's own (`invalid_client`, an HTML error page, a 404 token URL): " +
      'its connections stay `active`, keep their tokens until they expire, and are retried on the refresh schedule. Back to `ok` after the next success. ' +
      'Only a dead grant (`invalid_grant`) or a missing refresh token moves a connection to `needs_reconnect`.',
  })
  state: string;
  @ApiPropertyOptional({ nullable: true, description: 'The last error code while failing (e.g. `invalid_client`, `invalid_token_response`, `response_too_large`); null when ok.' })
  lastErrorCode: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, description: 'Since when the connector has been failing; null when ok.' })
  failingSince: string | null;
}

export class ConnectionConnectorDoc {
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty() active: boolean;
  @ApiProperty({ type: ConnectorHealthDoc }) health: ConnectorHealthDoc;
}

export class ConnectionResponseDoc {
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiProperty({ format: 'uuid' }) workspaceId: string;
  @ApiProperty({ format: 'uuid' }) connectorId: string;
  @ApiProperty() connectorVersion: number;
  @ApiPropertyOptional({ type: ConnectionConnectorDoc, nullable: true }) connector: ConnectionConnectorDoc | null;
  @ApiProperty({ enum: AUTH_MODES }) mode: string;
  @ApiProperty() endUserId: string;
  @ApiProperty({ enum: ['active', 'needs_reconnect'] }) status: string;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiPropertyOptional({ format: 'date-time', nullable: true, description: 'When the current token expires; null when it does not say.' }) expiresAt: string | null;
  @ApiProperty() refreshable: boolean;
  @ApiProperty({ description: 'Bumped by every new credential (connect, reconnect, refresh).' }) credentialVersion: number;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) lastRefreshedAt: string | null;
  @ApiProperty({ type: ConnectionRefreshDoc }) refresh: ConnectionRefreshDoc;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ConnectionListResponseDoc {
  @ApiProperty({ type: [ConnectionResponseDoc] }) items: ConnectionResponseDoc[];
  @ApiProperty() total: number;
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
  @ApiPropertyOptional({ nullable: true, description: 'Pass as `offset` for the next page; null on the last page.' }) nextOffset: number | null;
}
