import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConnectionDeleted, ConnectionDeletedPayload, ConnectionStatusChanged, ConnectionStatusChangedPayload } from '@cb/events';
import { InboxContext } from '@cb/messaging';
import { RefreshScheduleRepository } from '../schedule/refresh-schedule.repository';
import { RefreshTiming } from '../schedule/timing-policy.provider';

/**
 * needs_reconnect takes a connection off the schedule (no more TokenExpired, so no retry storm);
 * active puts it back; a deleted connection leaves the schedule.
 */
@Controller()
export class ConnectionLifecycleEventsController {
  private readonly logger = new Logger(ConnectionLifecycleEventsController.name);

  constructor(
    private readonly schedule: RefreshScheduleRepository,
    private readonly timing: RefreshTiming,
  ) {}

  @EventPattern(ConnectionStatusChanged.topic)
  async onStatusChanged(@Payload() event: ConnectionStatusChangedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    const changedAt = new Date(event.changedAt);
    if (event.status === 'needs_reconnect') {
      const applied = await this.schedule.markNeedsReconnect(ctx.manager, event.connectionId, changedAt, event.credentialVersion);
      this.logger.log({ connectionId: event.connectionId, errorCode: event.errorCode, applied }, 'connection off the schedule: needs reconnect');
      return;
    }
    const credential = await this.schedule.markActive(ctx.manager, event.connectionId, changedAt);
    if (credential) {
      await this.schedule.setDueAt(ctx.manager, event.connectionId, this.timing.firstDueAt(credential));
      this.logger.log({ connectionId: event.connectionId }, 'connection back on the schedule');
    }
  }

  @EventPattern(ConnectionDeleted.topic)
  async onDeleted(@Payload() event: ConnectionDeletedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    await this.schedule.delete(ctx.manager, event.connectionId);
  }
}
