import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';

export class ListConnectionsRequestDto {
  @IsOptional() @IsUUID() connectorId?: string;
  @IsOptional() @IsString() @Length(1, 256) endUserId?: string;
  @IsOptional() @IsIn(['active', 'needs_reconnect']) status?: 'active' | 'needs_reconnect';
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) offset?: number;
}
