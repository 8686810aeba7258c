import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import type { Logger } from 'pino';
import { METRICS, ServiceMetrics } from '@cb/platform';
import { LOGGER } from '@cb/service-runtime';
import { WEBHOOK_SETTINGS, type WebhookSettings } from '../webhooks.config';
import { DeliveryQueue, type ClaimedDelivery } from './delivery-queue';
import { WebhookSender } from './webhook-sender';

/**
 * Runs deliveries: claims what is due (up to the free slots of WEBHOOK_CONCURRENCY), sends each with
 * no transaction open and no pooled connection held, and records the outcome. Looks again when an
 * attempt ends, and every WEBHOOK_POLL_INTERVAL_MS.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private again = false;
  private stopped = false;
  private readonly attempts: Counter<'outcome' | 'next'>;
  private readonly durations: Histogram<'outcome'>;

  constructor(
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly queue: DeliveryQueue,
    private readonly sender: WebhookSender,
    metrics: ServiceMetrics,
  ) {
    this.attempts = metrics.counter(METRICS.webhookAttempts);
    this.durations = metrics.histogram(METRICS.webhookAttemptDuration);
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Before the data source closes: attempts under way finish and are recorded (each bounded by its timeout); what a kill leaves is retried by lease. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
  }

  /** Looks at the queue now (e.g. after a replay or a new endpoint's first delivery). */
  wake(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      const claimed = await this.queue.claim(this.settings.concurrency - this.running.size);
      for (const delivery of claimed) this.start(delivery);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'webhook queue unavailable');
    } finally {
      this.ticking = false;
    }
    if (this.again) {
      this.again = false;
      this.schedule(0);
    } else {
      this.schedule(this.settings.pollIntervalMs);
    }
  }

  private start(delivery: ClaimedDelivery): void {
    const run = this.deliver(delivery).finally(() => {
      this.running.delete(run);
      this.wake();
    });
    this.running.add(run);
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    try {
      const result = await this.sender.send(delivery);
      const next = await this.queue.complete(delivery, result);
      this.attempts.inc({ outcome: result.outcome, next });
      this.durations.observe({ outcome: result.outcome }, result.durationMs / 1000);
      this.logger.info({ deliveryId: delivery.id, endpointId: delivery.endpointId, attempt: delivery.attempt, outcome: result.outcome, statusCode: result.statusCode, next }, 'webhook attempt');
    } catch (error) {
      // the lease runs out and the delivery is sent again: at least once
      this.logger.warn({ deliveryId: delivery.id, endpointId: delivery.endpointId, err: (error as Error).message }, 'webhook attempt not recorded');
    }
  }
}
