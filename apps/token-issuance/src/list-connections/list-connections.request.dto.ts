import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { TAG_FILTER } from '../connection-profile/profile-rules';

export const MAX_TAG_FILTERS = 10;

/** Every filter is ANDed; `tag` may repeat. Either `cursor` (preferred) or `offset` pages. */
export class ListConnectionsRequestDto {
  @IsOptional() @IsUUID() connectorId?: string;
  @IsOptional() @IsString() @Length(1, 256) endUserId?: string;
  @IsOptional() @IsString() @Length(1, 256) organizationId?: string;
  @IsOptional() @IsIn(['active', 'needs_reconnect']) status?: 'active' | 'needs_reconnect';
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray({ message: 'tag must be key:value, repeatable' })
  @ArrayMaxSize(MAX_TAG_FILTERS, { message: `tag may be given at most ${MAX_TAG_FILTERS} times` })
  @Matches(TAG_FILTER, { each: true, message: 'tag must be key:value (a tag key, a colon, a value of at most 256 characters)' })
  tag?: string[];
  @IsOptional() @IsISO8601({ strict: true }, { message: 'createdAfter must be an ISO 8601 date-time' }) createdAfter?: string;
  @IsOptional() @IsISO8601({ strict: true }, { message: 'createdBefore must be an ISO 8601 date-time' }) createdBefore?: string;
  @IsOptional() @IsString() @MaxLength(512) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
}
