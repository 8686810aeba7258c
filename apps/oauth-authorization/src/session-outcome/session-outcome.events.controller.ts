import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConnectionFailed, ConnectionFailedPayload, TokenIssued, TokenIssuedPayload } from '@cb/events';
import { InboxContext, onlyWhen } from '@cb/messaging';
import { ConnectSessionEntity } from '../connect-sessions/connect-session.entity';
import { KnownConnectionEntity } from '../connect-sessions/known-connection.entity';
import { ConnectSessionMetrics } from '../oauth-authorization.metrics';

/** The token leg's answer ends the connect session: completed with the connection, or failed. */
@Controller()
export class SessionOutcomeEventsController {
  constructor(private readonly metrics: ConnectSessionMetrics) {}

  // A refresh neither ends a session nor makes a connection known (its connect did).
  @EventPattern(TokenIssued.topic, onlyWhen((event: TokenIssuedPayload) => event.reason !== 'refresh'))
  async tokenIssued(@Payload() payload: TokenIssuedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    await ctx.manager
      .createQueryBuilder()
      .insert()
      .into(KnownConnectionEntity)
      .values({ connectionId: payload.connectionId, workspaceId: payload.workspaceId, connectorId: payload.connectorId, endUserId: payload.endUserId, createdAt: new Date() })
      .orIgnore()
      .execute();
    if (!payload.sessionId) return;
    const ended = await ctx.manager
      .createQueryBuilder()
      .update(ConnectSessionEntity)
      .set({ status: 'completed', completedAt: new Date(), updatedAt: new Date() })
      .where('id = :id AND connection_id = :connectionId AND status IN (:...open)', { id: payload.sessionId, connectionId: payload.connectionId, open: ['pending', 'authorized'] })
      .execute();
    if (ended.affected) this.metrics.sessionCompleted();
  }

  @EventPattern(ConnectionFailed.topic)
  async connectionFailed(@Payload() payload: ConnectionFailedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    const ended = await ctx.manager
      .createQueryBuilder()
      .update(ConnectSessionEntity)
      .set({ status: 'failed', errorCode: payload.errorCode, errorReason: payload.reason, completedAt: new Date(), updatedAt: new Date() })
      .where('id = :id AND connection_id = :connectionId AND status IN (:...open)', { id: payload.sessionId, connectionId: payload.connectionId, open: ['pending', 'authorized'] })
      .execute();
    if (ended.affected) this.metrics.sessionFailed(payload.errorCode);
  }
}
