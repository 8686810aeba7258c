import { performance } from 'node:perf_hooks';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { DataSource, EntityManager } from 'typeorm';
import { DEAD_LETTER_TOPIC, decodeHeaders, EVENT_CATALOG, EventDefinition, missingCloudEventAttributes, prefixedTopic, TRACE_HEADER_PREFIX } from '@cb/events';
import { extractTraceContext, serviceTracer, tracingEnabled } from '@cb/platform';
import { createKafka, ensureTopics } from '../kafka/kafka-client';
import { MessagingOptions } from '../messaging-options';
import { InboxContext } from './inbox.context';
import { InboxMetrics } from './inbox.metrics';
import { OffsetCommitter } from './offset-committer';

const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5000;
/**
 * Partitions handled at once (topics are created with 3). Messages of one partition, so of one key,
 * stay strictly in order; only different partitions overlap, each handler in its own transaction.
 * One at a time left the service idle while a handler waited on a provider or a commit.
 */
export const INBOX_PARTITIONS_CONSUMED_CONCURRENTLY = 3;

/**
 * The extras of an `@EventPattern` whose handler acts on some events of its topic only: the others
 * are passed over before any transaction, e.g. `@EventPattern(TokenIssued.topic, onlyWhen((e: TokenIssuedPayload) => e.reason !== 'refresh'))`.
 * The predicate sees the payload as parsed, before validation (only events it keeps are validated),
 * so an irrelevant event is passed over even when it is malformed.
 */
export function onlyWhen<T>(relevant: (payload: T) => boolean): { relevant: (payload: T) => boolean } {
  return { relevant };
}

/**
 * The extras of an `@EventPattern` whose handler calls a provider: it runs before any transaction
 * (holding no pooled connection while it waits) and writes through `ctx.commit(work)`, which
 * records the event in the inbox in the same transaction. A redelivered event the inbox already
 * holds is passed over before the handler runs; the handler must itself tolerate a duplicate that
 * arrives while the first is still in its provider call (e.g. a redemption row, a refresh lease).
 */
export function outsideTransaction(): { outsideTransaction: true } {
  return { outsideTransaction: true };
}

type HandlerExtras = { relevant?: (payload: object) => boolean; outsideTransaction?: boolean } | undefined;

class Rejected extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface InboxServerOptions extends MessagingOptions {
  dataSource: DataSource;
  /** Partitions of each topic created (KAFKA_TOPIC_PARTITIONS). */
  topicPartitions: number;
  /** Extra consumer settings, e.g. in tests. */
  sessionTimeoutMs?: number;
  /** Partitions handled at once; {@link INBOX_PARTITIONS_CONSUMED_CONCURRENTLY} by default. */
  partitionsConsumedConcurrently?: number;
  /**
   * Topics (catalogue names) consumed by a consumer of their own, by lane name, so slow handlers of
   * one lane never queue the others' events; every other topic shares the main consumer.
   */
  lanes?: Record<string, readonly string[]>;
}

/**
 * A NestJS transport that consumes Kafka through an inbox: each event is validated, handled at most
 * once per service (the inbox row and the handler's changes commit together), retried with backoff
 * when its handler fails, and dead-lettered when it cannot be parsed or keeps failing. The consumer
 * always moves on to the next message. Offsets are committed once a second ({@link OffsetCommitter}).
 */
export class InboxKafkaServer extends Server implements CustomTransportStrategy {
  private kafka: Kafka | undefined;
  private consumers: Consumer[] = [];
  private readonly committers: OffsetCommitter[] = [];
  private deadLetters: Producer | undefined;
  /** Looked up once per topic: Nest's lookup by pattern parses the pattern on every call. */
  private readonly handlers = new Map<string, MessageHandler | undefined>();
  private definitionsByTopic: Map<string, EventDefinition> | undefined;
  private readonly metrics: InboxMetrics | undefined;

  constructor(private readonly options: InboxServerOptions) {
    super();
    this.metrics = options.metrics ? new InboxMetrics(options.metrics, options.topicPrefix) : undefined;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  on(): never {
    throw new Error('InboxKafkaServer does not support event listeners');
  }

  unwrap<T>(): T {
    return this.consumers as T;
  }

  async close(): Promise<void> {
    await Promise.all(this.committers.map((committer) => committer.stop()));
    await Promise.all(this.consumers.map((consumer) => consumer.disconnect().catch(() => undefined)));
    await this.deadLetters?.disconnect().catch(() => undefined);
  }

  private handlerFor(topic: string): MessageHandler | undefined {
    if (!this.handlers.has(topic)) this.handlers.set(topic, this.getHandlerByPattern(topic) ?? undefined);
    return this.handlers.get(topic);
  }

  private subscribedDefinitions(): EventDefinition[] {
    return EVENT_CATALOG.filter((d) => this.messageHandlers.has(d.topic));
  }

  private async start(): Promise<void> {
    const { topicPrefix, instanceId } = this.options;
    const definitions = this.subscribedDefinitions();
    this.kafka = createKafka(instanceId, this.options.kafkaBrokers);
    const admin = this.kafka.admin();
    await admin.connect();
    const { topicPartitions } = this.options;
    const narrower = await ensureTopics(admin, [...EVENT_CATALOG.map((d) => prefixedTopic(topicPrefix, d.topic)), prefixedTopic(topicPrefix, DEAD_LETTER_TOPIC)], topicPartitions);
    if (narrower.length > 0) this.logger.warn({ topics: narrower, topicPartitions }, 'topics have fewer partitions than KAFKA_TOPIC_PARTITIONS: instances beyond that count stay idle');
    await admin.disconnect();
    this.deadLetters = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.deadLetters.connect();
    for (const [lane, topics] of laneTopics(definitions.map((d) => d.topic), this.options.lanes ?? {})) {
      await this.consume(lane, topics.map((topic) => prefixedTopic(topicPrefix, topic)));
    }
  }

  /** The main lane keeps the service's historical group id; another lane's group is suffixed by its name. */
  private async consume(lane: string, topics: string[]): Promise<void> {
    const { topicPrefix, serviceName } = this.options;
    const consumer = (this.kafka as Kafka).consumer({
      groupId: lane === MAIN_LANE ? `${topicPrefix}${serviceName}` : `${topicPrefix}${serviceName}.${lane}`,
      sessionTimeout: this.options.sessionTimeoutMs ?? 10000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 250,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5000 },
    });
    this.consumers.push(consumer);
    this.logLifecycle(consumer, lane);
    this.metrics?.followLag(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const committer = new OffsetCommitter(consumer);
    this.committers.push(committer);
    committer.start();
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? INBOX_PARTITIONS_CONSUMED_CONCURRENTLY,
      eachMessage: async (message) => {
        await this.handleMessage(message);
        committer.handled(message.topic, message.partition, message.message.offset);
      },
    });
  }

  /**
   * kafkajs's own logs are off (kafka-client.ts): a consumer's joins and crashes are logged here. A
   * crash with `restart: true` is kafkajs leaving and rejoining after a broker error (every consumer
   * does it when Kafka restarts); with `restart: false` the consumer is gone.
   */
  private logLifecycle(consumer: Consumer, lane: string): void {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.logger.log({ lane, partitions: Object.values(payload.memberAssignment).flat().length, durationMs: payload.duration }, 'Kafka consumer joined its group');
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.warn({ lane, err: payload.error.message, restart: payload.restart }, 'Kafka consumer crashed');
    });
  }

  private async handleMessage(payload: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = payload;
    const headers = decodeHeaders(message.headers);
    let parsed: { definition: EventDefinition; payload: object } | undefined;
    try {
      parsed = this.parse(topic, headers, message.value);
    } catch (error) {
      const rejected = error as Rejected;
      this.metrics?.deadLettered(topic, 'rejected');
      return this.deadLetter(topic, partition, message.offset, message.key, message.value, headers, rejected.code ?? 'unparseable', rejected.message);
    }
    if (!parsed) return;
    if (!tracingEnabled()) return this.handleWithRetries(payload, parsed, headers);
    // The trace of whatever wrote the event goes on here (ce_traceparent, the CloudEvents distributed-tracing extension).
    const parent = extractTraceContext(headers, TRACE_HEADER_PREFIX);
    const span = serviceTracer(this.options.serviceName).startSpan(
      `${parsed.definition.name} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': topic,
          'messaging.destination.partition.id': String(partition),
          'messaging.message.id': headers.ce_id ?? '',
        },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), () => this.handleWithRetries(payload, parsed, headers, span));
    } finally {
      span.end();
    }
  }

  private async handleWithRetries(payload: EachMessagePayload, parsed: { definition: EventDefinition; payload: object }, headers: Record<string, string>, span?: Span): Promise<void> {
    const { topic, partition, message } = payload;
    // Failures while the database is away are not the handler's fault: they do not count towards
    // the dead-letter limit, so an outage never dead-letters good events.
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const handled = await this.handleOnce(topic, parsed, headers);
        this.metrics?.handled(topic, handled, started);
        return;
      } catch (error) {
        this.metrics?.failed(topic, started);
        const databaseDown = !(await this.databaseReachable());
        if (!databaseDown) failures++;
        const failure = error as { code?: string; message?: string };
        this.logger.warn({ topic, attempt, databaseDown, errorCode: failure.code, err: failure.message }, 'event handler failed');
        span?.addEvent('handler failed', { attempt, databaseDown, 'error.type': failure.code ?? 'handler_failed' });
        if (failures >= MAX_ATTEMPTS) {
          span?.setStatus({ code: SpanStatusCode.ERROR });
          span?.setAttribute('cb.dead_lettered', true);
          this.metrics?.deadLettered(topic, 'handler_failed');
          return this.deadLetter(topic, partition, message.offset, message.key, message.value, headers, failure.code ?? 'handler_failed', failure.message ?? 'handler failed');
        }
        this.metrics?.retried(topic);
        await delay(backoff(attempt));
        await payload.heartbeat();
      }
    }
  }

  /** The validated event, or `undefined` when its handler declares it irrelevant (passed over unvalidated). */
  private parse(topic: string, headers: Record<string, string>, value: Buffer | null): { definition: EventDefinition; payload: object } | undefined {
    this.definitionsByTopic ??= new Map(this.subscribedDefinitions().map((d) => [prefixedTopic(this.options.topicPrefix, d.topic), d]));
    const definition = this.definitionsByTopic.get(topic);
    if (!definition) throw new Rejected('unknown_topic', `no handler for topic ${topic}`);
    if (!value || value.length === 0) throw new Rejected('empty_message', 'message has no value');
    if (value.length > MAX_MESSAGE_BYTES) throw new Rejected('oversized_message', `message is ${value.length} bytes, limit ${MAX_MESSAGE_BYTES}`);
    const missing = missingCloudEventAttributes(headers);
    if (missing.length > 0) throw new Rejected('missing_cloudevents_attributes', `missing headers: ${missing.join(', ')}`);
    if (headers.ce_specversion !== '1.0') throw new Rejected('unsupported_specversion', `expected CloudEvents 1.0, got ${headers.ce_specversion?.slice(0, 16)}`);
    if (headers.ce_type !== definition.type) throw new Rejected('unsupported_event_type', `expected ${definition.type}, got ${headers.ce_type}`);
    if (!/^[0-9a-f-]{36}$/i.test(headers.ce_id ?? '')) throw new Rejected('invalid_event_id', 'ce_id must be a UUID');
    let plain: unknown;
    try {
      plain = JSON.parse(value.toString('utf8'));
    } catch {
      throw new Rejected('malformed_json', 'message value is not JSON');
    }
    if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new Rejected('invalid_payload', 'payload must be a JSON object');
    if (!this.mayBeRelevant(definition, plain)) return undefined;
    const payload = plainToInstance(definition.payload, plain);
    const errors = validateSync(payload, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) throw new Rejected('invalid_payload', `invalid fields: ${errors.map((e) => e.property).join(', ')}`);
    return { definition, payload };
  }

  /**
   * Asked before the payload is validated, which is most of the cost of passing over an event (a
   * service reads every TokenIssued, most of them refreshes it does nothing with). A predicate that
   * fails on a malformed payload counts as relevant: the payload is then validated and dead-lettered.
   */
  private mayBeRelevant(definition: EventDefinition, plain: object): boolean {
    const relevant = (this.handlerFor(definition.topic)?.extras as HandlerExtras)?.relevant;
    if (relevant === undefined) return true;
    try {
      return relevant(plain);
    } catch {
      return true;
    }
  }

  /** `duplicate` when the inbox held the event already and the handler did not run. */
  private async handleOnce(topic: string, parsed: { definition: EventDefinition; payload: object }, headers: Record<string, string>): Promise<'handled' | 'duplicate'> {
    const handler = this.handlerFor(parsed.definition.topic);
    if (!handler) throw new Error(`no handler for ${parsed.definition.topic}`);
    const invoke = async (context: InboxContext): Promise<void> => {
      await lastValueFrom(this.transformToObservable(await handler(parsed.payload, context)), { defaultValue: undefined });
    };
    if ((handler.extras as HandlerExtras)?.outsideTransaction) return this.handleOutsideTransaction(topic, headers, invoke);
    return this.options.dataSource.transaction(async (manager) => {
      if (!(await this.recordInInbox(manager, headers, topic))) return 'duplicate';
      await invoke(new InboxContext([manager, headers, topic]));
      return 'handled';
    });
  }

  private async handleOutsideTransaction(topic: string, headers: Record<string, string>, invoke: (context: InboxContext) => Promise<void>): Promise<'handled' | 'duplicate'> {
    const seen: unknown[] = await this.options.dataSource.query(`SELECT 1 FROM "${this.options.schema}".inbox WHERE event_id = $1`, [headers.ce_id]);
    if (seen.length > 0) return 'duplicate';
    let committed = false;
    const commit = <T>(work: (manager: EntityManager) => Promise<T>): Promise<T | undefined> => {
      if (committed) throw new Error('ctx.commit may run once per event');
      committed = true;
      return this.options.dataSource.transaction(async (manager) => {
        return (await this.recordInInbox(manager, headers, topic)) ? work(manager) : undefined;
      });
    };
    await invoke(new InboxContext([undefined, headers, topic, commit]));
    if (!committed) await commit(() => Promise.resolve());
    return 'handled';
  }

  /** False when the event is in the inbox already (a duplicate). */
  private async recordInInbox(manager: EntityManager, headers: Record<string, string>, topic: string): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO "${this.options.schema}".inbox (event_id, topic) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [headers.ce_id, topic],
    );
    return inserted.length > 0;
  }

  private async deadLetter(topic: string, partition: number, offset: string, key: Buffer | null, value: Buffer | null, headers: Record<string, string>, code: string, reason: string): Promise<void> {
    this.logger.warn({ topic, partition, offset, errorCode: code }, 'message dead-lettered');
    await this.deadLetters?.send({
      topic: prefixedTopic(this.options.topicPrefix, DEAD_LETTER_TOPIC),
      messages: [
        {
          key,
          value: value && value.length <= MAX_MESSAGE_BYTES ? value : null,
          headers: {
            ...headers,
            dlq_original_topic: topic,
            dlq_original_partition: String(partition),
            dlq_original_offset: offset,
            dlq_consumer: this.options.serviceName,
            dlq_error_code: code,
            dlq_error: reason.slice(0, 500),
          },
        },
      ],
    });
  }

  private async databaseReachable(): Promise<boolean> {
    try {
      await this.options.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}

const MAIN_LANE = 'main';

/** The subscribed topics grouped by lane; topics no lane names go to the main lane. Empty lanes are left out. */
export function laneTopics(subscribed: readonly string[], lanes: Record<string, readonly string[]>): Map<string, string[]> {
  const byLane = new Map<string, string[]>();
  for (const topic of subscribed) {
    const lane = Object.entries(lanes).find(([, topics]) => topics.includes(topic))?.[0] ?? MAIN_LANE;
    byLane.set(lane, [...(byLane.get(lane) ?? []), topic]);
  }
  return byLane;
}

function backoff(attempt: number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
