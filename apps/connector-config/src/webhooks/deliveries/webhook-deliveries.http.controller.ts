import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { InternalApiGuard } from '@cb/platform';
import { WorkspaceParamGuard } from '../workspace-param.guard';
import { ListDeliveriesQueryDto } from '../endpoints/webhook-endpoint.request.dto';
import { DeliveryWorker } from './delivery-worker';
import { WebhookDeliveriesService, type AttemptResponse, type DeliveryResponse } from './webhook-deliveries.service';

@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/webhook-endpoints/:endpointId/deliveries')
export class WebhookDeliveriesHttpController {
  constructor(
    private readonly deliveries: WebhookDeliveriesService,
    private readonly worker: DeliveryWorker,
  ) {}

  @Get()
  list(@Param('workspaceId') workspaceId: string, @Param('endpointId') endpointId: string, @Query() query: ListDeliveriesQueryDto): Promise<{ items: DeliveryResponse[]; nextCursor: string | null }> {
    return this.deliveries.list(workspaceId, endpointId, query);
  }

  @Get(':deliveryId/attempts')
  attempts(@Param('workspaceId') workspaceId: string, @Param('endpointId') endpointId: string, @Param('deliveryId') deliveryId: string): Promise<{ items: AttemptResponse[] }> {
    return this.deliveries.attempts(workspaceId, endpointId, deliveryId);
  }

  @Post(':deliveryId/replay')
  @HttpCode(202)
  async replay(@Param('workspaceId') workspaceId: string, @Param('endpointId') endpointId: string, @Param('deliveryId') deliveryId: string): Promise<DeliveryResponse> {
    const replayed = await this.deliveries.replay(workspaceId, endpointId, deliveryId);
    this.worker.wake();
    return replayed;
  }
}
