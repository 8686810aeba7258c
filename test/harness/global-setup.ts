/**
 * Jest globalSetup of the `integration` project: real Kafka and PostgreSQL for the test run.
 *   TEST_INFRA=auto (default)  containers when an engine answers and the images exist, else local
 *   TEST_INFRA=docker          Testcontainers (apache/kafka:3.9.1, postgres:15)
 *   TEST_INFRA=local           fresh processes via scripts/infra/*.sh in .data/test-run-<pid>/
 *   TEST_INFRA=external        KAFKA_BROKERS and DATABASE_URL from the environment
 * Exports KAFKA_BROKERS and DATABASE_URL (an admin URL) to the test workers, and the run's database
 * roles (HARNESS_DATABASE_ROLES: one per service, and the template each test database copies).
 */
import { containersUsable, startContainers, stopContainers } from './containers';
import { provisionHarnessRoles } from './database-roles';
import { cleanStaleRuns, progress, startLocal, stopLocal } from './local-infra';
import { HARNESS_KEY, type HarnessHandle } from './handle';

type Mode = 'auto' | 'docker' | 'local' | 'external';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const requested = (process.env.TEST_INFRA ?? 'auto') as Mode;
  if (!['auto', 'docker', 'local', 'external'].includes(requested)) {
    throw new Error(`TEST_INFRA must be auto, docker, local or external, not "${requested}"`);
  }
  let handle: HarnessHandle;
  let env: { kafkaBrokers: string; databaseUrl: string };
  if (requested === 'external') {
    const { KAFKA_BROKERS, DATABASE_URL } = process.env;
    if (!KAFKA_BROKERS || !DATABASE_URL) throw new Error('TEST_INFRA=external needs KAFKA_BROKERS and DATABASE_URL');
    handle = { mode: 'external' };
    env = { kafkaBrokers: KAFKA_BROKERS, databaseUrl: DATABASE_URL };
  } else if (requested === 'docker' || (requested === 'auto' && (await containersUsable()))) {
    const { containers, ...rest } = await startContainers().catch((err: Error) => {
      throw new Error(`TEST_INFRA=${requested}: could not start containers: ${err.message}`, { cause: err });
    });
    handle = { mode: 'docker', containers };
    env = rest;
  } else {
    await cleanStaleRuns();
    const { state, ...rest } = await startLocal();
    handle = { mode: 'local', state };
    env = rest;
    // Lets a test read the cluster's raw files (the canary test searches them for plaintext secrets).
    if (state.postgres) process.env.HARNESS_POSTGRES_DATA_DIR = state.postgres.dataDir;
  }
  (globalThis as Record<string, unknown>)[HARNESS_KEY] = handle;
  process.env.KAFKA_BROKERS = env.kafkaBrokers;
  process.env.DATABASE_URL = env.databaseUrl;
  const roles = await provisionHarnessRoles(env.databaseUrl).catch(async (err: Error) => {
    // Jest runs no teardown when setup throws: stop what was started here.
    if (handle.mode === 'docker') await stopContainers(handle.containers);
    if (handle.mode === 'local') await stopLocal(handle.state);
    throw new Error(`could not create the services' database roles: ${err.message}`, { cause: err });
  });
  if (handle.mode === 'external') handle.roles = roles;
  progress(`${handle.mode}: KAFKA_BROKERS=${env.kafkaBrokers} DATABASE_URL=${env.databaseUrl}, service roles ${roles.prefix}* (${Date.now() - started} ms)`);
}
