import type { DataSource } from 'typeorm';
import { METRICS } from './metrics.catalog';
import { ServiceMetrics } from './service-metrics';

/** What node-postgres's `Pool` counts (TypeORM's postgres driver keeps it as `master`). */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** The service's PostgreSQL pool as three gauges, read from the pool's own counters at scrape time (no query). */
export function recordDatabasePool(metrics: ServiceMetrics, dataSource: DataSource): void {
  const pool = (): PoolCounts | undefined => (dataSource.driver as unknown as { master?: PoolCounts }).master;
  metrics.gauge(METRICS.dbPoolTotal, (gauge) => gauge.set(pool()?.totalCount ?? 0));
  metrics.gauge(METRICS.dbPoolIdle, (gauge) => gauge.set(pool()?.idleCount ?? 0));
  metrics.gauge(METRICS.dbPoolWaiting, (gauge) => gauge.set(pool()?.waitingCount ?? 0));
}
