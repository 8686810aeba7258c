import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConnectionStatusChanged, TokenIssued, TokenIssuedPayload } from '@cb/events';
import { InboxContext, onlyWhen, OutboxWriter } from '@cb/messaging';
import { RefreshStateRepository } from './refresh-state.repository';

/**
 * A connection this service marked needs_reconnect got a new credential through a connect session
 * (TokenIssued reason reconnect, the vault's status is active again): announce the recovery once.
 */
@Controller()
export class ReconnectRecoveryEventsController {
  private readonly logger = new Logger(ReconnectRecoveryEventsController.name);

  constructor(
    private readonly states: RefreshStateRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  @EventPattern(TokenIssued.topic, onlyWhen((event: TokenIssuedPayload) => event.reason === 'reconnect'))
  async onTokenIssued(@Payload() event: TokenIssuedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    const errorCode = await this.states.clearNeedsReconnect(ctx.manager, event.connectionId);
    if (errorCode === null) return;
    await this.outbox.append(ctx.manager, ConnectionStatusChanged, {
      connectionId: event.connectionId,
      workspaceId: event.workspaceId,
      connectorId: event.connectorId,
      endUserId: event.endUserId,
      status: 'active',
      previousStatus: 'needs_reconnect',
      reason: `reconnected after ${errorCode}`,
      credentialVersion: event.credentialVersion,
      changedAt: new Date().toISOString(),
    });
    this.logger.log(`connection ${event.connectionId} is active again after a reconnect`);
  }
}
