import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CredentialsSubmitted, CredentialsSubmittedPayload } from '@cb/events';
import { InboxContext, outsideTransaction } from '@cb/messaging';
import { CaptureCredentialsUseCase } from './capture-credentials.service';

/**
 * CredentialsSubmitted: store the credential (CaptureCredentialsUseCase). Handled outside the inbox
 * transaction, so that a client-credentials token request holds no pooled connection; the changes
 * commit with the inbox row through `ctx.commit`.
 */
@Controller()
export class CaptureCredentialsEventsController {
  constructor(private readonly captureCredentials: CaptureCredentialsUseCase) {}

  @EventPattern(CredentialsSubmitted.topic, outsideTransaction())
  async submitted(@Payload() payload: CredentialsSubmittedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    await this.captureCredentials.capture(payload, ctx);
  }
}
