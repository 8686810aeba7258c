import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { AUTH_MODES } from '@cb/auth-modes';

/** OpenAPI shapes of the template endpoints; connector-config validates. */
@ApiSchema({ name: 'TemplateVerification' })
export class TemplateVerificationDoc {
  @ApiProperty({ enum: ['GET', 'HEAD', 'POST'] }) method: string;
  @ApiProperty({ description: "Relative to the template's apiBaseUrl.", example: '/v1/balance' }) path: string;
  @ApiProperty({ example: 200 }) expectedStatus: number;
}

@ApiSchema({ name: 'ConnectorTemplateOverride' })
export class ConnectorTemplateOverrideDoc {
  @ApiPropertyOptional({ description: "Replaces the template's name.", example: 'Google (Acme)' }) name?: string;
  @ApiPropertyOptional({ type: [String], description: "Replaces the template's default scopes (OAuth2 templates only)." }) defaultScopes?: string[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      "A JSON Merge Patch (RFC 7396) of the template's config: objects merge member by member, `null` removes a member, arrays replace. " +
      'It cannot change `mode`, remove `apiBaseUrl`, carry `clientId`, `clientSecret` or `scopes`, or hold a secret; the merged config must pass the same validation as a connector.',
    example: { authorizationParams: { hd: 'acme.com' } },
  })
  config?: Record<string, unknown>;
}

@ApiSchema({ name: 'ConnectorTemplate' })
export class ConnectorTemplateDoc {
  @ApiProperty({ example: 'stripe' }) id: string;
  @ApiProperty({ example: 'Stripe' }) name: string;
  @ApiProperty({ enum: AUTH_MODES }) mode: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "The auth configuration a connector made from the template starts with (the workspace's override applied)." })
  config: Record<string, unknown>;
  @ApiProperty({ type: [String], description: 'OAuth2 only; empty for other modes.' }) defaultScopes: string[];
  @ApiProperty() docsUrl: string;
  @ApiProperty({ description: "The provider's token quirks and where per-tenant values come from." }) notes: string;
  @ApiPropertyOptional({ type: TemplateVerificationDoc, description: 'A cheap "who am I" request that succeeds only with a working credential.' }) verification?: TemplateVerificationDoc;
  @ApiProperty({ description: "Whether the caller's workspace's override applies to this template." }) overridden: boolean;
  @ApiProperty({
    type: ConnectorTemplateOverrideDoc,
    nullable: true,
    description: "The workspace's override as stored, or null. One that no longer validates against the template (after a catalogue change) is shown here but not applied (`overridden: false`).",
  })
  override: ConnectorTemplateOverrideDoc | null;
}

@ApiSchema({ name: 'ConnectorTemplateList' })
export class ConnectorTemplateListDoc {
  @ApiProperty({ type: [ConnectorTemplateDoc] }) items: ConnectorTemplateDoc[];
}
