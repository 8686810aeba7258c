import { Type } from 'class-transformer';
import { IsDefined, IsEmail, IsObject, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateNested } from 'class-validator';

export class ImportEndUserDto {
  @IsString() @Length(1, 256) id: string;
  @IsOptional() @IsString() @Length(1, 256) displayName?: string;
  @IsOptional() @IsEmail({}, { message: 'email must be an e-mail address' }) @MaxLength(254) email?: string;
  @IsOptional() @IsString() @Length(1, 256) organizationId?: string;
}

/**
 * A connection made elsewhere (another broker), with its credential: `credential` is checked
 * against the connector's mode by {@link parseImportedCredential}; its values never appear in an
 * error, a log or an answer.
 */
export class ImportConnectionRequestDto {
  @IsUUID() connectorId: string;
  /** Keep the id the connection had before, when it is a UUID; a new one otherwise. */
  @IsOptional() @IsUUID() connectionId?: string;
  @IsDefined({ message: 'endUser is required (at least its id)' }) @ValidateNested() @Type(() => ImportEndUserDto) endUser: ImportEndUserDto;
  @IsOptional() @IsString() @Length(1, 128) tenant?: string;
  @IsOptional() @IsObject() attributes?: Record<string, unknown>;
  @IsOptional() @IsObject() metadata?: Record<string, unknown>;
  @IsOptional() @IsObject() tags?: Record<string, unknown>;
  @IsObject() credential: Record<string, unknown>;
}
