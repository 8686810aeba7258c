import { performance } from 'node:perf_hooks';
import type { Consumer } from 'kafkajs';
import { METRICS, ServiceMetrics } from '@cb/platform';
import { unprefixed } from '../kafka/topic-label';

/**
 * What the inbox transport records, by topic as the catalogue names it (without the deployment's
 * prefix): events handled, duplicates passed over, retries, dead letters, each attempt's duration,
 * and consumer lag per partition.
 */
export class InboxMetrics {
  private readonly handledEvents;
  private readonly duplicates;
  private readonly retries;
  private readonly deadLetters;
  private readonly duration;
  private readonly lag;

  constructor(
    metrics: ServiceMetrics,
    private readonly topicPrefix: string,
  ) {
    this.handledEvents = metrics.counter(METRICS.inboxEventsHandled);
    this.duplicates = metrics.counter(METRICS.inboxDuplicatesSkipped);
    this.retries = metrics.counter(METRICS.inboxRetries);
    this.deadLetters = metrics.counter(METRICS.inboxDeadLetters);
    this.duration = metrics.histogram(METRICS.inboxHandlerDuration);
    this.lag = metrics.gauge(METRICS.kafkaConsumerLag);
  }

  handled(topic: string, outcome: 'handled' | 'duplicate', startedAt: number): void {
    const labels = { topic: unprefixed(topic, this.topicPrefix) };
    (outcome === 'handled' ? this.handledEvents : this.duplicates).inc(labels);
    this.duration.observe({ ...labels, outcome: 'ok' }, (performance.now() - startedAt) / 1000);
  }

  failed(topic: string, startedAt: number): void {
    this.duration.observe({ topic: unprefixed(topic, this.topicPrefix), outcome: 'failed' }, (performance.now() - startedAt) / 1000);
  }

  retried(topic: string): void {
    this.retries.inc({ topic: unprefixed(topic, this.topicPrefix) });
  }

  deadLettered(topic: string, kind: 'rejected' | 'handler_failed'): void {
    this.deadLetters.inc({ topic: unprefixed(topic, this.topicPrefix), kind });
  }

  /**
   * Lag from kafkajs's own instrumentation, at no cost: each batch reports how far its partition's
   * high watermark is ahead of the batch's last offset. After a rebalance the partitions this
   * consumer no longer owns are dropped, so another instance's partitions are not reported twice.
   */
  followLag(consumer: Consumer): void {
    const reported = new Map<string, Set<number>>();
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const lag = Number(payload.offsetLag);
      if (!Number.isFinite(lag)) return;
      this.lag.set({ topic: unprefixed(payload.topic, this.topicPrefix), partition: String(payload.partition) }, Math.max(0, lag));
      let partitions = reported.get(payload.topic);
      if (!partitions) reported.set(payload.topic, (partitions = new Set()));
      partitions.add(payload.partition);
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const [topic, partitions] of reported) {
        const assigned = payload.memberAssignment[topic] ?? [];
        for (const partition of partitions) {
          if (assigned.includes(partition)) continue;
          this.lag.remove({ topic: unprefixed(topic, this.topicPrefix), partition: String(partition) });
          partitions.delete(partition);
        }
      }
    });
  }
}
