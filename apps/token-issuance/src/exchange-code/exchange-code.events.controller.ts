import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CodeReceived, CodeReceivedPayload } from '@cb/events';
import { InboxContext, outsideTransaction } from '@cb/messaging';
import { ExchangeCodeUseCase } from './exchange-code.service';

/**
 * CodeReceived: redeem the code (ExchangeCodeUseCase). Handled outside the inbox transaction, so
 * that no pooled connection is held while the provider answers; the outcome commits with the inbox
 * row through `ctx.commit`.
 */
@Controller()
export class ExchangeCodeEventsController {
  constructor(private readonly exchangeCode: ExchangeCodeUseCase) {}

  @EventPattern(CodeReceived.topic, outsideTransaction())
  async codeReceived(@Payload() payload: CodeReceivedPayload, @Ctx() ctx: InboxContext): Promise<void> {
    await this.exchangeCode.exchange(payload, ctx);
  }
}
