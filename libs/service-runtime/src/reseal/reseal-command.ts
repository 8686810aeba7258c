import { DataSource, EntitySchema, MixedList } from 'typeorm';
import { keyringFrom, loadConfig, serviceConfigReaders, serviceDataSourceOptions } from '@cb/platform';
import type { Keyring } from '@cb/vault-crypto';

export interface ResealCommand {
  serviceName: string;
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  /** Re-seals the service's own tables; returns rows re-sealed by table. */
  reseal(dataSource: DataSource, keyring: Keyring): Promise<Record<string, number>>;
}

/**
 * Runs a service's re-encryption with the service's own environment (DATABASE_URL, VAULT_KEYS,
 * VAULT_PRIMARY_KEY_ID): every value sealed under a key other than the primary one is opened and
 * sealed again under the primary. Safe to run while the service runs, and to run again.
 */
export async function runReseal(command: ResealCommand, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, number>> {
  const readers = serviceConfigReaders(command.serviceName, 0);
  const config = loadConfig({ serviceName: readers.serviceName, databaseUrl: readers.databaseUrl, vaultKeys: readers.vaultKeys, vaultPrimaryKeyId: readers.vaultPrimaryKeyId }, env);
  const keyring = keyringFrom(config);
  const dataSource = await new DataSource(
    serviceDataSourceOptions({ url: config.databaseUrl, schema: command.schema, applicationName: `${command.serviceName}-reseal`, entities: command.entities, migrations: [], poolSize: 2 }),
  ).initialize();
  try {
    return await command.reseal(dataSource, keyring);
  } finally {
    await dataSource.destroy();
  }
}

/** The entry point of a `reseal-secrets` command: prints `{ service, primaryKeyId, resealed }` as JSON. */
export function runResealMain(command: ResealCommand): void {
  runReseal(command).then(
    (resealed) => {
      process.stdout.write(`${JSON.stringify({ service: command.serviceName, primaryKeyId: process.env.VAULT_PRIMARY_KEY_ID ?? null, resealed })}\n`);
      process.exit(0);
    },
    (error: Error) => {
      process.stderr.write(`reseal-secrets (${command.serviceName}) failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}
