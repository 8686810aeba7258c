import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { InternalApiGuard } from '@cb/platform';
import { WorkspaceParamGuard } from '../workspace-param.guard';
import { DeliveryWorker } from '../deliveries/delivery-worker';
import type { WebhookEndpointResponse } from './webhook-endpoint.mapper';
import { CreateWebhookEndpointRequestDto, RotateWebhookSecretRequestDto, UpdateWebhookEndpointRequestDto } from './webhook-endpoint.request.dto';
import { WebhookEndpointsService, type EndpointWithSecret } from './webhook-endpoints.service';

@UseGuards(InternalApiGuard, WorkspaceParamGuard)
@Controller('internal/v1/workspaces/:workspaceId/webhook-endpoints')
export class WebhookEndpointsHttpController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly worker: DeliveryWorker,
  ) {}

  @Post()
  create(@Param('workspaceId') workspaceId: string, @Body() body: CreateWebhookEndpointRequestDto): Promise<EndpointWithSecret> {
    return this.endpoints.create(workspaceId, body);
  }

  @Get()
  async list(@Param('workspaceId') workspaceId: string): Promise<{ items: WebhookEndpointResponse[] }> {
    return { items: await this.endpoints.list(workspaceId) };
  }

  @Get(':endpointId')
  get(@Param('workspaceId') workspaceId: string, @Param('endpointId') id: string): Promise<WebhookEndpointResponse> {
    return this.endpoints.get(workspaceId, id);
  }

  @Patch(':endpointId')
  async update(@Param('workspaceId') workspaceId: string, @Param('endpointId') id: string, @Body() body: UpdateWebhookEndpointRequestDto): Promise<WebhookEndpointResponse> {
    const updated = await this.endpoints.update(workspaceId, id, body);
    // deliveries held while it was disabled may go now
    if (updated.enabled) this.worker.wake();
    return updated;
  }

  @Delete(':endpointId')
  @HttpCode(204)
  async remove(@Param('workspaceId') workspaceId: string, @Param('endpointId') id: string): Promise<void> {
    await this.endpoints.remove(workspaceId, id);
  }

  @Post(':endpointId/rotate-secret')
  @HttpCode(200)
  rotateSecret(@Param('workspaceId') workspaceId: string, @Param('endpointId') id: string, @Body() body: RotateWebhookSecretRequestDto): Promise<EndpointWithSecret> {
    return this.endpoints.rotateSecret(workspaceId, id, body);
  }
}
