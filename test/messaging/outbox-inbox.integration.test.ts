import { INestApplication } from '@nestjs/common';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ConnectorDeactivated, DEAD_LETTER_TOPIC, cloudEventHeaders } from '@cb/events';
import { MessagingTables1764300000000, OFFSET_COMMIT_INTERVAL_MS, OutboxWriter } from '@cb/messaging';
import { openServiceDatabase } from '@cb/platform';
import { generateVaultKey } from '@cb/vault-crypto';
import { collectMessages, createTestDatabase, createTopics, harnessEnv, uniqueName, waitFor } from '../harness';
import { IRRELEVANT_CONNECTOR_ID, POISON_CONNECTOR_ID, PROBE_SCHEMA, startProbeConsumer } from './fixtures/probe-consumer';

const PRODUCER_SCHEMA = 'probe_producer';

describe('outbox and inbox on the real broker', () => {
  const { kafkaBrokers } = harnessEnv();
  const topicPrefix = `${uniqueName('m')}.`;
  const topic = `${topicPrefix}${ConnectorDeactivated.topic}`;
  const deadLetterTopic = `${topicPrefix}${DEAD_LETTER_TOPIC}`;
  let database: { url: string; drop(): Promise<void> };
  let producerDb: DataSource;
  let writer: OutboxWriter;
  let consumer: INestApplication;
  let relays: ChildProcess[] = [];
  const env = (): NodeJS.ProcessEnv => ({ DATABASE_URL: database.url, KAFKA_BROKERS: kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: topicPrefix, VAULT_KEYS: generateVaultKey('k1'), PORT: '0', LOG_FILE: `${tmpdir()}/probe-consumer-${process.pid}.log` });

  const workspaceId = randomUUID();
  const event = (connectorId: string = randomUUID()) => ({ connectorId, workspaceId, version: 1, deactivatedAt: new Date().toISOString() });
  const received = async (): Promise<{ event_id: string; connector_id: string }[]> =>
    producerDb.query(`SELECT event_id, connector_id FROM "${PROBE_SCHEMA}".received ORDER BY received_at`);
  const pending = async (): Promise<number> => Number((await producerDb.query(`SELECT count(*) AS n FROM "${PRODUCER_SCHEMA}".outbox WHERE published_at IS NULL`))[0].n);

  function startRelay(extraEnv: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'test/messaging/fixtures/relay.main.ts'], {
      env: { ...process.env, ...env(), ...extraEnv, TS_NODE_PROJECT: 'tsconfig.json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    relays.push(child);
    return child;
  }
  const exited = (child: ChildProcess): Promise<NodeJS.Signals | number | null> =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.signalCode ?? child.exitCode) : new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));

  beforeAll(async () => {
    database = await createTestDatabase();
    producerDb = await openServiceDatabase({ url: database.url, schema: PRODUCER_SCHEMA, applicationName: 'probe-producer', entities: [], migrations: [MessagingTables1764300000000] });
    writer = new OutboxWriter({ serviceName: 'probe-producer', instanceId: 'probe', schema: PRODUCER_SCHEMA, databaseUrl: database.url, kafkaBrokers, topicPrefix });
    await createTopics(kafkaBrokers, [topic, deadLetterTopic]);
    consumer = await startProbeConsumer(env());
  });

  afterAll(async () => {
    for (const child of relays) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(relays.map(exited));
    await consumer?.close();
    await producerDb?.destroy();
    await database?.drop();
  });

  afterEach(async () => {
    for (const child of relays) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.all(relays.map(exited));
    relays = [];
  });

  it('delivers each committed event to the consumer exactly once, even when the relay dies between publishing and marking', async () => {
    const ids = Array.from({ length: 20 }, () => randomUUID());
    for (const id of ids) await producerDb.transaction((manager) => writer.append(manager, ConnectorDeactivated, event(id)));
    const onTopic = await collectMessages({ brokers: kafkaBrokers, topics: [topic], fromBeginning: true });

    const crashing = startRelay({ OUTBOX_RELAY_FAULT: 'crash-after-publish' });
    expect(await exited(crashing)).toBe('SIGKILL');
    await onTopic.waitForCount(20, 30_000);
    expect(await pending()).toBe(20);

    startRelay();
    await waitFor(async () => (await pending()) === 0, { description: 'restarted relay marks the outbox', timeoutMs: 30_000 });
    await onTopic.waitForCount(40, 30_000);
    // One partition: once an event sent after the redelivered ones is handled, so are they.
    const marker = randomUUID();
    await producerDb.transaction((manager) => writer.append(manager, ConnectorDeactivated, event(marker)));
    const all = await waitFor(async () => {
      const rows = await received();
      return rows.some((r) => r.connector_id === marker) ? rows : undefined;
    }, { description: 'the marker after the redelivered events is handled', timeoutMs: 30_000 });
    await onTopic.stop();
    const rows = all.filter((r) => r.connector_id !== marker);

    expect(rows.map((r) => r.connector_id).sort()).toEqual([...ids].sort());
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(20);
    const message = onTopic.messages[0];
    expect(message?.headers).toMatchObject({ ce_specversion: '1.0', ce_type: ConnectorDeactivated.type, ce_source: '/credential-broker/probe-producer', 'content-type': 'application/json' });
    expect(ids).toContain(message?.key);
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    startRelay();
    const before = (await received()).length;
    const rolledBack = randomUUID();
    await expect(
      producerDb.transaction(async (manager) => {
        await writer.append(manager, ConnectorDeactivated, event(rolledBack));
        throw new Error('business rule failed after the event was written');
      }),
    ).rejects.toThrow('business rule failed');
    const marker = randomUUID();
    await producerDb.transaction((manager) => writer.append(manager, ConnectorDeactivated, event(marker)));

    const rows = await waitFor(async () => {
      const all = await received();
      return all.some((r) => r.connector_id === marker) ? all : undefined;
    }, { description: 'the committed marker event arrives', timeoutMs: 30_000 });
    expect(rows.some((r) => r.connector_id === rolledBack)).toBe(false);
    expect(rows.length).toBe(before + 1);
  });

  it("passes over events its handler declares irrelevant: no handler call, no inbox row", async () => {
    startRelay();
    await producerDb.transaction((manager) => writer.append(manager, ConnectorDeactivated, event(IRRELEVANT_CONNECTOR_ID)));
    const marker = randomUUID();
    await producerDb.transaction((manager) => writer.append(manager, ConnectorDeactivated, event(marker)));
    await waitFor(async () => (await received()).some((r) => r.connector_id === marker), { description: 'the marker after the irrelevant event is handled', timeoutMs: 30_000 });
    const irrelevantIds = await producerDb.query<{ id: string }[]>(`SELECT id FROM "${PRODUCER_SCHEMA}".outbox WHERE payload->>'connectorId' = $1`, [IRRELEVANT_CONNECTOR_ID]);
    expect(irrelevantIds).toHaveLength(1);
    expect((await received()).some((r) => r.connector_id === IRRELEVANT_CONNECTOR_ID)).toBe(false);
    expect(await producerDb.query(`SELECT 1 FROM "${PROBE_SCHEMA}".inbox WHERE event_id = $1`, [irrelevantIds[0]?.id])).toEqual([]);
  });

  it('dead-letters malformed and poison messages and goes on consuming', async () => {
    const kafka = new Kafka({ clientId: 'bad-producer', brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const deadLetters = await collectMessages({ brokers: kafkaBrokers, topics: [deadLetterTopic], fromBeginning: true });
    const headers = (overrides: Record<string, string> = {}) => ({ ...cloudEventHeaders(ConnectorDeactivated, 'test', 'k'), ...overrides });
    const good = randomUUID();
    await producer.send({
      topic,
      messages: [
        { key: 'a', value: '{not json', headers: headers() },
        { key: 'b', value: JSON.stringify(event()), headers: { 'content-type': 'application/json' } },
        { key: 'c', value: JSON.stringify(event()), headers: headers({ ce_type: 'dev.credential-broker.connector.deactivated.v9' }) },
        { key: 'd', value: JSON.stringify({ connectorId: 'not-a-uuid' }), headers: headers() },
        { key: 'e', value: JSON.stringify(event(POISON_CONNECTOR_ID)), headers: headers() },
        // Malformed but irrelevant to the handler: passed over unvalidated, not dead-lettered (before 'f' on its partition).
        { key: 'f', value: JSON.stringify({ ...event(IRRELEVANT_CONNECTOR_ID), version: 'not-a-number' }), headers: headers() },
        { key: 'f', value: JSON.stringify(event(good)), headers: headers() },
      ],
    });
    await producer.disconnect();

    await waitFor(async () => (await received()).some((r) => r.connector_id === good), { description: 'the good message after the bad ones is handled', timeoutMs: 30_000 });
    const letters = await deadLetters.waitForCount(5, 30_000);
    await deadLetters.stop();
    const codes = Object.fromEntries(letters.map((m) => [m.key, m.headers.dlq_error_code]));
    expect(codes).toEqual({ a: 'malformed_json', b: 'missing_cloudevents_attributes', c: 'unsupported_event_type', d: 'invalid_payload', e: 'handler_failed' });
    expect(letters.every((m) => m.headers.dlq_original_topic === topic)).toBe(true);
  });

  it('commits the offsets it has handled about once a second, not after every event', async () => {
    startRelay();
    const [kafkaConsumer] = consumer.getMicroservices()[0]!.unwrap<Consumer[]>();
    let commits = 0;
    const stopCounting = kafkaConsumer!.on(kafkaConsumer!.events.COMMIT_OFFSETS, () => {
      commits++;
    });
    const events = 20;
    const started = Date.now();
    // One at a time, each handled before the next is written: twenty fetched batches.
    for (let i = 0; i < events; i++) {
      const connectorId = randomUUID();
      await producerDb.transaction((manager) => writer.append(manager, ConnectorDeactivated, event(connectorId)));
      await waitFor(async () => (await received()).some((r) => r.connector_id === connectorId), { description: `event ${i + 1} handled`, timeoutMs: 30_000 });
    }
    const admin = new Kafka({ clientId: uniqueName('offsets'), brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      await waitFor(async () => {
        const [committed] = await admin.fetchOffsets({ groupId: `${topicPrefix}probe-consumer`, topics: [topic] });
        return ends.every((end) => end.high === '0' || committed!.partitions.find((p) => p.partition === end.partition)?.offset === end.high);
      }, { description: 'every handled offset committed', timeoutMs: 5 * OFFSET_COMMIT_INTERVAL_MS });
    } finally {
      await admin.disconnect();
    }
    const seconds = (Date.now() - started) / 1000;
    stopCounting();
    process.stdout.write(`${events} events handled one at a time in ${seconds.toFixed(1)} s: ${commits} offset commits\n`);
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(events);
    expect(commits).toBeLessThanOrEqual(Math.ceil((seconds * 1000) / OFFSET_COMMIT_INTERVAL_MS) + 1);
  });
});
