import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { InternalApiGuard } from '@cb/platform';
import { WorkspaceParamGuard } from '../connectors/workspace-param.guard';
import { Actor } from '../connector-changes/actor.decorator';
import type { DiscoveredConnector } from './connector-draft';
import { CreateFromUrlService, type CreatedFromUrl } from './create-from-url.service';
import type { DiscoveredChange } from './discovered-changes';
import { DiscoverConnectorService } from './discover-connector.service';

@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/connectors')
export class DiscoverConnectorHttpController {
  constructor(
    private readonly service: DiscoverConnectorService,
    private readonly fromUrl: CreateFromUrlService,
  ) {}

  @Post('from-url')
  createFromUrl(@Param('workspaceId') workspaceId: string, @Body() body: unknown, @Actor() actor: string): Promise<CreatedFromUrl> {
    return this.fromUrl.create(workspaceId, body, actor);
  }

  /** Nothing is stored: the answer is a draft to create a connector from. */
  @Post('discover')
  @HttpCode(200)
  discover(@Body() body: unknown): Promise<DiscoveredConnector> {
    return this.service.discover(body);
  }

  @Post(':id/rediscover')
  @HttpCode(200)
  rediscover(@Param('workspaceId') workspaceId: string, @Param('id') id: string, @Body() body: unknown): Promise<DiscoveredConnector & { changes: DiscoveredChange[] }> {
    return this.service.rediscover(workspaceId, id, body);
  }
}
