import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/**
 * The PostgreSQL schema a service's raw SQL names (`"${schemaOf(manager)}".table`): the one its data
 * source was opened with. Every service owns one schema and reaches no other.
 */
export function schemaOf(source: DataSource | EntityManager | QueryRunner): string {
  const dataSource = 'connection' in source ? source.connection : source;
  return (dataSource.options as PostgresConnectionOptions).schema ?? 'public';
}
