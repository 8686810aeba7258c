import { Actor } from '../connector-changes/actor.decorator';
import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { ConnectorResponse } from '../connectors/connector.mapper';
import { WorkspaceParamGuard } from '../connectors/workspace-param.guard';
import { ActivateConnectorService } from './activate-connector.service';
import { InternalApiGuard } from '@cb/platform';

@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/connectors')
export class ActivateConnectorHttpController {
  constructor(private readonly service: ActivateConnectorService) {}

  @Post(':id/activate')
  @HttpCode(200)
  activate(@Param('workspaceId') workspaceId: string, @Param('id') id: string, @Actor() actor: string): Promise<ConnectorResponse> {
    return this.service.activate(workspaceId, id, actor);
  }
}
