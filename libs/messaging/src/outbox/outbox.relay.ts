import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Producer } from 'kafkajs';
import { Client } from 'pg';
import { METRICS } from '@cb/platform';
import { createKafka } from '../kafka/kafka-client';
import { unprefixed } from '../kafka/topic-label';
import { MESSAGING_OPTIONS, MessagingOptions, outboxChannel } from '../messaging-options';

const BATCH_SIZE = 500;
const SAFETY_POLL_MS = 1000;
const RETRY_DELAY_MS = 1000;
/** A Kafka call that has not settled by then is abandoned with its producer (kafkajs can leave one pending for ever after a broker restart). */
const KAFKA_CALL_DEADLINE_MS = 30_000;

interface PendingRow {
  id: string;
  /** bigint, as text */
  seq: string;
  topic: string;
  message_key: string;
  /** The jsonb payload as PostgreSQL prints it: sent as it is, never parsed and printed again. */
  payload: string;
  headers: Record<string, string>;
  /** Seconds since the row's commit, by the database's clock, when it was read. */
  age_seconds: number;
  /** When the row was committed on this process's monotonic clock (from `age_seconds`): no clock skew with the database. */
  committedAt: number;
}

interface OutboxBacklog {
  pending: number;
  oldestAgeSeconds: number;
}

/**
 * Publishes outbox rows to Kafka in commit order, then marks them. One relay per service holds
 * an advisory lock and works; other instances wait to take over. A crash between publishing and
 * marking republishes on restart: consumers deduplicate by event id (at-least-once + inbox).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private client: Client | undefined;
  private producer: Producer | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private signalled = false;
  private loop: Promise<void> | undefined;
  private backlog: Promise<OutboxBacklog | undefined> | undefined;
  /** When publishing was last interrupted (performance.now()), until a batch goes through again. */
  private interruptedAt: number | undefined;
  private readonly published;
  private readonly publishLatency;

  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {
    const metrics = options.metrics;
    this.published = metrics?.counter(METRICS.outboxEventsPublished);
    this.publishLatency = metrics?.histogram(METRICS.outboxPublishLatency);
    // Both gauges come from one query per scrape (the two collects run together and share it).
    metrics?.gauge(METRICS.outboxPendingEvents, async (gauge) => gauge.set((await this.readBacklog())?.pending ?? Number.NaN));
    metrics?.gauge(METRICS.outboxOldestPendingAge, async (gauge) => gauge.set((await this.readBacklog())?.oldestAgeSeconds ?? Number.NaN));
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.signal();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.connect();
        if (await this.becomeLeader()) await this.relayUntilStopped();
        else await this.pause(RETRY_DELAY_MS * 2);
      } catch (error) {
        if (!this.stopped) this.logger.warn({ err: (error as Error).message }, 'outbox relay interrupted; retrying');
        this.interruptedAt ??= performance.now();
        // A fresh producer too: an idempotent producer whose batch failed while the broker was away can
        // keep a sequence the restarted broker refuses (OUT_OF_ORDER_SEQUENCE_NUMBER) on every retry.
        await this.disconnect({ producer: true });
        await this.pause(RETRY_DELAY_MS);
      }
    }
    await this.disconnect({ producer: true });
  }

  private async connect(): Promise<void> {
    if (this.client) return;
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: `${this.options.serviceName}-outbox-relay` });
    client.on('error', () => void this.disconnect());
    client.on('notification', () => this.signal());
    await client.connect();
    this.client = client;
    await client.query(`LISTEN "${outboxChannel(this.options.schema)}"`);
    // The read-ahead (`seq > $1 … ORDER BY seq LIMIT n`) is planned from stale statistics right after a
    // large commit: PostgreSQL then bitmap-scans every pending row and sorts them (30 ms per batch of
    // 50,000 pending) instead of walking the pending index in order (under 1 ms). This connection
    // runs only the relay's statements.
    await client.query('SET enable_bitmapscan = off');
    if (!this.producer) {
      const producer = createKafka(`${this.options.instanceId}-relay`, this.options.kafkaBrokers).producer({ idempotent: true, maxInFlightRequests: 1 });
      this.producer = producer;
      await withDeadline(producer.connect(), 'connecting the Kafka producer');
    }
  }

  private async becomeLeader(): Promise<boolean> {
    const { rows } = await this.requireClient().query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`outbox-relay:${this.options.schema}`]);
    return rows[0]?.locked === true;
  }

  private async relayUntilStopped(): Promise<void> {
    while (!this.stopped) {
      const relayed = await this.relayPending();
      if (relayed < BATCH_SIZE) await this.pause(SAFETY_POLL_MS);
    }
  }

  private signal(): void {
    this.signalled = true;
    this.wake?.();
  }

  /**
   * Relays what is pending, batch after batch, with the round trips overlapped: the next batch is
   * read while Kafka acknowledges this one, and this one is marked while the next is published.
   * Batches still go to Kafka one at a time and in commit order. A batch read ahead starts after the
   * last one read (`seq`), since the rows before it are not marked yet; a row committed late with a
   * lower `seq` is found by the next call, which reads from the start. Returns the size of the last batch.
   */
  private async relayPending(): Promise<number> {
    this.signalled = false;
    let batch = await this.readBatch();
    let marking: Promise<void> = Promise.resolve();
    try {
      while (batch.length > 0 && !this.stopped) {
        const sending = withDeadline(this.requireProducer().sendBatch({ topicMessages: groupByTopic(batch), acks: -1 }), 'publishing to Kafka');
        const next = batch.length === BATCH_SIZE ? this.readBatch(batch[batch.length - 1]?.seq) : Promise.resolve([]);
        // Settled by the awaits below; a rejection here must not surface as unhandled meanwhile.
        next.catch(() => undefined);
        await sending;
        this.noteRecovered();
        this.recordPublished(batch);
        this.options.onBatchPublished?.(batch.length);
        await marking;
        marking = this.markPublished(batch);
        marking.catch(() => undefined);
        if (batch.length < BATCH_SIZE) break;
        batch = await next;
      }
    } finally {
      await marking;
    }
    return batch.length;
  }

  /** After an interruption, the first batch Kafka acknowledges is logged, with the time since the interruption. */
  private noteRecovered(): void {
    if (this.interruptedAt === undefined) return;
    this.logger.log({ sinceInterruptedMs: Math.round(performance.now() - this.interruptedAt) }, 'outbox relay publishing again');
    this.interruptedAt = undefined;
  }

  private async readBatch(afterSeq?: string): Promise<PendingRow[]> {
    const after = afterSeq === undefined ? '' : 'AND seq > $1';
    const { rows } = await this.requireClient().query<PendingRow>(
      `SELECT id, seq, topic, message_key, payload::text AS payload, headers, extract(epoch FROM clock_timestamp() - created_at)::float8 AS age_seconds
       FROM "${this.options.schema}".outbox WHERE published_at IS NULL ${after} ORDER BY seq LIMIT ${BATCH_SIZE}`,
      afterSeq === undefined ? [] : [afterSeq],
    );
    const readAt = performance.now();
    for (const row of rows) row.committedAt = readAt - row.age_seconds * 1000;
    return rows;
  }

  private recordPublished(batch: PendingRow[]): void {
    if (!this.published || !this.publishLatency) return;
    const ackedAt = performance.now();
    for (const row of batch) {
      const topic = unprefixed(row.topic, this.options.topicPrefix);
      this.published.inc({ topic });
      this.publishLatency.observe({ topic }, Math.max(0, (ackedAt - row.committedAt) / 1000));
    }
  }

  /**
   * The outbox's backlog for the scrape, on the relay's own connection (no pooled one is taken);
   * undefined while that connection is down. Uses the pending index: cheap while the relay keeps up.
   */
  private readBacklog(): Promise<OutboxBacklog | undefined> {
    this.backlog ??= (async () => {
      const client = this.client;
      if (!client) return undefined;
      const table = `"${this.options.schema}".outbox`;
      const { rows } = await client.query<{ pending: number; oldest: number }>(
        `SELECT count(*)::int AS pending,
                coalesce(extract(epoch FROM clock_timestamp() - (SELECT created_at FROM ${table} WHERE published_at IS NULL ORDER BY seq LIMIT 1)), 0)::float8 AS oldest
         FROM ${table} WHERE published_at IS NULL`,
      );
      const row = rows[0];
      return row ? { pending: row.pending, oldestAgeSeconds: row.oldest } : undefined;
    })()
      .catch(() => undefined)
      .finally(() => (this.backlog = undefined));
    return this.backlog;
  }

  private async markPublished(batch: PendingRow[]): Promise<void> {
    await this.requireClient().query(`UPDATE "${this.options.schema}".outbox SET published_at = now() WHERE id = ANY($1::uuid[])`, [batch.map((r) => r.id)]);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.signalled || this.stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private requireClient(): Client {
    if (!this.client) throw new Error('outbox relay has no database connection');
    return this.client;
  }

  private requireProducer(): Producer {
    if (!this.producer) throw new Error('outbox relay has no Kafka producer');
    return this.producer;
  }

  private async disconnect(options: { producer: boolean } = { producer: false }): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
    if (options.producer || this.stopped) {
      const producer = this.producer;
      this.producer = undefined;
      await withDeadline(producer?.disconnect() ?? Promise.resolve(), 'disconnecting the Kafka producer').catch(() => undefined);
    }
  }
}

function groupByTopic(rows: PendingRow[]): { topic: string; messages: { key: string; value: string; headers: Record<string, string> }[] }[] {
  const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
  for (const row of rows) {
    const messages = byTopic.get(row.topic) ?? [];
    messages.push({ key: row.message_key, value: row.payload, headers: row.headers });
    byTopic.set(row.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${KAFKA_CALL_DEADLINE_MS} ms`)), KAFKA_CALL_DEADLINE_MS);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
