import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PeriodicTask } from '@cb/platform';
import { LOGGER } from '@cb/service-runtime';
import { rowsOf, WebhookTables } from '../webhook-tables';
import { WEBHOOK_SETTINGS, type WebhookSettings } from '../webhooks.config';

const BATCH = 1000;

/**
 * Deletes finished deliveries (succeeded or failed) and their attempts once they are older than
 * WEBHOOK_RETENTION_DAYS, every WEBHOOK_PRUNE_INTERVAL_MS, in batches of a thousand so that no
 * statement holds many locks; pending deliveries are never touched. Each instance prunes; two at
 * once skip each other's rows.
 */
@Injectable()
export class DeliveryPruner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly tables: WebhookTables,
  ) {
    this.task = new PeriodicTask(
      async () => {
        const deleted = await this.prune();
        if (deleted > 0) this.logger.info({ deleted, retentionDays: this.settings.retentionDays }, 'pruned finished webhook deliveries');
      },
      settings.pruneIntervalMs,
      (error) => this.logger.warn({ err: error.message }, 'could not prune webhook deliveries'),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.task.stop();
  }

  /** Deletes every finished delivery past retention, a batch at a time; answers how many. */
  async prune(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const rows = rowsOf<{ id: string }>(
        await this.dataSource.query(
          `DELETE FROM ${this.tables.deliveries} WHERE id IN (
             SELECT id FROM ${this.tables.deliveries}
              WHERE status <> 'pending' AND completed_at < now() - make_interval(days => $1)
              LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
           RETURNING id`,
          [this.settings.retentionDays],
        ),
      );
      deleted += rows.length;
      if (rows.length < BATCH || this.stopped) return deleted;
    }
  }
}
