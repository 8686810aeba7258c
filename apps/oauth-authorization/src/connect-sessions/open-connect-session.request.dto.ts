import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsObject, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, ValidateNested } from 'class-validator';

/** No control characters: these are shown to people and kept with the connection. */
const PRINTABLE = /^[^\p{Cc}]*$/u;

/** The end user as the calling app knows it; personal data, not secret. */
export class EndUserRequestDto {
  @IsString() @Length(1, 256) id: string;
  @IsOptional() @IsString() @Length(1, 256) @Matches(PRINTABLE, { message: 'displayName must not contain control characters' }) displayName?: string;
  @IsOptional() @IsEmail({}, { message: 'email must be an e-mail address' }) @MaxLength(254) email?: string;
  @IsOptional() @IsString() @Length(1, 256) @Matches(PRINTABLE, { message: 'organizationId must not contain control characters' }) organizationId?: string;
}

export class OpenConnectSessionRequestDto {
  @IsUUID() connectorId: string;
  /** Required for a new connection (here or as `endUser.id`); for a re-authorization it must match the connection's. */
  @IsOptional() @IsString() @Length(1, 256) endUserId?: string;
  @IsOptional() @ValidateNested() @Type(() => EndUserRequestDto) endUser?: EndUserRequestDto;
  /** Re-authorize this existing connection instead of creating one. */
  @IsOptional() @IsUUID() connectionId?: string;
  @IsOptional() @IsObject() attributes?: Record<string, unknown>;
  @IsOptional() @IsString() @Length(1, 128) tenant?: string;
  @IsOptional() @IsString() @MaxLength(2048) returnUrl?: string;
  /** Scopes beyond the connector's defaults, each one of its `optionalScopes` (OAuth2 authorization code only). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @Matches(/^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/, { each: true, message: 'each scopes item must be a non-empty RFC 6749 scope token' })
  scopes?: string[];
  /** The connection's metadata and tags, as `PATCH /v1/connections/{id}` takes them (same bounds). */
  @IsOptional() @IsObject() metadata?: Record<string, unknown>;
  @IsOptional() @IsObject() tags?: Record<string, string>;
}
