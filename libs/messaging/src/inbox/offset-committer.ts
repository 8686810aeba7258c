import { Logger } from '@nestjs/common';
import type { Consumer } from 'kafkajs';

/** How often a consumer commits the offsets of the events it has handled, when it has handled any. */
export const OFFSET_COMMIT_INTERVAL_MS = 1000;

interface PendingOffset {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Commits a consumer's handled offsets once a second instead of after every fetched batch (kafkajs's
 * `autoCommit`, which under load commits every one or two events: a write to the broker's offsets log
 * each time). What is handled and not yet committed when a partition moves or the process dies is
 * delivered again, and the inbox passes over what it already holds, as after any redelivery.
 * Failed commits (the broker away, a rebalance under way) are left to the next round.
 */
export class OffsetCommitter {
  private readonly logger = new Logger(OffsetCommitter.name);
  private readonly pending = new Map<string, PendingOffset>();
  private timer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;

  constructor(private readonly consumer: Consumer, private readonly intervalMs = OFFSET_COMMIT_INTERVAL_MS) {}

  start(): void {
    this.timer ??= setInterval(() => void this.commit(), this.intervalMs);
    this.timer.unref();
    // After a rebalance the consumer reads its partitions from their committed offsets again; progress
    // on a partition it lost is no longer its to commit (the new owner's commits would be overwritten).
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.keepOnly(payload.memberAssignment));
  }

  /** The event at `offset` is handled (or passed over): the partition may resume after it. */
  handled(topic: string, partition: number, offset: string): void {
    this.pending.set(`${topic}\u0000${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
  }

  /** Commits what is pending (one request for every partition), unless a commit is under way. */
  commit(): Promise<void> {
    if (this.committing || this.pending.size === 0) return this.committing ?? Promise.resolve();
    const offsets = [...this.pending.entries()];
    this.committing = this.consumer
      .commitOffsets(offsets.map(([, pending]) => pending))
      .then(() => {
        for (const [key, pending] of offsets) if (this.pending.get(key) === pending) this.pending.delete(key);
      })
      .catch((error: Error) => this.logger.debug({ err: error.message }, 'offset commit failed; retried with the next one'))
      .finally(() => {
        this.committing = undefined;
      });
    return this.committing;
  }

  /**
   * Stops the timer after a last commit of what is pending (call before the consumer leaves its
   * group), waiting for it at most `waitMs`: with the broker away a commit retries for as long as the
   * consumer does, and what it would have committed is only delivered again.
   */
  async stop(waitMs = 2 * this.intervalMs): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    let timeout: NodeJS.Timeout | undefined;
    const lastCommit = (this.committing ?? Promise.resolve()).then(() => this.commit());
    await Promise.race([lastCommit, new Promise<void>((resolve) => (timeout = setTimeout(resolve, waitMs)))]);
    clearTimeout(timeout);
  }

  private keepOnly(assignment: Record<string, number[]>): void {
    for (const [key, { topic, partition }] of this.pending) {
      if (!(assignment[topic] ?? []).includes(partition)) this.pending.delete(key);
    }
  }
}
