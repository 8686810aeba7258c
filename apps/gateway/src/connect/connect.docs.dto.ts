import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { AUTH_MODES } from '@cb/auth-modes';

/**
 * OpenAPI shapes of the connect routes. oauth-authorization validates and builds them; the gateway
 * passes them through, so these classes document and do not validate.
 */
const SESSION_STATUSES = ['pending', 'completed', 'failed', 'expired'];

@ApiSchema({ name: 'ConnectSessionEndUser' })
export class ConnectSessionEndUserDoc {
  @ApiProperty({ minLength: 1, maxLength: 256, description: "The end user's id in your product (the same as `endUserId` when both are given)." }) id: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 256, description: 'A name to show for the end user.' }) displayName?: string;
  @ApiPropertyOptional({ format: 'email', maxLength: 254, description: 'Personal data: kept with the connection and returned to the workspace, never logged.' }) email?: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 256, description: "The end user's organization in your product (filter connections by it)." }) organizationId?: string;
}

@ApiSchema({ name: 'OpenConnectSessionRequest' })
export class OpenConnectSessionRequestDoc {
  @ApiProperty({ format: 'uuid', description: 'An active connector of the workspace.' }) connectorId: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 256, description: "The end user's id in your product. Required for a new connection; for a re-authorization it must match the connection's." })
  endUserId?: string;
  @ApiPropertyOptional({
    type: ConnectSessionEndUserDoc,
    description: 'The end user with a name, e-mail and organization, carried to the connection. `endUser.id` may stand in for `endUserId`. On a re-authorization the details given replace the stored ones.',
  })
  endUser?: ConnectSessionEndUserDoc;
  @ApiPropertyOptional({ format: 'uuid', description: 'Re-authorize this existing connection (same id) instead of creating one.' }) connectionId?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: "Values of the connector's required attributes (e.g. `{ \"host\": \"acme.my.salesforce.com\" }`), checked against their patterns.",
  })
  attributes?: Record<string, string>;
  @ApiPropertyOptional({ minLength: 1, maxLength: 128, description: 'The tenant placed into `{tenant}` of the connector\'s URLs (e.g. a Microsoft Entra tenant id).' }) tenant?: string;
  @ApiPropertyOptional({ maxLength: 2048, description: 'Where the callback sends the browser (303) instead of posting the outcome to its opener; must be an allowed origin.' })
  returnUrl?: string;
  @ApiPropertyOptional({
    type: [String],
    maxItems: 200,
    description:
      "OAuth2 authorization code connectors: scopes to ask for beyond the connector's `scopes`, each one of its `optionalScopes` (anything else is a 400 naming the scopes not allowed). With `connectionId`, the connection is re-authorized with them (incremental consent) and keeps its id; its `scopes` and the TokenIssued event then list what the provider granted.",
  })
  scopes?: string[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "The product's metadata for the connection (a JSON object, at most 16 KiB as JSON and 5 levels deep), as `PATCH /v1/connections/{id}` takes it. The connection the session creates carries it; a re-authorization merges it into the stored metadata.",
  })
  metadata?: Record<string, unknown>;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', minLength: 1, maxLength: 256 },
    maxProperties: 20,
    description: 'Tags for the connection (`key: value`; keys of 1 to 64 letters, digits, `_`, `.`, `-`), as `PATCH /v1/connections/{id}` takes them. A bad tag answers 400 naming `tags.<key>`.',
  })
  tags?: Record<string, string>;
}

@ApiSchema({ name: 'OpenedConnectSession' })
export class OpenedConnectSessionDoc {
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty({ description: 'For the connect dialog only (`#session=…`): it authenticates the dialog\'s routes. Not an API key; expires with the session.' }) sessionToken: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ format: 'uuid', description: 'The connection the session creates (or re-authorizes).' }) connectionId: string;
  @ApiProperty({ enum: AUTH_MODES }) mode: string;
  @ApiPropertyOptional({
    format: 'uri',
    description: 'OAuth2 (authorization code): where the end user signs in and consents. Each address carries a single-use state. Absent while `missingAttributes` is not empty.',
  })
  authorizationUrl?: string;
  @ApiPropertyOptional({
    type: [String],
    description: "OAuth2 (authorization code): the connector's required attributes the request did not pass. The connect dialog asks the end user for them, then offers the sign-in.",
  })
  missingAttributes?: string[];
}

@ApiSchema({ name: 'ConnectSessionError' })
export class ConnectSessionErrorDoc {
  @ApiProperty({ example: 'access_denied', description: 'The provider\'s error code, or the broker\'s (e.g. `session_expired`, `invalid_grant`, `response_too_large`; for a connector with a verification request `credential_rejected`, `verification_unexpected_status`, `verification_timeout`, `verification_unreachable`, `verification_unavailable`).' }) code: string;
  @ApiProperty({ example: 'The provider rejected the credential (401).', description: "A reason the end user can read; a verification request's names the provider's status, never its body." }) reason: string;
}

@ApiSchema({ name: 'ConnectSession' })
export class ConnectSessionDoc {
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty({ enum: SESSION_STATUSES }) status: string;
  @ApiProperty({ format: 'uuid' }) workspaceId: string;
  @ApiProperty({ format: 'uuid' }) connectorId: string;
  @ApiProperty({ description: 'The connector version the session was opened with.' }) connectorVersion: number;
  @ApiProperty({ enum: AUTH_MODES }) mode: string;
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiProperty() endUserId: string;
  @ApiProperty({ description: 'The session re-authorizes an existing connection.' }) reconnect: boolean;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completedAt: string | null;
  @ApiProperty({ type: ConnectSessionErrorDoc, nullable: true, description: 'Set when `failed` or `expired`.' }) error: ConnectSessionErrorDoc | null;
}

@ApiSchema({ name: 'ConnectFormField' })
export class ConnectFormFieldDoc {
  @ApiProperty() key: string;
  @ApiProperty() label: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ enum: ['password', 'text', 'number'] }) type: string;
  @ApiProperty() required: boolean;
  @ApiProperty() hidden: boolean;
  @ApiProperty() disabled: boolean;
  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'number' }], description: 'Never given for `password` fields.' }) default?: string | number;
}

@ApiSchema({ name: 'ConnectForm' })
export class ConnectFormDoc {
  @ApiPropertyOptional({ description: 'BASIC.' }) usernameLabel?: string;
  @ApiPropertyOptional({ description: 'BASIC.' }) passwordLabel?: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'API_KEY and BEARER.' }) label?: string | null;
  @ApiPropertyOptional({ type: [ConnectFormFieldDoc], description: 'CUSTOM.' }) fields?: ConnectFormFieldDoc[];
}

@ApiSchema({ name: 'ConnectDialogAttribute' })
export class ConnectDialogAttributeDoc {
  @ApiProperty() key: string;
  @ApiProperty() label: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'A regular expression the whole value must match (checked again by the broker).' }) pattern: string | null;
}

@ApiSchema({ name: 'ConnectDialogConnector' })
export class ConnectDialogConnectorDoc {
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
  @ApiProperty({ enum: AUTH_MODES }) mode: string;
  @ApiProperty({ type: ConnectFormDoc, nullable: true, description: 'What to ask the end user; null for OAuth2.' }) form: ConnectFormDoc | null;
  @ApiProperty({ type: [ConnectDialogAttributeDoc], description: "OAuth2: the connector's required attributes; empty otherwise." }) requiredAttributes: ConnectDialogAttributeDoc[];
}

@ApiSchema({ name: 'ConnectDialogSession' })
export class ConnectDialogSessionDoc extends ConnectSessionDoc {
  @ApiProperty({ type: ConnectDialogConnectorDoc, nullable: true }) connector: ConnectDialogConnectorDoc | null;
  @ApiProperty({ type: [String], description: 'Keys of the required attributes to ask the end user for before the sign-in (`POST /v1/connect/attributes`).' }) missingAttributes: string[];
}

@ApiSchema({ name: 'SubmitAttributesRequest' })
export class SubmitAttributesRequestDoc {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'A value for each missing attribute, by key (e.g. `{ "loginHost": "acme.my.salesforce.com" }`).' })
  attributes: Record<string, string>;
}

@ApiSchema({ name: 'SubmittedAttributes' })
export class SubmittedAttributesDoc {
  @ApiPropertyOptional({ format: 'uri', description: "OAuth sessions: where the end user signs in now that the connector's URLs can be filled in. Absent for typed credential sessions." })
  authorizationUrl?: string;
}

@ApiSchema({ name: 'AuthorizationUrl' })
export class AuthorizationUrlDoc {
  @ApiProperty({ format: 'uri', description: 'A fresh sign-in address at the provider for this session; each one carries a single-use state.' }) authorizationUrl: string;
}

@ApiSchema({ name: 'SubmitCredentialsRequest' })
export class SubmitCredentialsRequestDoc {
  @ApiPropertyOptional({ enum: ['BASIC', 'API_KEY', 'BEARER', 'CUSTOM'], description: "When given, must be the connector's mode." }) mode?: string;
  @ApiPropertyOptional({ description: 'BASIC; no colon (RFC 7617).' }) username?: string;
  @ApiPropertyOptional({ format: 'password', description: 'BASIC; kept exactly as typed.' }) password?: string;
  @ApiPropertyOptional({ format: 'password', description: 'API_KEY; surrounding white space is dropped.' }) apiKey?: string;
  @ApiPropertyOptional({ format: 'password', description: 'BEARER; surrounding white space is dropped.' }) token?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] },
    description: 'CUSTOM: a value per field key; unknown keys are refused, defaults fill missing values.',
  })
  values?: Record<string, string | number>;
}

@ApiSchema({ name: 'CredentialsAccepted' })
export class CredentialsAcceptedDoc {
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty({ enum: ['pending'], description: 'The session completes once token-issuance has stored the credential; poll the session.' }) status: string;
}
