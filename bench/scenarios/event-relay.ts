/**
 * 5. Event relay: N rows committed to a service's outbox at once, relayed to Kafka by its
 * OutboxRelay (LISTEN/NOTIFY wake-up, batches read in commit order, idempotent producer, rows
 * marked published). Against a bare kafkajs producer sending the same messages with the same
 * producer settings and batch size. Both are also timed until an external consumer has all N.
 */
import { randomUUID } from 'node:crypto';
import { ensureTopics, createKafka } from '@cb/messaging';
import { DEFAULT_TOPIC_PARTITIONS } from '@cb/platform';
import type { BenchContext } from '../lib/context';
import { messagesIn, startCollector } from '../lib/kafka';
import { figure, progress, ScenarioResult, scenarioResult } from '../lib/report';
import { CpuSampler } from '../lib/sampler';
import { median, percentile, summarize } from '../lib/stats';

const SCHEMA = 'connector_config';

function samplePayload(): Record<string, unknown> {
  return {
    connectionId: randomUUID(),
    workspaceId: randomUUID(),
    connectorId: randomUUID(),
    endUserId: 'bench-user',
    connectorVersion: 1,
    mode: 'OAUTH2',
    reason: 'refresh',
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    refreshable: true,
    refreshMarginSeconds: 300,
    credentialVersion: 2,
    issuedAt: new Date().toISOString(),
  };
}

function sampleHeaders(id: string, key: string): Record<string, string> {
  return {
    ce_specversion: '1.0',
    ce_id: id,
    ce_type: 'credential-broker.token-issued.v1',
    ce_source: 'connector-config',
    ce_time: new Date().toISOString(),
    ce_subject: key,
    'content-type': 'application/json',
  };
}

export async function eventRelay(ctx: BenchContext): Promise<ScenarioResult> {
  const n = ctx.settings.relayEvents;
  const relayTopic = 'bench.relay.v1';
  const floorTopic = 'bench.relay-floor.v1';
  const singleTopic = 'bench.relay-single.v1';
  const admin = ctx.kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [relayTopic, floorTopic, singleTopic], DEFAULT_TOPIC_PARTITIONS);
  const arrivalOf = (key: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`event ${key} not consumed within 30 s`)), 30_000);
      singles.set(key, (at) => {
        clearTimeout(timer);
        singles.delete(key);
        resolve(at);
      });
    });

  const consumed: Record<string, { count: number; doneAt?: number; resolve?: () => void }> = { [relayTopic]: { count: 0 }, [floorTopic]: { count: 0 } };
  const singles = new Map<string, (at: number) => void>();
  const collector = await startCollector(ctx.kafka, ctx.unique('bench-relay'), [relayTopic, floorTopic, singleTopic], (m) => {
    if (m.topic === singleTopic) {
      singles.get(m.key ?? '')?.(m.at);
      return;
    }
    const c = consumed[m.topic];
    if (!c) return;
    c.count++;
    if (c.count === n) {
      c.doneAt = m.at;
      c.resolve?.();
    }
  });
  const allConsumed = (topic: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const c = consumed[topic]!;
      if (c.count >= n) return resolve();
      const timer = setTimeout(() => reject(new Error(`${c.count} of ${n} events consumed from ${topic} after 120 s`)), 120_000);
      c.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  try {
    // --- the broker: one transaction commits N outbox rows, the relay takes it from there
    const payload = samplePayload();
    const sampler = new CpuSampler(() => ctx.watched(), ctx.infra.adminUrl);
    const client = await ctx.db.connect();
    let committedAt: Date;
    let startedAt: number;
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO "${SCHEMA}".outbox (id, topic, message_key, payload, headers)
         SELECT id, $1, g::text, $2::jsonb || jsonb_build_object('connectionId', id),
                $3::jsonb || jsonb_build_object('ce_id', id::text, 'ce_subject', g::text)
         FROM (SELECT gen_random_uuid() AS id, g FROM generate_series(1, $4::int) g) rows`,
        [relayTopic, JSON.stringify(payload), JSON.stringify(sampleHeaders('x', 'x')), n],
      );
      await client.query(`SELECT pg_notify('outbox_${SCHEMA}', 'bench')`);
      await sampler.start();
      await client.query('COMMIT');
      startedAt = performance.now();
      committedAt = (await client.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]!.t;
    } finally {
      client.release();
    }
    // Progress comes from the collector, not from the outbox: a count over 50,000 pending rows every
    // 50 ms cost PostgreSQL 0.8-1.3 CPU seconds, taken from the relay on a 2-core machine.
    const reporting = setInterval(() => progress(`5 event relay: ${consumed[relayTopic]!.count}/${n} consumed`), 1000);
    try {
      await allConsumed(relayTopic);
    } finally {
      clearInterval(reporting);
    }
    // Every event is on Kafka; the relay marks the last batch right after its acknowledgement.
    for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 20))) {
      const { rows } = await ctx.db.query<{ pending: number }>(`SELECT count(*)::int AS pending FROM "${SCHEMA}".outbox WHERE topic = $1 AND published_at IS NULL`, [relayTopic]);
      if (rows[0]!.pending === 0) break;
      if (Date.now() > deadline) throw new Error(`${rows[0]!.pending} events consumed but not marked published 30 s later`);
    }
    const { rows: last } = await ctx.db.query<{ t: Date }>(`SELECT max(published_at) AS t FROM "${SCHEMA}".outbox WHERE topic = $1`, [relayTopic]);
    const relaySeconds = (last[0]!.t.getTime() - committedAt.getTime()) / 1000;
    const relayConsumedSeconds = (consumed[relayTopic]!.doneAt! - startedAt) / 1000;
    const cpu = await sampler.stop();
    const inTopic = await messagesIn(admin, relayTopic);

    // --- the floor: the same messages from memory, a bare producer with the relay's settings and batch size
    const { rows: messages } = await ctx.db.query<{ message_key: string; payload: unknown; headers: Record<string, string> }>(
      `SELECT message_key, payload, headers FROM "${SCHEMA}".outbox WHERE topic = $1 ORDER BY seq`,
      [relayTopic],
    );
    const producer = createKafka('bench-floor-producer', ctx.system.kafkaBrokers).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const prepared = messages.map((m) => ({ key: m.message_key, value: JSON.stringify(m.payload), headers: m.headers }));
    const floorSampler = new CpuSampler(() => ctx.watched(), ctx.infra.adminUrl);
    await floorSampler.start();
    const floorStart = performance.now();
    for (let i = 0; i < prepared.length; i += ctx.settings.relayBatchSize) {
      await producer.sendBatch({ topicMessages: [{ topic: floorTopic, messages: prepared.slice(i, i + ctx.settings.relayBatchSize) }], acks: -1 });
      progress(`5 event relay floor: ${Math.min(prepared.length, i + ctx.settings.relayBatchSize)}/${n} sent`);
    }
    const floorSeconds = (performance.now() - floorStart) / 1000;
    await allConsumed(floorTopic);
    const floorConsumedSeconds = (consumed[floorTopic]!.doneAt! - floorStart) / 1000;
    const floorCpu = await floorSampler.stop();

    // --- one event at a time: commit -> relay wake-up -> Kafka -> consumer, against produce -> consume
    const singleBroker: number[] = [];
    const singleFloor: number[] = [];
    const value = JSON.stringify(payload);
    for (let i = 0; i < ctx.settings.relaySingleEvents; i++) {
      const key = `single-${i}`;
      const arrived = arrivalOf(key);
      const c = await ctx.db.connect();
      let t0: number;
      try {
        await c.query('BEGIN');
        await c.query(`INSERT INTO "${SCHEMA}".outbox (id, topic, message_key, payload, headers) VALUES (gen_random_uuid(), $1, $2, $3, $4)`, [singleTopic, key, value, JSON.stringify(sampleHeaders(key, key))]);
        await c.query(`SELECT pg_notify('outbox_${SCHEMA}', $1)`, [key]);
        await c.query('COMMIT');
        t0 = performance.now();
      } finally {
        c.release();
      }
      singleBroker.push((await arrived) - t0);
      const floorKey = `single-floor-${i}`;
      const floorArrived = arrivalOf(floorKey);
      const f0 = performance.now();
      await producer.send({ topic: singleTopic, acks: -1, messages: [{ key: floorKey, value, headers: sampleHeaders(floorKey, floorKey) }] });
      singleFloor.push((await floorArrived) - f0);
      progress(`5 event relay: single events ${i + 1}/${ctx.settings.relaySingleEvents}`);
    }
    await producer.disconnect();

    return scenarioResult({
      id: 'event-relay',
      title: '5 event relay',
      measures:
        'Broker: N TokenIssued-sized rows committed to connector-config\'s outbox in one transaction; time from COMMIT until the last row is marked published (database clock), and until an external kafkajs consumer has all N. ' +
        'Floor: a bare kafkajs producer in the benchmark process sending the same N messages from memory with the relay\'s producer settings (idempotent, 1 in flight, acks=all) and batch size. ' +
        'One event: a single outbox row committed (with its NOTIFY) until the consumer has it, one at a time, against one send of the same message by the bare producer.',
      figures: [
        figure('events/s outbox to Kafka', 'events/s', n / relaySeconds, n / floorSeconds, 'higher'),
        figure('events/s to an external consumer', 'events/s', n / relayConsumedSeconds, n / floorConsumedSeconds, 'higher'),
        figure('one event: commit (broker) or send (floor) to consumer, p50', 'ms', median(singleBroker), median(singleFloor), 'lower'),
        figure('one event: commit (broker) or send (floor) to consumer, p95', 'ms', percentile([...singleBroker].sort((a, b) => a - b), 95), percentile([...singleFloor].sort((a, b) => a - b), 95), 'lower'),
      ],
      details: { singleEventMs: { broker: summarize(singleBroker), floor: summarize(singleFloor) }, events: n, relaySeconds, relayConsumedSeconds, floorSeconds, floorConsumedSeconds, messagesInTopic: inTopic, batchSize: ctx.settings.relayBatchSize },
      cpu,
      floorCpu,
      checks: { allRelayed: inTopic === n, allConsumed: consumed[relayTopic]!.count === n && consumed[floorTopic]!.count === n },
    });
  } finally {
    await collector.stop().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
