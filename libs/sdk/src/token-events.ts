import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Kafka, logLevel, type Consumer, type KafkaConfig, type KafkaMessage } from 'kafkajs';
import {
  EVENT_CONTRACTS,
  type ConnectionDeletedPayload,
  type ConnectionFailedPayload,
  type ConnectionStatusChangedPayload,
  type TokenExpiredPayload,
  type TokenIssuedPayload,
} from './generated/events';

/** The events a subscriber can receive, by name (their contracts are in docs/asyncapi.yaml). */
export type TokenEventName = keyof typeof EVENT_CONTRACTS;

/** The CloudEvents attributes every event must carry (binary content mode, `ce_*` headers). */
const REQUIRED_ATTRIBUTES = ['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_time'];

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

type Route = { event: TokenEventName; handler: TokenEventHandler<never> };

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
  const candidates: Array<[TokenEventName, TokenEventHandler<never> | undefined]> = [
    ['TokenIssued', options.onTokenIssued],
    ['TokenExpired', options.onTokenExpired],
    ['ConnectionFailed', options.onConnectionFailed],
    ['ConnectionStatusChanged', options.onConnectionStatusChanged],
    ['ConnectionDeleted', options.onConnectionDeleted],
  ];
  const routes = new Map<string, Route>();
  for (const [event, handler] of candidates) if (handler) routes.set(`${prefix}${EVENT_CONTRACTS[event].topic}`, { event, handler });
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
        const decoded = decodeTokenEvent(route.event, topic, partition, message);
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

/** The payload types by event name. */
export interface TokenEventPayloads {
  TokenIssued: TokenIssuedPayload;
  TokenExpired: TokenExpiredPayload;
  ConnectionFailed: ConnectionFailedPayload;
  ConnectionStatusChanged: ConnectionStatusChangedPayload;
  ConnectionDeleted: ConnectionDeletedPayload;
}

/**
 * Decodes one Kafka message of `event`'s topic: CloudEvents headers into the envelope, the JSON
 * value into the payload, checked against the event's schema. Exported for consumers that run their
 * own kafkajs consumer.
 */
export function decodeTokenEvent<E extends TokenEventName>(
  event: E,
  topic: string,
  partition: number,
  message: Pick<KafkaMessage, 'headers' | 'value' | 'key' | 'offset'>,
): TokenEventEnvelope<TokenEventPayloads[E]> | InvalidTokenEvent {
  const where = { topic, partition, offset: message.offset };
  const headers = decodeHeaders(message.headers);
  const problems = REQUIRED_ATTRIBUTES.filter((name) => !headers[name]).map((name) => `missing header ${name}`);
  const expectedType = EVENT_CONTRACTS[event].type;
  if (headers['ce_type'] !== undefined && headers['ce_type'] !== expectedType) problems.push(`ce_type is ${headers['ce_type']}, expected ${expectedType}`);
  let payload: unknown;
  try {
    payload = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    problems.push('the value is not JSON');
  }
  if (problems.length > 0) return { ...where, problems };
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { ...where, problems: ['the value is not a JSON object'] };
  const validate = payloadValidator(event);
  if (!validate(payload)) return { ...where, problems: (validate.errors ?? []).map((error) => `data${error.instancePath} ${error.message ?? 'is invalid'}`) };
  return {
    id: headers['ce_id'] as string,
    type: headers['ce_type'] as string,
    source: headers['ce_source'] as string,
    time: headers['ce_time'] as string,
    subject: headers['ce_subject'],
    specversion: headers['ce_specversion'] as string,
    data: payload as TokenEventPayloads[E],
    kafka: { topic, partition, offset: message.offset, key: message.key?.toString('utf8') },
  };
}

let ajv: Ajv | undefined;
const validators = new Map<TokenEventName, ValidateFunction>();

function payloadValidator(event: TokenEventName): ValidateFunction {
  let validate = validators.get(event);
  if (!validate) {
    ajv ??= addFormats(new Ajv({ allErrors: true }));
    validate = ajv.compile(EVENT_CONTRACTS[event].payloadSchema);
    validators.set(event, validate);
  }
  return validate;
}

function decodeHeaders(headers: KafkaMessage['headers']): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) decoded[name] = first.toString();
  }
  return decoded;
}
