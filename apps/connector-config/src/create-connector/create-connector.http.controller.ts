import { Actor } from '../connector-changes/actor.decorator';
import { Body, Controller, Param, Post, UseGuards } from '@nestjs/common';
import type { ConnectorResponse } from '../connectors/connector.mapper';
import { WorkspaceParamGuard } from '../connectors/workspace-param.guard';
import { CreateConnectorService } from './create-connector.service';
import { InternalApiGuard } from '@cb/platform';

@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/connectors')
export class CreateConnectorHttpController {
  constructor(private readonly service: CreateConnectorService) {}

  /** The body is validated by the service, envelope and auth configuration together. */
  @Post()
  create(@Param('workspaceId') workspaceId: string, @Body() body: unknown, @Actor() actor: string): Promise<ConnectorResponse> {
    return this.service.create(workspaceId, body, actor);
  }
}
