import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TokenIssued, TokenIssuedPayload } from '@cb/events';
import { InboxContext } from '@cb/messaging';
import { RefreshScheduleRepository, ScheduledCredential } from '../schedule/refresh-schedule.repository';
import { RefreshTiming } from '../schedule/timing-policy.provider';

/** A new credential (connect, reconnect or refresh) puts its connection on the schedule, reset. */
@Controller()
export class TokenIssuedEventsController {
  private readonly logger = new Logger(TokenIssuedEventsController.name);

  constructor(
    private readonly schedule: RefreshScheduleRepository,
    private readonly timing: RefreshTiming,
  ) {}

  @EventPattern(TokenIssued.topic)
  async onTokenIssued(@Payload() event: TokenIssuedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    const credential: ScheduledCredential = {
      connectionId: event.connectionId,
      workspaceId: event.workspaceId,
      connectorId: event.connectorId,
      endUserId: event.endUserId,
      mode: event.mode,
      credentialVersion: event.credentialVersion,
      issuedAt: new Date(event.issuedAt),
      expiresAt: event.expiresAt ? new Date(event.expiresAt) : null,
      refreshable: event.refreshable,
      refreshMarginSeconds: event.refreshMarginSeconds,
    };
    const dueAt = this.timing.firstDueAt(credential);
    const written = await this.schedule.upsertIssued(ctx.manager, credential, dueAt);
    this.logger.debug(
      { connectionId: event.connectionId, credentialVersion: event.credentialVersion, dueAt: dueAt?.toISOString() ?? null, written },
      written ? 'connection scheduled' : 'stale TokenIssued ignored',
    );
  }
}
