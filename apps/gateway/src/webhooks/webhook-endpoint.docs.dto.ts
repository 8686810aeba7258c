import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES } from '@cb/events';

/**
 * OpenAPI shapes of the webhook endpoints. The gateway forwards the bodies to connector-config's
 * webhooks module, which validates them, so these classes document and do not validate.
 */

@ApiSchema({ name: 'CreateWebhookEndpointRequest' })
export class CreateWebhookEndpointRequestDoc {
  @ApiProperty({ description: 'Where deliveries are POSTed: https (http on loopback only in development); no credentials, no fragment. Redirects are not followed.', example: 'https://example.com/webhooks/credential-broker' })
  url: string;
  @ApiProperty({ type: [String], enum: WEBHOOK_EVENT_TYPES, description: 'The event types delivered to it, at least one.' }) eventTypes: string[];
  @ApiPropertyOptional({ description: 'true unless given.' }) enabled?: boolean;
  @ApiPropertyOptional({ maxLength: 500 }) description?: string;
}

@ApiSchema({ name: 'UpdateWebhookEndpointRequest' })
export class UpdateWebhookEndpointRequestDoc {
  @ApiPropertyOptional() url?: string;
  @ApiPropertyOptional({ type: [String], enum: WEBHOOK_EVENT_TYPES }) eventTypes?: string[];
  @ApiPropertyOptional({ description: 'Enabling an endpoint disabled as `failing` starts its count of failed deliveries again, and sends what waited for it.' }) enabled?: boolean;
  @ApiPropertyOptional({ maxLength: 500 }) description?: string;
}

@ApiSchema({ name: 'RotateWebhookSecretRequest' })
export class RotateWebhookSecretRequestDoc {
  @ApiPropertyOptional({ minimum: 0, maximum: 604800, description: 'How long the previous secret keeps signing beside the new one (each delivery then carries both signatures); 86400 (24 hours) when left out.' })
  graceSeconds?: number;
}

@ApiSchema({ name: 'WebhookEndpoint' })
export class WebhookEndpointDoc {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String], enum: WEBHOOK_EVENT_TYPES }) eventTypes: string[];
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: ['active', 'disabled', 'failing'], description: '`failing`: its deliveries kept exhausting their retries and the broker disabled it.' }) status: string;
  @ApiProperty({ description: 'Deliveries in a row that failed after every retry; reset by a success.' }) failedDeliveriesInARow: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Until when the previous secret still signs, after a rotation.' }) previousSecretExpiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) secretRotatedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

@ApiSchema({ name: 'WebhookEndpointWithSecret' })
export class WebhookEndpointWithSecretDoc extends WebhookEndpointDoc {
  @ApiProperty({ description: 'The signing secret (`whsec_…`), shown only in this answer: verify deliveries with standardwebhooks `new Webhook(secret).verify(body, headers)`.' }) secret: string;
}

@ApiSchema({ name: 'WebhookEndpointList' })
export class WebhookEndpointListDoc {
  @ApiProperty({ type: [WebhookEndpointDoc] }) items: WebhookEndpointDoc[];
}

@ApiSchema({ name: 'WebhookDelivery' })
export class WebhookDeliveryDoc {
  @ApiProperty({ format: 'uuid', description: 'Also the `webhook-id` header of every attempt and replay: receivers deduplicate by it.' }) id: string;
  @ApiProperty({ format: 'uuid' }) endpointId: string;
  @ApiProperty({ format: 'uuid', description: 'The Kafka event (CloudEvents `id`) it was made from.' }) eventId: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES }) eventType: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

@ApiSchema({ name: 'WebhookDeliveryList' })
export class WebhookDeliveryListDoc {
  @ApiProperty({ type: [WebhookDeliveryDoc] }) items: WebhookDeliveryDoc[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

@ApiSchema({ name: 'WebhookAttempt' })
export class WebhookAttemptDoc {
  @ApiProperty() attempt: number;
  @ApiProperty({ enum: ['succeeded', 'http_error', 'timeout', 'network_error', 'refused', 'interrupted'], description: '`refused`: the outbound policy refused the address; `interrupted`: the delivering process stopped mid-attempt.' })
  outcome: string;
  @ApiProperty({ type: Number, nullable: true }) statusCode: number | null;
  @ApiProperty({ type: Number, nullable: true }) durationMs: number | null;
  @ApiProperty({ type: String, nullable: true, description: "The start of the endpoint's answer, at most 500 characters." }) responseSnippet: string | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
}

@ApiSchema({ name: 'WebhookAttemptList' })
export class WebhookAttemptListDoc {
  @ApiProperty({ type: [WebhookAttemptDoc] }) items: WebhookAttemptDoc[];
}
