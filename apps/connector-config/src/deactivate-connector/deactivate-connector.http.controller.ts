import { Actor } from '../connector-changes/actor.decorator';
import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { ConnectorResponse } from '../connectors/connector.mapper';
import { WorkspaceParamGuard } from '../connectors/workspace-param.guard';
import { DeactivateConnectorService } from './deactivate-connector.service';
import { InternalApiGuard } from '@cb/platform';

@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/connectors')
export class DeactivateConnectorHttpController {
  constructor(private readonly service: DeactivateConnectorService) {}

  @Post(':id/deactivate')
  @HttpCode(200)
  deactivate(@Param('workspaceId') workspaceId: string, @Param('id') id: string, @Actor() actor: string): Promise<ConnectorResponse> {
    return this.service.deactivate(workspaceId, id, actor);
  }
}
