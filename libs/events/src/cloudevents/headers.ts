import { randomUUID } from 'node:crypto';
import { EventDefinition } from '../contracts/event-definition';

/** CloudEvents 1.0 attributes in Kafka headers (binary content mode). @see https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md */
export interface CloudEventHeaders {
  ce_specversion: '1.0';
  ce_id: string;
  ce_type: string;
  ce_source: string;
  ce_time: string;
  ce_subject: string;
  'content-type': 'application/json';
  /** The distributed-tracing extension: the W3C trace context of the span that wrote the event, when one was active. */
  ce_traceparent?: string;
  ce_tracestate?: string;
}

/**
 * The prefix of the CloudEvents distributed-tracing extension's attributes (`traceparent`,
 * `tracestate`) as Kafka headers in binary content mode: `ce_traceparent`, `ce_tracestate`.
 * @see https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/extensions/distributed-tracing.md
 */
export const TRACE_HEADER_PREFIX = 'ce_';

/** The optional headers of the distributed-tracing extension; every other CloudEvents header is always sent. */
export const TRACE_CONTEXT_HEADERS = [`${TRACE_HEADER_PREFIX}traceparent`, `${TRACE_HEADER_PREFIX}tracestate`] as const;

export function cloudEventHeaders(definition: EventDefinition, source: string, subject: string, id: string = randomUUID(), time = new Date()): CloudEventHeaders {
  return {
    ce_specversion: '1.0',
    ce_id: id,
    ce_type: definition.type,
    ce_source: `/credential-broker/${source}`,
    ce_time: time.toISOString(),
    ce_subject: subject,
    'content-type': 'application/json',
  };
}

export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export function decodeHeaders(headers: RawHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) decoded[name] = first.toString();
  }
  return decoded;
}

export function missingCloudEventAttributes(headers: Record<string, string>): string[] {
  return ['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_time'].filter((name) => !headers[name]);
}
