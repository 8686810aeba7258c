import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { AUTH_MODES } from '@cb/auth-modes';

export const CONNECTOR_STATUSES = ['draft', 'active', 'inactive'] as const;

export class ListConnectorsQueryDto {
  @ApiPropertyOptional({ enum: AUTH_MODES }) @IsOptional() @IsIn(AUTH_MODES) mode?: string;
  @ApiPropertyOptional({ enum: CONNECTOR_STATUSES }) @IsOptional() @IsIn(CONNECTOR_STATUSES) status?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' }) @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_-]{1,200}$/) cursor?: string;
}
