import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { API_KEY_SCOPES } from '../auth/scopes';
import { displayPrefix } from '../auth/api-key-format';
import type { ApiKeyEntity } from '../workspaces/api-key.entity';

@ApiSchema({ name: 'ApiKey' })
export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The start of the key, to recognise it; the secret part is never shown again.', example: 'cbk_1f2e3d4c5b6a7980' }) prefix: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes: string[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
}

@ApiSchema({ name: 'CreatedApiKey' })
export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  @ApiProperty({ description: 'The full key. Shown only in this response.', example: 'cbk_1f2e3d4c5b6a7980_…' }) apiKey: string;
}

@ApiSchema({ name: 'ApiKeyList' })
export class ApiKeyListResponseDto {
  @ApiProperty({ type: [ApiKeyResponseDto] }) items: ApiKeyResponseDto[];
}

export function toApiKeyResponse(key: ApiKeyEntity): ApiKeyResponseDto {
  return {
    id: key.id,
    name: key.name,
    prefix: displayPrefix(key.publicId),
    scopes: [...key.scopes],
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
