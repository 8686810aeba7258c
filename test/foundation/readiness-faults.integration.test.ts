import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { generateVaultKey } from '@cb/vault-crypto';
import { startTokenRefresh } from '../../apps/token-refresh/src/token-refresh.app';
import { runInfraScript } from '../../scripts/lib/local-infra';
import { freePorts } from '../../scripts/lib/ports';
import { createTestDatabase, type TestDatabase, uniqueName, waitFor } from '../harness';

interface Readiness {
  status: string;
  checks: Record<string, string>;
}

/** A private broker for this file, so that stopping it disturbs no other test. */
describe('readiness follows the database and Kafka', () => {
  let kafkaEnv: Record<string, string>;
  let kafkaDir: string;
  let database: TestDatabase;
  let service: INestApplication;
  let url: string;

  const readiness = async (): Promise<Readiness> => (await fetch(`${url}/health/ready`)).json() as Promise<Readiness>;
  const until = (description: string, accept: (r: Readiness) => boolean) =>
    waitFor(async () => {
      const r = await readiness();
      return accept(r) ? r : undefined;
    }, { description, timeoutMs: 60_000, intervalMs: 200 });

  async function setConnections(allowed: boolean): Promise<void> {
    const name = new URL(database.url).pathname.slice(1);
    const admin = new URL(database.url);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS ${allowed}`);
    if (!allowed) await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    await client.end();
  }

  beforeAll(async () => {
    const [port, controllerPort, httpPort] = (await freePorts(3)) as [number, number, number];
    kafkaDir = mkdtempSync(join(tmpdir(), 'cb-kafka-'));
    kafkaEnv = { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_DATA_DIR: kafkaDir };
    await runInfraScript('kafka.sh', ['start'], kafkaEnv);
    database = await createTestDatabase();
    service = await startTokenRefresh({
      DATABASE_URL: database.serviceUrls['token-refresh'],
      KAFKA_BROKERS: `127.0.0.1:${port}`,
      KAFKA_TOPIC_PREFIX: `${uniqueName('r')}.`,
      VAULT_KEYS: generateVaultKey('k1'),
      PORT: String(httpPort),
      LOG_FILE: join(kafkaDir, 'service.log'),
    });
    url = `http://127.0.0.1:${httpPort}`;
  });

  afterAll(async () => {
    await service?.close();
    await runInfraScript('kafka.sh', ['stop'], kafkaEnv).catch(() => undefined);
    await database?.drop();
    rmSync(kafkaDir, { recursive: true, force: true });
  });

  it('is not ready while Kafka is down, and ready again once it is back', async () => {
    await until('ready at start', (r) => r.status === 'ready');
    await runInfraScript('kafka.sh', ['stop'], kafkaEnv);
    const down = await until('not ready without Kafka', (r) => r.status === 'not_ready');
    expect(down.checks.kafka).toMatch(/^(unavailable|timed_out)$/);
    expect(down.checks.database).toBe('ok');
    await runInfraScript('kafka.sh', ['start'], kafkaEnv);
    await until('ready after Kafka returns', (r) => r.status === 'ready');
  });

  it('is not ready while its database refuses connections, and recovers by itself', async () => {
    await setConnections(false);
    try {
      const down = await until('not ready without the database', (r) => r.status === 'not_ready');
      expect(down.checks.database).toMatch(/^(unavailable|timed_out)$/);
    } finally {
      await setConnections(true);
    }
    await until('ready after the database returns', (r) => r.status === 'ready');
  });
});
