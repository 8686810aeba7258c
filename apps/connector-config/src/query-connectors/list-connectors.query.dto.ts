import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { AUTH_MODES, AuthMode } from '@cb/auth-modes';
import { CONNECTOR_STATUSES, ConnectorStatus } from '../connectors/connector.entity';

export class ListConnectorsQueryDto {
  @IsOptional() @IsIn(AUTH_MODES) mode?: AuthMode;
  @IsOptional() @IsIn(CONNECTOR_STATUSES) status?: ConnectorStatus;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_-]{1,200}$/) cursor?: string;
}
