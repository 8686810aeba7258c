import type { DataSource } from 'typeorm';
import { fromEnv, type ConfigReader } from '../config/load-config';
import { pruneInBatches, type PruneTarget } from './prune-in-batches';

export interface AuditRetentionSettings {
  /** `AUDIT_RETENTION_DAYS`: entries older than this are deleted; 0 keeps them forever. */
  retentionDays: number;
  /** `AUDIT_PRUNE_INTERVAL_MS`: how often a prune runs. */
  pruneIntervalMs: number;
  /** `AUDIT_PRUNE_BATCH_SIZE`: rows per DELETE statement. */
  pruneBatchSize: number;
  /** `AUDIT_PRUNE_MAX_BATCHES`: statements per table per run; a larger backlog goes over several runs. */
  pruneMaxBatches: number;
}

export const auditRetentionReader: ConfigReader<AuditRetentionSettings> = (env) => ({
  retentionDays: fromEnv.integer('AUDIT_RETENTION_DAYS', 365, { min: 0, max: 36500 })(env),
  pruneIntervalMs: fromEnv.integer('AUDIT_PRUNE_INTERVAL_MS', 3_600_000, { min: 1000, max: 86_400_000 })(env),
  pruneBatchSize: fromEnv.integer('AUDIT_PRUNE_BATCH_SIZE', 1000, { min: 1, max: 100_000 })(env),
  pruneMaxBatches: fromEnv.integer('AUDIT_PRUNE_MAX_BATCHES', 100, { min: 1, max: 100_000 })(env),
});

const DAY_MS = 86_400_000;

/**
 * Deletes a service's audit rows older than its retention, table by table, in bounded batches, every
 * `pruneIntervalMs` (and once at start). Several instances may prune at once: a DELETE of rows
 * already gone deletes nothing.
 */
export class AuditPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly targets: readonly PruneTarget[],
    private readonly settings: AuditRetentionSettings,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Nest starts a pruner given as a provider (a `useFactory` in each service's module)… */
  onApplicationBootstrap(): void {
    this.start();
  }

  /** …and stops it before the database connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.settings.retentionDays === 0) return;
    this.timer = setInterval(() => void this.tick(), this.settings.pruneIntervalMs).unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One run over every table; answers how many rows each lost. */
  async pruneOnce(now = new Date()): Promise<Record<string, number>> {
    const cutoff = new Date(now.getTime() - this.settings.retentionDays * DAY_MS);
    const deleted: Record<string, number> = {};
    for (const target of this.targets) {
      deleted[target.table] = await pruneInBatches(this.dataSource, target, { cutoff, batchSize: this.settings.pruneBatchSize, maxBatches: this.settings.pruneMaxBatches });
    }
    return deleted;
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = this.pruneOnce().catch((error: unknown) => this.onError(error as Error));
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }
}
