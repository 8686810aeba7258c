import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import type { WorkspaceEntity } from './workspace.entity';

@ApiSchema({ name: 'CreateWorkspaceRequest' })
export class CreateWorkspaceRequestDto {
  @ApiProperty({ example: 'Acme', minLength: 1, maxLength: 200 })
  @Matches(/^[^\x00-\x1F\x7F]*$/, { message: 'name must be a single line' })
  @Matches(/\S/, { message: 'name must not be blank' })
  @Length(1, 200)
  @IsString()
  name: string;
}

@ApiSchema({ name: 'Workspace' })
export class WorkspaceResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

@ApiSchema({ name: 'WorkspaceList' })
export class WorkspaceListResponseDto {
  @ApiProperty({ type: [WorkspaceResponseDto] }) items: WorkspaceResponseDto[];
}

export function toWorkspaceResponse(workspace: WorkspaceEntity): WorkspaceResponseDto {
  return { id: workspace.id, name: workspace.name, createdAt: workspace.createdAt.toISOString() };
}
