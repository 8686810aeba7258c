import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Kafka, logLevel, type Consumer, type KafkaConfig, type KafkaMessage } from 'kafkajs';
import {
  ConnectionDeleted,
  ConnectionFailed,
  ConnectionStatusChanged,
  decodeHeaders,
  missingCloudEventAttributes,
  TokenExpired,
  TokenIssued,
  type ConnectionDeletedPayload,
  type ConnectionFailedPayload,
  type ConnectionStatusChangedPayload,
  type EventDefinition,
  type TokenExpiredPayload,
  type TokenIssuedPayload,
} from '@cb/events';

/**
 * A consumed event: the CloudEvents attributes from the Kafka headers (binary content mode) and the
 * validated payload as `data`, plus where it came from.
 *
 * @see https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md
 */
export interface TokenEventEnvelope<T> {
  id: string;
  /** e.g. `dev.credential-broker.token.issued.v1` */
  type: string;
  source: string;
  time: string;
  /** The connection id. */
  subject: string | undefined;
  specversion: string;
  data: T;
  kafka: { topic: string; partition: number; offset: string; key: string | undefined };
}

export type TokenEventHandler<T> = (event: TokenEventEnvelope<T>) => Promise<void> | void;

/** A message that is not a valid event of its topic; it is skipped after `onInvalidMessage`. */
export interface InvalidTokenEvent {
  topic: string;
  partition: number;
  offset: string;
  problems: string[];
}

export interface SubscribeToTokenEventsOptions {
  brokers: string[];
  /** Each consumer group receives every event once; instances of one service share a group. */
  groupId: string;
  /** The deployment's topic prefix (KAFKA_TOPIC_PREFIX), e.g. `prod.`; none by default. */
  topicPrefix?: string;
  clientId?: string;
  /** Extra kafkajs client settings (ssl, sasl, retry…). */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
  /** Start from the oldest retained event when the group has no committed offset; default false. */
  fromBeginning?: boolean;
  onTokenIssued?: TokenEventHandler<TokenIssuedPayload>;
  onTokenExpired?: TokenEventHandler<TokenExpiredPayload>;
  onConnectionFailed?: TokenEventHandler<ConnectionFailedPayload>;
  onConnectionStatusChanged?: TokenEventHandler<ConnectionStatusChangedPayload>;
  onConnectionDeleted?: TokenEventHandler<ConnectionDeletedPayload>;
  /** Called for a message that fails decoding or validation; such a message is skipped. */
  onInvalidMessage?: (problem: InvalidTokenEvent) => Promise<void> | void;
}

export interface TokenEventSubscription {
  readonly consumer: Consumer;
  /** Resolves once the consumer has joined its group and been assigned partitions. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

type Route = { definition: EventDefinition; handler: TokenEventHandler<never> };

/**
 * Subscribes a consumer group to the token events other services care about: TokenIssued (a
 * connection holds a new credential), TokenExpired, ConnectionFailed, ConnectionStatusChanged (e.g.
 * `needs_reconnect`) and ConnectionDeleted. Only topics with a handler are subscribed.
 *
 * Delivery is at least once: a handler that throws makes kafkajs retry the message (and, after its
 * retries, restart the consumer), so handlers should be idempotent, e.g. keyed on `event.id`.
 * Events never carry secrets; read the credential with `connections.getCredential`.
 */
export async function subscribeToTokenEvents(options: SubscribeToTokenEventsOptions): Promise<TokenEventSubscription> {
  const prefix = options.topicPrefix ?? '';
  const candidates: Array<[EventDefinition, TokenEventHandler<never> | undefined]> = [
    [TokenIssued, options.onTokenIssued],
    [TokenExpired, options.onTokenExpired],
    [ConnectionFailed, options.onConnectionFailed],
    [ConnectionStatusChanged, options.onConnectionStatusChanged],
    [ConnectionDeleted, options.onConnectionDeleted],
  ];
  const routes = new Map<string, Route>();
  for (const [definition, handler] of candidates) if (handler) routes.set(`${prefix}${definition.topic}`, { definition, handler });
  if (routes.size === 0) throw new TypeError('subscribeToTokenEvents: give at least one handler (onTokenIssued, onTokenExpired, …)');

  const kafka = new Kafka({ logLevel: logLevel.WARN, ...options.kafka, clientId: options.clientId ?? `${options.groupId}-token-events`, brokers: options.brokers });
  const consumer = kafka.consumer({ groupId: options.groupId });
  let joined: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (joined = resolve));
  const removeListener = consumer.on(consumer.events.GROUP_JOIN, () => joined());

  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...routes.keys()], fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const route = routes.get(topic);
        if (!route) return;
        const decoded = decodeTokenEvent(route.definition, topic, partition, message);
        if ('problems' in decoded) {
          await options.onInvalidMessage?.(decoded);
          return;
        }
        await route.handler(decoded as TokenEventEnvelope<never>);
      },
    });
  } catch (error) {
    removeListener();
    await consumer.disconnect();
    throw error;
  }

  return {
    consumer,
    ready,
    stop: async () => {
      removeListener();
      await consumer.disconnect();
    },
  };
}

/**
 * Decodes one Kafka message of `definition`'s topic: CloudEvents headers into the envelope, the JSON
 * value into the validated payload. Exported for consumers that run their own kafkajs consumer.
 */
export function decodeTokenEvent<T extends object>(
  definition: EventDefinition<T>,
  topic: string,
  partition: number,
  message: Pick<KafkaMessage, 'headers' | 'value' | 'key' | 'offset'>,
): TokenEventEnvelope<T> | InvalidTokenEvent {
  const where = { topic, partition, offset: message.offset };
  const headers = decodeHeaders(message.headers);
  const problems = missingCloudEventAttributes(headers).map((name) => `missing header ${name}`);
  if (headers.ce_type !== undefined && headers.ce_type !== definition.type) problems.push(`ce_type is ${headers.ce_type}, expected ${definition.type}`);
  let raw: unknown;
  try {
    raw = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    problems.push('the value is not JSON');
  }
  if (problems.length > 0) return { ...where, problems };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ...where, problems: ['the value is not a JSON object'] };
  const payload = plainToInstance(definition.payload, raw);
  const errors = validateSync(payload, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) {
    return { ...where, problems: errors.flatMap((e) => Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` })) };
  }
  return {
    id: headers.ce_id as string,
    type: headers.ce_type as string,
    source: headers.ce_source as string,
    time: headers.ce_time as string,
    subject: headers.ce_subject,
    specversion: headers.ce_specversion as string,
    data: payload,
    kafka: { topic, partition, offset: message.offset, key: message.key?.toString('utf8') },
  };
}
