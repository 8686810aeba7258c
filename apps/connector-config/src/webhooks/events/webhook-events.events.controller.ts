import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  ConnectionDeleted,
  ConnectionDeletedPayload,
  ConnectionFailed,
  ConnectionFailedPayload,
  ConnectionStatusChanged,
  ConnectionStatusChangedPayload,
  ConnectorActivated,
  ConnectorActivatedPayload,
  ConnectorDeactivated,
  ConnectorDeactivatedPayload,
  TokenIssued,
  TokenIssuedPayload,
} from '@cb/events';
import { InboxContext, onlyWhen } from '@cb/messaging';
import { DeliveryQueue } from '../deliveries/delivery-queue';
import {
  fromConnectionDeleted,
  fromConnectionFailed,
  fromConnectionStatusChanged,
  fromConnectorActivated,
  fromConnectorDeactivated,
  fromTokenIssued,
  type WebhookEvent,
} from './webhook-event-types';

/**
 * Turns each event into one delivery row per subscribed endpoint, in the inbox transaction: an event
 * is queued exactly once, and durably before its offset is committed (consumer group
 * `connector-config.webhooks`, the lane the app gives these topics).
 */
@Controller()
export class WebhookEventsController {
  constructor(private readonly queue: DeliveryQueue) {}

  @EventPattern(TokenIssued.topic)
  tokenIssued(@Payload() payload: TokenIssuedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    return this.enqueue(fromTokenIssued(payload), ctx);
  }

  @EventPattern(ConnectionStatusChanged.topic, onlyWhen((event: ConnectionStatusChangedPayload) => event.status === 'needs_reconnect'))
  statusChanged(@Payload() payload: ConnectionStatusChangedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    const event = fromConnectionStatusChanged(payload);
    return event ? this.enqueue(event, ctx) : Promise.resolve();
  }

  @EventPattern(ConnectionDeleted.topic)
  deleted(@Payload() payload: ConnectionDeletedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    return this.enqueue(fromConnectionDeleted(payload), ctx);
  }

  @EventPattern(ConnectionFailed.topic)
  failed(@Payload() payload: ConnectionFailedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    return this.enqueue(fromConnectionFailed(payload), ctx);
  }

  @EventPattern(ConnectorActivated.topic)
  activated(@Payload() payload: ConnectorActivatedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    return this.enqueue(fromConnectorActivated(payload), ctx);
  }

  @EventPattern(ConnectorDeactivated.topic)
  deactivated(@Payload() payload: ConnectorDeactivatedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    return this.enqueue(fromConnectorDeactivated(payload), ctx);
  }

  private async enqueue(event: WebhookEvent, ctx: InboxContext): Promise<void> {
    await this.queue.enqueue(ctx.manager, event, ctx.headers);
  }
}
