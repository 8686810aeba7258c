import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { AUTH_MODES } from '@cb/auth-modes';

/** OpenAPI shapes of the one answer that carries a secret, built by token-issuance (one per kind). */
@ApiSchema({ name: 'OAuth2Credential' })
export class OAuth2CredentialDoc {
  @ApiProperty({ enum: ['oauth2'] }) type: 'oauth2';
  @ApiProperty() accessToken: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null when the provider did not say.' }) expiresAt: string | null;
  @ApiProperty({ type: [String] }) scopes: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: "Non-secret members of the token response the connector keeps (e.g. Salesforce's `instance_url`)." })
  metadata: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'Only with `includeRefreshToken: true`.' }) refreshToken?: string;
}

@ApiSchema({ name: 'BasicCredential' })
export class BasicCredentialDoc {
  @ApiProperty({ enum: ['basic'] }) type: 'basic';
  @ApiProperty() username: string;
  @ApiProperty() password: string;
}

@ApiSchema({ name: 'ApiKeyCredential' })
export class ApiKeyCredentialDoc {
  @ApiProperty({ enum: ['api_key'] }) type: 'api_key';
  @ApiProperty() apiKey: string;
  @ApiProperty({ enum: ['header', 'query'] }) placement: 'header' | 'query';
  @ApiPropertyOptional({ description: 'With `header`.', example: 'X-API-Key' }) headerName?: string;
  @ApiPropertyOptional({ description: 'With `header`: written before the key, e.g. `Token`.' }) prefix?: string;
  @ApiPropertyOptional({ description: 'With `query`.' }) queryParam?: string;
}

@ApiSchema({ name: 'BearerCredential' })
export class BearerCredentialDoc {
  @ApiProperty({ enum: ['bearer'] }) type: 'bearer';
  @ApiProperty() token: string;
}

@ApiSchema({ name: 'CustomCredential' })
export class CustomCredentialDoc {
  @ApiProperty({ enum: ['custom'] }) type: 'custom';
  @ApiProperty({ type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] } }) fields: Record<string, string | number>;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
}

const MATERIALS = { oauth2: OAuth2CredentialDoc, basic: BasicCredentialDoc, api_key: ApiKeyCredentialDoc, bearer: BearerCredentialDoc, custom: CustomCredentialDoc };

@ApiSchema({ name: 'Credential' })
@ApiExtraModels(...Object.values(MATERIALS))
export class CredentialDoc {
  @ApiProperty({ format: 'uuid' }) connectionId: string;
  @ApiProperty({ format: 'uuid' }) connectorId: string;
  @ApiProperty({ enum: AUTH_MODES }) mode: string;
  @ApiProperty({ description: 'Bumped by every new credential; pass it to report-unauthorized.' }) credentialVersion: number;
  @ApiProperty({
    oneOf: Object.values(MATERIALS).map((model) => ({ $ref: getSchemaPath(model) })),
    discriminator: { propertyName: 'type', mapping: Object.fromEntries(Object.entries(MATERIALS).map(([type, model]) => [type, getSchemaPath(model)])) },
  })
  credential: OAuth2CredentialDoc | BasicCredentialDoc | ApiKeyCredentialDoc | BearerCredentialDoc | CustomCredentialDoc;
}
