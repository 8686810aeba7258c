import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TokenIssued, TokenIssuedPayload } from '@cb/events';
import { InboxContext, onlyWhen } from '@cb/messaging';
import { CredentialRefresher } from './credential-refresher';

/** TokenIssued reason reconnect: a connection this service marked needs_reconnect may be active again. */
@Controller()
export class ReconnectRecoveryEventsController {
  constructor(private readonly refresher: CredentialRefresher) {}

  @EventPattern(TokenIssued.topic, onlyWhen((event: TokenIssuedPayload) => event.reason === 'reconnect'))
  async onTokenIssued(@Payload() event: TokenIssuedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    await this.refresher.reconnected(ctx.manager, {
      connectionId: event.connectionId,
      workspaceId: event.workspaceId,
      connectorId: event.connectorId,
      endUserId: event.endUserId,
      credentialVersion: event.credentialVersion,
    });
  }
}
