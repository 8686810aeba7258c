import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { AUDIT_KINDS } from '@cb/platform';

/** OpenAPI shapes of `GET /v1/audit`; the entries are built by the owning services without any secret. */
@ApiSchema({ name: 'AuditEntry' })
export class AuditEntryDoc {
  @ApiProperty({ description: 'Unique across the audit: a kind prefix and the record id (`cr_`, `pc_`, `ci_`, `cc_`, `ak_`).', example: 'cr_1042' }) id: string;
  @ApiProperty({ enum: AUDIT_KINDS }) kind: string;
  @ApiProperty({ format: 'date-time', description: 'When it happened, to the millisecond.' }) at: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The API key that acted; null for a key created by the CLI.' }) apiKeyId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) connectionId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: "For credential reads and proxy calls, the connection's connector while the connection exists." }) connectorId: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'By kind. `credential_read`: `includeRefreshToken`, `credentialVersion`. `proxy_call`: `method`, `path` (never the query), `status`, `errorCode`, `attempts`, `durationMs`. ' +
      '`connection_import`: `mode`. `connector_change`: `action`, `version`, `actor`, `changes` (secret paths say only `secret: true`). ' +
      '`api_key_created` / `api_key_revoked`: `keyId`, `name`, `scopes`. Never a secret, token or key hash.',
  })
  details: Record<string, unknown>;
}

@ApiSchema({ name: 'AuditPage' })
export class AuditPageDoc {
  @ApiProperty({ type: [AuditEntryDoc] }) items: AuditEntryDoc[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass back as `cursor` for the next page; null on the last page.' }) nextCursor: string | null;
}
