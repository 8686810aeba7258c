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

@ApiSchema({ name: 'ConnectionEndUser' })
export class ConnectionEndUserDoc {
  @ApiProperty({ description: "The end user's id in your product (as `endUserId`)." }) id: string;
  @ApiProperty({ type: String, nullable: true }) displayName: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'email', description: 'Personal data: returned to the workspace, never logged by the broker.' }) email: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The end user's organization in your product; filter the list with `organizationId`." }) organizationId: string | null;
}

const METADATA_SCHEMA = { type: 'object', additionalProperties: true } as const;
const TAGS_SCHEMA = { type: 'object', additionalProperties: { type: 'string', minLength: 1, maxLength: 256 }, maxProperties: 20 } as const;

@ApiSchema({ name: 'Connection' })
export class ConnectionResponseDoc {
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiProperty({ format: 'uuid' }) workspaceId: string;
  @ApiProperty({ format: 'uuid' }) connectorId: string;
  @ApiProperty() connectorVersion: number;
  @ApiProperty({ type: ConnectionConnectorDoc, nullable: true }) connector: ConnectionConnectorDoc | null;
  @ApiProperty({ enum: AUTH_MODES }) mode: string;
  @ApiProperty() endUserId: string;
  @ApiProperty({ type: ConnectionEndUserDoc }) endUser: ConnectionEndUserDoc;
  @ApiProperty({ type: String, nullable: true, description: "The `{tenant}` of the connector's URLs for this connection (e.g. a Microsoft Entra tenant id); not secret." })
  tenant: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: "The connector's required attributes as given when connecting (e.g. a Salesforce `loginHost`), used for `{attr.<key>}` in its URLs and proxy base URL; not secret.",
  })
  attributes: Record<string, string>;
  @ApiProperty({ ...METADATA_SCHEMA, description: 'Your JSON, set with `PATCH /v1/connections/{id}`; never secret.' }) metadata: Record<string, unknown>;
  @ApiProperty({ ...TAGS_SCHEMA, description: 'Key/value tags, set with `PATCH /v1/connections/{id}`; filter the list with `tag=key:value`.' }) tags: Record<string, string>;
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
  @ApiProperty({ type: Number, nullable: true, description: 'Offset paging: pass as `offset` for the next page; null on the last page and when paging by cursor.' }) nextOffset: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' }) nextCursor: string | null;
}

@ApiSchema({ name: 'UpdateConnectionEndUser' })
export class UpdateConnectionEndUserDoc {
  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 256 }) displayName?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'email', maxLength: 254 }) email?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 256 }) organizationId?: string | null;
}

@ApiSchema({ name: 'UpdateConnectionRequest' })
export class UpdateConnectionRequestDoc {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description: 'Merged into the stored metadata (RFC 7396); `null` empties it.' })
  metadata?: Record<string, unknown> | null;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    nullable: true,
    description: 'Merged into the stored tags: a string sets a tag, `null` removes it; `"tags": null` removes them all.',
  })
  tags?: Record<string, string | null> | null;
  @ApiPropertyOptional({ type: UpdateConnectionEndUserDoc }) endUser?: UpdateConnectionEndUserDoc;
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

@ApiSchema({ name: 'ImportEndUser' })
export class ImportEndUserDoc {
  @ApiProperty({ minLength: 1, maxLength: 256 }) id: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 256 }) displayName?: string;
  @ApiPropertyOptional({ format: 'email', maxLength: 254 }) email?: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 256 }) organizationId?: string;
}

@ApiSchema({ name: 'ImportConnectionRequest' })
export class ImportConnectionRequestDoc {
  @ApiProperty({ format: 'uuid', description: 'An active connector of the workspace; the credential must fit its mode.' }) connectorId: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Keep the id the connection had elsewhere; a new one when absent. Never replaces an existing connection.' }) connectionId?: string;
  @ApiProperty({ type: ImportEndUserDoc }) endUser: ImportEndUserDoc;
  @ApiPropertyOptional({ minLength: 1, maxLength: 128 }) tenant?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: "The connector's required attributes." }) attributes?: Record<string, string>;
  @ApiPropertyOptional({ ...METADATA_SCHEMA }) metadata?: Record<string, unknown>;
  @ApiPropertyOptional({ ...TAGS_SCHEMA }) tags?: Record<string, string>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'OAuth2: `accessToken`, `refreshToken`, `expiresAt` (date-time) or `expiresIn` (seconds), `scopes`, `tokenType`. Basic: `username`, `password`. API key: `apiKey`. Bearer: `token`. Custom input: `values`. Write-only.',
  })
  credential: Record<string, unknown>;
}
