import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export class ListWebhookDeliveriesQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'succeeded', 'failed'] }) @IsOptional() @IsIn(['pending', 'succeeded', 'failed']) status?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 100, description: '20 when left out.' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' }) @IsOptional() @IsString() @Matches(/^\d{1,18}$/) cursor?: string;
}
