import { ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { AUTH_MODES } from '@cb/auth-modes';

/**
 * OpenAPI shapes of the connector endpoints. The gateway forwards connector bodies to
 * connector-config, which owns the rules and answers every offending field in one 400 (the envelope
 * and the auth configuration together), so these classes document and do not validate.
 */
const CONFIG_DESCRIPTION =
  'The auth configuration, discriminated by `mode` (OAUTH2, BASIC, API_KEY, BEARER, CUSTOM). Secrets (OAuth `clientSecret`, the `default` of a `password` field) are write-only: ' +
  'responses show `{ "isSet": true }` in their place, and an update that omits one keeps the stored value. URLs must be https (http on loopback only in development).';

@ApiSchema({ name: 'CreateConnectorRequest' })
export class CreateConnectorRequestDoc {
  @ApiPropertyOptional({ description: 'Unique per workspace; lower case letters, digits and dashes. Defaults to the template id.', example: 'acme-crm' }) slug?: string;
  @ApiPropertyOptional({ description: 'Defaults to the template name.', example: 'Acme CRM' }) name?: string;
  @ApiPropertyOptional({ allOf: [{ $ref: getSchemaPath('AuthConfigInput') }], description: `From scratch: ${CONFIG_DESCRIPTION}`, example: { mode: 'BEARER', label: 'Personal access token' } })
  config?: Record<string, unknown>;
  @ApiPropertyOptional({ description: "From a template (see GET /v1/connector-templates; the workspace's override applies): with clientId, clientSecret and scopes for an OAuth2 template, nothing more for the other modes.", example: 'google' }) templateId?: string;
  @ApiPropertyOptional({ description: 'With an OAuth2 templateId (required there).' }) clientId?: string;
  @ApiPropertyOptional({ description: 'With templateId. Write-only.' }) clientSecret?: string;
  @ApiPropertyOptional({ type: [String], description: "With templateId; the template's default scopes when omitted." }) scopes?: string[];
}

@ApiSchema({ name: 'UpdateConnectorRequest' })
export class UpdateConnectorRequestDoc {
  @ApiPropertyOptional() slug?: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({
    allOf: [{ $ref: getSchemaPath('AuthConfigInput') }],
    description: `Replaces the whole configuration (secrets omitted keep their stored values). The mode can change only while the connector is a draft. ${CONFIG_DESCRIPTION}`,
  })
  config?: Record<string, unknown>;
}

@ApiSchema({ name: 'Connector' })
export class ConnectorResponseDoc {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) workspaceId: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: AUTH_MODES }) mode: string;
  @ApiProperty({ enum: ['draft', 'active', 'inactive'] }) status: string;
  @ApiProperty({ description: 'Bumped by every change to a connector that has been activated.' }) version: number;
  @ApiProperty({ type: String, nullable: true }) templateId: string | null;
  @ApiProperty({ allOf: [{ $ref: getSchemaPath('AuthConfig') }], description: 'The configuration with every secret replaced by `{ isSet }`.' }) config: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'What the status means for connections, e.g. that existing connections of an inactive connector keep working.' }) statusNote?: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) activatedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deactivatedAt: string | null;
}

@ApiSchema({ name: 'ActivatedConnector' })
export class ActivatedConnectorResponseDoc extends ConnectorResponseDoc {
  @ApiProperty({ description: 'Connect sessions can be opened for this version now. False only when the connect path did not see it within 10 s; opening a session then answers 503 `connector_not_ready` until it does.' })
  connectable: boolean;
}

@ApiSchema({ name: 'ConnectorPage' })
export class ConnectorListResponseDoc {
  @ApiProperty({ type: [ConnectorResponseDoc] }) items: ConnectorResponseDoc[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' }) nextCursor: string | null;
}

@ApiSchema({ name: 'ConnectorChangedPath' })
export class ConnectorChangedPathDoc {
  @ApiProperty({ example: 'config.tokenUrl' }) path: string;
  @ApiPropertyOptional({ description: 'The value before (absent for a path that did not exist, and for secrets).' }) before?: unknown;
  @ApiPropertyOptional({ description: 'The value after (absent for a removed path, and for secrets).' }) after?: unknown;
  @ApiPropertyOptional({ enum: [true], description: 'A secret changed; its values are never shown.' }) secret?: true;
}

@ApiSchema({ name: 'ConnectorChange' })
export class ConnectorChangeDoc {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) connectorId: string;
  @ApiProperty({ description: 'The connector version after the change.' }) version: number;
  @ApiProperty({ enum: ['created', 'updated', 'activated', 'deactivated', 'deleted'] }) action: string;
  @ApiProperty({ example: 'api_key:3f1c2d4e-0000-4000-8000-000000000000', description: 'Who asked: the API key, by id.' }) actor: string;
  @ApiProperty({ format: 'date-time' }) changedAt: string;
  @ApiProperty({ type: [ConnectorChangedPathDoc] }) changes: ConnectorChangedPathDoc[];
}

@ApiSchema({ name: 'ConnectorChangeList' })
export class ConnectorChangeListDoc {
  @ApiProperty({ type: [ConnectorChangeDoc] }) items: ConnectorChangeDoc[];
}

@ApiSchema({ name: 'DiscoverConnectorRequest' })
export class DiscoverConnectorRequestDoc {
  @ApiProperty({ description: 'An issuer URL, any URL of the provider, or an MCP server URL.', example: 'https://login.example.com' }) url: string;
}

@ApiSchema({ name: 'DiscoveredResource' })
class DiscoveredResourceDoc {
  @ApiProperty({ description: 'The protected resource (RFC 9728): tokens are asked for it with `resource` (RFC 8707).' }) url: string;
  @ApiProperty() metadataUrl: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ type: [String] }) scopesSupported: string[];
}

@ApiSchema({ name: 'DiscoveredSupport' })
class DiscoveredSupportDoc {
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ type: [String], nullable: true, description: 'null: the server does not say.' }) codeChallengeMethods: string[] | null;
  @ApiProperty({ type: [String] }) tokenEndpointAuthMethods: string[];
  @ApiProperty({ type: [String], nullable: true, description: 'null: the server does not say.' }) grantTypes: string[] | null;
  @ApiProperty({ description: 'The callback carries `iss` (RFC 9207); the draft then checks it.' }) issParameter: boolean;
}

@ApiSchema({ name: 'DiscoveredRegistration' })
class DiscoveredRegistrationDoc {
  @ApiProperty({ enum: ['manual'], description: 'How the connector gets its OAuth client: by the admin, who registers it at the provider.' }) method: string;
  @ApiProperty({ description: 'The server has a registration_endpoint (RFC 7591).' }) dynamicRegistrationAvailable: boolean;
  @ApiProperty({ type: String, nullable: true }) registrationEndpoint: string | null;
  @ApiProperty() clientIdMetadataDocumentSupported: boolean;
  @ApiProperty() reason: string;
}

@ApiSchema({ name: 'DiscoveryWarning' })
class DiscoveryWarningDoc {
  @ApiProperty({ example: 'pkce_not_advertised' }) code: string;
  @ApiProperty() message: string;
}

@ApiSchema({ name: 'DiscoveredConnector' })
export class DiscoveredConnectorDoc {
  @ApiProperty({ enum: ['authorization_server', 'protected_resource'], description: '`protected_resource`: the URL is an MCP server (or another RFC 9728 resource).' }) kind: string;
  @ApiProperty({ description: 'The issuer the metadata names, checked against the URL it was read from.' }) issuer: string;
  @ApiProperty() metadataUrl: string;
  @ApiProperty({ type: DiscoveredResourceDoc, nullable: true }) resource: DiscoveredResourceDoc | null;
  @ApiProperty({ type: DiscoveredSupportDoc }) supported: DiscoveredSupportDoc;
  @ApiProperty({ type: DiscoveredRegistrationDoc }) registration: DiscoveredRegistrationDoc;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'An OAuth 2.0 `config` for `POST /v1/connectors`: add `clientId` (and `clientSecret`). Nothing is stored until then.',
  })
  draft: Record<string, unknown>;
  @ApiProperty({ type: [DiscoveryWarningDoc] }) warnings: DiscoveryWarningDoc[];
}

@ApiSchema({ name: 'RediscoverConnectorRequest' })
export class RediscoverConnectorRequestDoc {
  @ApiPropertyOptional({ description: "Defaults to the connector's resource, else its issuer, else its authorization URL's origin." }) url?: string;
}

@ApiSchema({ name: 'DiscoveredChange' })
class DiscoveredChangeDoc {
  @ApiProperty({ example: 'config.tokenUrl' }) path: string;
  @ApiProperty({ type: String, nullable: true }) current: string | null;
  @ApiProperty({ type: String, nullable: true }) discovered: string | null;
}

@ApiSchema({ name: 'RediscoveredConnector' })
export class RediscoveredConnectorDoc extends DiscoveredConnectorDoc {
  @ApiProperty({ type: [DiscoveredChangeDoc], description: 'Empty when the connector matches what its server publishes.' }) changes: DiscoveredChangeDoc[];
}

@ApiSchema({ name: 'CreateConnectorFromUrlRequest' })
export class CreateFromUrlRequestDoc {
  @ApiProperty({ description: 'An issuer URL, any URL of the provider, or an MCP server URL; discovered again by the broker.' }) url: string;
  @ApiProperty({ example: 'acme-mcp' }) slug: string;
  @ApiProperty({ example: 'Acme MCP' }) name: string;
  @ApiPropertyOptional({ description: 'A client registered at the provider by hand. Without it the broker registers one (RFC 7591) where the server offers a registration endpoint.' }) clientId?: string;
  @ApiPropertyOptional({ description: 'With clientId. Write-only.' }) clientSecret?: string;
  @ApiPropertyOptional({ type: [String], description: 'Replaces the discovered scopes.' }) scopes?: string[];
}

@ApiSchema({ name: 'ConnectorRegistration' })
class ConnectorRegistrationDoc {
  @ApiProperty({ enum: ['pre_registered', 'client_id_metadata_document', 'dynamic'] }) method: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a registered client secret expires; null when it does not.' }) clientSecretExpiresAt: string | null;
}

@ApiSchema({ name: 'ConnectorFromUrl' })
export class CreatedFromUrlDoc extends ConnectorResponseDoc {
  @ApiProperty({ type: ConnectorRegistrationDoc }) registration: ConnectorRegistrationDoc;
}
