import { BaseRpcContext } from '@nestjs/microservices';
import { EntityManager } from 'typeorm';

/** Runs `work` in the transaction that records the event in the inbox; undefined when it was a duplicate. */
export type InboxCommit = <T>(work: (manager: EntityManager) => Promise<T>) => Promise<T | undefined>;

type InboxArgs = [manager: EntityManager | undefined, headers: Record<string, string>, topic: string, commit?: InboxCommit];

/**
 * What an event handler gets beside the payload. By default `manager` is the transaction in which
 * the inbox row was written, so that the handler's changes and the events it emits commit together
 * with it. A handler registered with {@link outsideTransaction} runs before any transaction (so it
 * may call a provider) and puts its changes in `commit(work)`, which writes the inbox row too.
 */
export class InboxContext extends BaseRpcContext<InboxArgs> {
  get manager(): EntityManager {
    const manager = this.args[0];
    if (!manager) throw new Error('this handler runs outside the inbox transaction: write through ctx.commit(work)');
    return manager;
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

  /** The inbox transaction: the one already open, or (outside it) a new one that records the event. */
  commit<T>(work: (manager: EntityManager) => Promise<T>): Promise<T | undefined> {
    const commit = this.args[3];
    return commit ? commit(work) : work(this.manager);
  }
}
