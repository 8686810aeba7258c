import type { DataSource } from 'typeorm';
import { fromEnv, type ConfigReader } from '../config/load-config';
import { PeriodicTask } from '../scheduling/periodic-task';
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
  private readonly task: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly targets: readonly PruneTarget[],
    private readonly settings: AuditRetentionSettings,
    onError: (error: Error) => void,
  ) {
    this.task = new PeriodicTask(
      async () => {
        await this.pruneOnce();
      },
      settings.pruneIntervalMs,
      onError,
    );
  }

  /** Nest starts a pruner given as a provider (a `useFactory` in each service's module)… */
  onApplicationBootstrap(): void {
    this.start();
  }

  /** …and stops it before the database connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.settings.retentionDays > 0) this.task.start({ now: true });
  }

  stop(): Promise<void> {
    return this.task.stop();
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
}
