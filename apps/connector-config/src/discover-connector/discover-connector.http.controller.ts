import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { InternalApiGuard } from '@cb/platform';
import { WorkspaceParamGuard } from '../connectors/workspace-param.guard';
import type { DiscoveredConnector } from './connector-draft';
import { DiscoverConnectorService } from './discover-connector.service';

@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/connectors/discover')
export class DiscoverConnectorHttpController {
  constructor(private readonly service: DiscoverConnectorService) {}

  /** Nothing is stored: the answer is a draft to create a connector from. */
  @Post()
  @HttpCode(200)
  discover(@Body() body: unknown): Promise<DiscoveredConnector> {
    return this.service.discover(body);
  }
}
