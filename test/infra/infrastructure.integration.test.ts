/** Proves the integration harness: a real Kafka broker and a real PostgreSQL answer. */
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { collectMessages, createTestDatabase, createTopics, harnessEnv, uniqueName, waitFor } from '../harness';

describe('integration infrastructure', () => {
  const { kafkaBrokers } = harnessEnv();

  it('Kafka: creates a topic, produces and consumes a message with key and headers', async () => {
    const topic = uniqueName('infra-test');
    await createTopics(kafkaBrokers, [topic]);
    await createTopics(kafkaBrokers, [topic]); // already existing: ignored

    const collector = await collectMessages({ brokers: kafkaBrokers, topics: [topic] });
    const producer = new Kafka({ clientId: uniqueName('infra-producer'), brokers: kafkaBrokers, logLevel: logLevel.ERROR }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k1', value: 'hello', headers: { 'event-id': 'e-1' } }] });
      const [message] = await collector.waitForCount(1);
      expect(message).toEqual({ topic, key: 'k1', value: 'hello', headers: { 'event-id': 'e-1' } });
    } finally {
      await producer.disconnect();
      await collector.stop();
    }
  });

  it('Kafka: a collector without fromBeginning skips what was sent before it was created', async () => {
    const topic = uniqueName('infra-test');
    await createTopics(kafkaBrokers, [topic]);
    const producer = new Kafka({ clientId: uniqueName('infra-producer'), brokers: kafkaBrokers, logLevel: logLevel.ERROR }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ value: 'before' }] });
      const everything = await collectMessages({ brokers: kafkaBrokers, topics: [topic], fromBeginning: true });
      const fresh = await collectMessages({ brokers: kafkaBrokers, topics: [topic] });
      await producer.send({ topic, messages: [{ value: 'after' }] });
      expect((await everything.waitForCount(2)).map((m) => m.value)).toEqual(['before', 'after']);
      expect((await fresh.waitForCount(1)).map((m) => m.value)).toEqual(['after']);
      await Promise.all([everything.stop(), fresh.stop()]);
    } finally {
      await producer.disconnect();
    }
  });

  it('PostgreSQL: creates a database, queries it, drops it while a connection is open', async () => {
    const db = await createTestDatabase();
    const client = new Client({ connectionString: db.url });
    client.on('error', () => undefined); // drop() terminates this connection
    await client.connect();
    const { rows } = await client.query<{ db: string; answer: number }>('SELECT current_database() AS db, 6 * 7 AS answer');
    expect(rows[0]?.answer).toBe(42);
    expect(db.url.endsWith(`/${rows[0]?.db}`)).toBe(true);

    await db.drop();
    const admin = new Client({ connectionString: harnessEnv().databaseUrl });
    await admin.connect();
    try {
      const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [rows[0]?.db]);
      expect(left.rowCount).toBe(0);
    } finally {
      await admin.end();
      await client.end().catch(() => undefined);
    }
  });

  it('waitFor: returns the first truthy value and names the description and last error on timeout', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? calls : undefined), { intervalMs: 1 })).resolves.toBe(3);
    await expect(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        { timeoutMs: 50, intervalMs: 5, description: 'the impossible' },
      ),
    ).rejects.toThrow(/the impossible.*not yet/);
  });
});
