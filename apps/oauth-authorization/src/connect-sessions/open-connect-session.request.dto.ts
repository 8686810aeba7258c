import { IsObject, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';

export class OpenConnectSessionRequestDto {
  @IsUUID() connectorId: string;
  /** Required for a new connection; for a re-authorization it must match the connection's. */
  @IsOptional() @IsString() @Length(1, 256) endUserId?: string;
  /** Re-authorize this existing connection instead of creating one. */
  @IsOptional() @IsUUID() connectionId?: string;
  @IsOptional() @IsObject() attributes?: Record<string, unknown>;
  @IsOptional() @IsString() @Length(1, 128) tenant?: string;
  @IsOptional() @IsString() @MaxLength(2048) returnUrl?: string;
}
