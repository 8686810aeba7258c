import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { notFound } from '@cb/platform';
import { CurrentWorkspace, RequireScopes, WorkspaceContext } from '../auth';
import { ErrorBodyDoc } from '../openapi/error-body.docs.dto';
import { isUuid, UpstreamClient, UpstreamRequest } from '../upstream';
import { ListWebhookDeliveriesQueryDto } from './list-deliveries.query.dto';
import {
  CreateWebhookEndpointRequestDoc,
  RotateWebhookSecretRequestDoc,
  UpdateWebhookEndpointRequestDoc,
  WebhookAttemptListDoc,
  WebhookDeliveryDoc,
  WebhookDeliveryListDoc,
  WebhookEndpointDoc,
  WebhookEndpointListDoc,
  WebhookEndpointWithSecretDoc,
} from './webhook-endpoint.docs.dto';

/**
 * Webhook endpoints, their deliveries and attempts: a thin edge over connector-config's webhooks
 * module, under the `admin` scope like the rest of the workspace's configuration (connectors, keys).
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@RequireScopes('admin')
@Controller('v1/webhook-endpoints')
export class WebhookEndpointsHttpController {
  constructor(private readonly upstream: UpstreamClient) {}

  @Post()
  @ApiOperation({ summary: 'Register an endpoint; the answer shows its signing secret, once' })
  @ApiBody({ type: CreateWebhookEndpointRequestDoc })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretDoc })
  @ApiBadRequestResponse({ type: ErrorBodyDoc, description: '`validation_failed` with every offending path' })
  create(@CurrentWorkspace() caller: WorkspaceContext, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'POST', path: '', body: body ?? {} });
  }

  @Get()
  @ApiOperation({ summary: "The workspace's endpoints, newest first" })
  @ApiOkResponse({ type: WebhookEndpointListDoc })
  list(@CurrentWorkspace() caller: WorkspaceContext, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'GET', path: '' });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read an endpoint (never its secret)' })
  @ApiOkResponse({ type: WebhookEndpointDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  get(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'GET', path: this.item(id) });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an endpoint: members given replace the stored ones' })
  @ApiBody({ type: UpdateWebhookEndpointRequestDoc })
  @ApiOkResponse({ type: WebhookEndpointDoc })
  @ApiBadRequestResponse({ type: ErrorBodyDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  update(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'PATCH', path: this.item(id), body: body ?? {} });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an endpoint, with its deliveries and their attempts' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  async remove(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.forward(res, caller, { method: 'DELETE', path: this.item(id) });
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new signing secret, shown once; the previous one keeps signing beside it for the grace period' })
  @ApiBody({ type: RotateWebhookSecretRequestDoc, required: false })
  @ApiOkResponse({ type: WebhookEndpointWithSecretDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  rotateSecret(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'POST', path: `${this.item(id)}/rotate-secret`, body: body ?? {} });
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "An endpoint's deliveries, newest first" })
  @ApiOkResponse({ type: WebhookDeliveryListDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  deliveries(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Query() query: ListWebhookDeliveriesQueryDto, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'GET', path: `${this.item(id)}/deliveries`, query: { status: query.status, limit: query.limit, cursor: query.cursor } });
  }

  @Get(':id/deliveries/:deliveryId/attempts')
  @ApiOperation({ summary: "A delivery's attempts: outcome, status, duration and the start of the answer" })
  @ApiOkResponse({ type: WebhookAttemptListDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  attempts(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Param('deliveryId') deliveryId: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'GET', path: `${this.item(id)}/deliveries/${this.delivery(deliveryId)}/attempts` });
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivery again now, with the same webhook-id and a fresh retry schedule' })
  @ApiAcceptedResponse({ type: WebhookDeliveryDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc })
  @ApiConflictResponse({ type: ErrorBodyDoc, description: '`delivery_in_flight`: an attempt is under way' })
  replay(@CurrentWorkspace() caller: WorkspaceContext, @Param('id') id: string, @Param('deliveryId') deliveryId: string, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    return this.forward(res, caller, { method: 'POST', path: `${this.item(id)}/deliveries/${this.delivery(deliveryId)}/replay` });
  }

  private item(id: string): string {
    if (!isUuid(id)) throw notFound('webhook endpoint');
    return `/${id}`;
  }

  private delivery(id: string): string {
    if (!isUuid(id)) throw notFound('webhook delivery');
    return id;
  }

  private async forward(res: Response, caller: WorkspaceContext, request: UpstreamRequest): Promise<unknown> {
    const path = `/internal/v1/workspaces/${caller.workspaceId}/webhook-endpoints${request.path}`;
    const upstream = await this.upstream.request('connector-config', { ...request, path });
    res.status(upstream.status);
    return upstream.body;
  }
}
