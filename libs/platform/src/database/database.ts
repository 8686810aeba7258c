import { DataSource, DataSourceOptions, MixedList, EntitySchema } from 'typeorm';

export interface ServiceDatabaseOptions {
  url: string;
  schema: string;
  applicationName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

/** Each service owns one schema; its tables change only through migrations, never `synchronize`. */
export function serviceDataSourceOptions(options: ServiceDatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: options.poolSize ?? 10, application_name: options.applicationName, connectionTimeoutMillis: 5000 },
  };
}

/**
 * Runs pending migrations under an advisory lock, so that several instances starting together
 * migrate once. A service's role finds its schema made for it (it may not create schemas); a
 * connection that may, such as an admin's in a development database, creates a missing one.
 */
export async function migrateSchema(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrate:${schema}`]);
    // Not CREATE SCHEMA IF NOT EXISTS: PostgreSQL checks the right to create before it looks.
    const found = (await runner.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])) as unknown[];
    if (found.length === 0) {
      await runner.query(`CREATE SCHEMA "${schema}"`).catch((error: Error) => {
        throw new Error(`schema "${schema}" does not exist and this connection may not create it (${error.message}): create the service's role and schema first (database-roles, see README)`, { cause: error });
      });
    }
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrate:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}

export async function openServiceDatabase(options: ServiceDatabaseOptions): Promise<DataSource> {
  const dataSource = await new DataSource(serviceDataSourceOptions(options)).initialize();
  await migrateSchema(dataSource, options.schema);
  return dataSource;
}

export function databaseReadiness(dataSource: DataSource): { name: string; check(): Promise<void> } {
  return { name: 'database', check: async () => void (await dataSource.query('SELECT 1')) };
}
