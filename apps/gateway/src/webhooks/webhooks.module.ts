import { Module } from '@nestjs/common';
import { WebhookEndpointsHttpController } from './webhook-endpoints.http.controller';

/** `/v1/webhook-endpoints…`, forwarded to connector-config's webhooks module. */
@Module({ controllers: [WebhookEndpointsHttpController] })
export class WebhooksModule {}
