import { DynamicModule, Module } from '@nestjs/common';
import { DeliveryPruner } from './deliveries/delivery-pruner';
import { DeliveryQueue } from './deliveries/delivery-queue';
import { DeliveryWorker } from './deliveries/delivery-worker';
import { WebhookDeliveriesHttpController } from './deliveries/webhook-deliveries.http.controller';
import { WebhookDeliveriesService } from './deliveries/webhook-deliveries.service';
import { WebhookSender } from './deliveries/webhook-sender';
import { WebhookEndpointsHttpController } from './endpoints/webhook-endpoints.http.controller';
import { WebhookEndpointsService } from './endpoints/webhook-endpoints.service';
import { WebhookSecrets } from './endpoints/webhook-secrets';
import { WebhookEventsController } from './events/webhook-events.events.controller';
import { WebhookTables } from './webhook-tables';
import { WEBHOOK_SETTINGS, type WebhookSettings } from './webhooks.config';
import { WorkspaceParamGuard } from './workspace-param.guard';

/**
 * Webhooks: endpoints a workspace registers, and the deliveries of the broker's events to them
 * (ADR 0015). Its own tables, consumer group and worker; nothing here touches the connector code's
 * tables, so the folder can move to a service of its own.
 */
@Module({})
export class WebhooksModule {
  static register(schema: string, settings: WebhookSettings): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [WebhookEndpointsHttpController, WebhookDeliveriesHttpController, WebhookEventsController],
      providers: [
        { provide: WebhookTables, useValue: new WebhookTables(schema) },
        { provide: WEBHOOK_SETTINGS, useValue: settings },
        WorkspaceParamGuard, WebhookSecrets, WebhookEndpointsService, WebhookDeliveriesService, DeliveryQueue,
        WebhookSender,
        DeliveryWorker,
        DeliveryPruner,
      ],
    };
  }
}
