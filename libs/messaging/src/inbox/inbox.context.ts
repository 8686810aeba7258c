import { BaseRpcContext } from '@nestjs/microservices';
import { EntityManager } from 'typeorm';

type InboxArgs = [manager: EntityManager, headers: Record<string, string>, topic: string];

/**
 * What an event handler gets beside the payload: the transaction in which the inbox row was
 * written, so that its own changes and the events it emits commit together with it.
 */
export class InboxContext extends BaseRpcContext<InboxArgs> {
  get manager(): EntityManager {
    return this.args[0];
  }
  get headers(): Record<string, string> {
    return this.args[1];
  }
  get eventId(): string {
    return this.args[1].ce_id ?? '';
  }
  get topic(): string {
    return this.args[2];
  }
}
