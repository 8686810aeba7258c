import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TokenExpired, TokenExpiredPayload } from '@cb/events';
import { InboxContext, outsideTransaction } from '@cb/messaging';
import { CredentialRefresher } from './credential-refresher';

/**
 * The schedule says a credential is due or has expired: refresh it (single flight), or mark the
 * connection needs_reconnect when it cannot be renewed. Never throws for a provider's answer, so a
 * failing provider is retried by the schedule's backoff, not by inbox redelivery. Handled outside
 * the inbox transaction: the event is recorded in the inbox by the refresh's first transaction (where
 * it decides and takes the lease), the answer is stored in a second one after the provider call, and
 * a redelivery finds the event in the inbox, the credential version superseded or the lease held.
 */
@Controller()
export class TokenExpiredEventsController {
  private readonly logger = new Logger(TokenExpiredEventsController.name);

  constructor(private readonly refresher: CredentialRefresher) {}

  @EventPattern(TokenExpired.topic, outsideTransaction())
  async onTokenExpired(@Payload() event: TokenExpiredPayload, @Ctx() ctx: InboxContext): Promise<void> {
    const result = await this.refresher.refresh(
      event.connectionId,
      { kind: 'scheduled', credentialVersion: event.credentialVersion, reason: event.reason, ...(event.nextAttemptAt ? { nextAttemptAt: new Date(event.nextAttemptAt) } : {}) },
      event.workspaceId,
      (work) => ctx.commit(work),
    );
    if (result.outcome === 'skipped') this.logger.debug?.(`TokenExpired for ${event.connectionId} v${event.credentialVersion}: skipped (${result.why})`);
  }
}
