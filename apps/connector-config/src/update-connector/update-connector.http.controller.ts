import { Actor } from '../connector-changes/actor.decorator';
import { Body, Controller, Param, Patch, UseGuards } from '@nestjs/common';
import type { ConnectorResponse } from '../connectors/connector.mapper';
import { WorkspaceParamGuard } from '../connectors/workspace-param.guard';
import { UpdateConnectorService } from './update-connector.service';
import { InternalApiGuard } from '@cb/platform';

@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/connectors')
export class UpdateConnectorHttpController {
  constructor(private readonly service: UpdateConnectorService) {}

  @Patch(':id')
  update(@Param('workspaceId') workspaceId: string, @Param('id') id: string, @Body() body: unknown, @Actor() actor: string): Promise<ConnectorResponse> {
    return this.service.update(workspaceId, id, body, actor);
  }
}
