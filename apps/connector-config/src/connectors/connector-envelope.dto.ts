import { IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const SLUG_MESSAGE = 'slug must be 1 to 64 lower case letters, digits and dashes, not starting or ending with a dash';
export const SINGLE_LINE = /^[^\x00-\x1F\x7F]*$/;

/** Optional slug and name, as in updates and template-based creation. */
export class ConnectorNamingDto {
  @IsOptional()
  @Matches(SLUG, { message: SLUG_MESSAGE })
  @IsString()
  slug?: string;

  @IsOptional()
  @Matches(SINGLE_LINE, { message: 'name must be a single line' })
  @Length(1, 200)
  @IsString()
  name?: string;
}

/** PATCH: every member optional; `config` is checked in depth by validateAuthConfig. */
export class UpdateConnectorRequestDto extends ConnectorNamingDto {
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
}
