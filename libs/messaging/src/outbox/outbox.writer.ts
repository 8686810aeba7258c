import { Inject, Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EntityManager } from 'typeorm';
import { cloudEventHeaders, CloudEventHeaders, EventDefinition, prefixedTopic, TRACE_HEADER_PREFIX } from '@cb/events';
import { injectTraceHeaders, tracingEnabled } from '@cb/platform';
import { MESSAGING_OPTIONS, MessagingOptions, outboxChannel } from '../messaging-options';

export class InvalidEventError extends Error {
  readonly code = 'invalid_event';
}

/** Builds a validated event from its plain fields; a producer never sends what a consumer would reject. */
export function buildEvent<P extends object>(definition: EventDefinition<P>, fields: P): P {
  const payload = plainToInstance(definition.payload, fields);
  const errors = validateSync(payload, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw new InvalidEventError(`${definition.name} is invalid: ${errors.map((e) => e.property).join(', ')}`);
  return payload;
}

/**
 * Records an event in the same transaction as the state change it announces. Nothing reaches
 * Kafka unless the transaction commits; NOTIFY wakes the relay at commit, once per transaction.
 */
@Injectable()
export class OutboxWriter {
  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {}

  async append<P extends object>(manager: EntityManager, definition: EventDefinition<P>, fields: P): Promise<string> {
    const [id] = await this.appendAll(manager, definition, [fields]);
    return id as string;
  }

  /**
   * Several events of one kind in one statement, in the order given; their ids in that order. Each
   * carries the trace context of the active span (`ce_traceparent`), or of `traceContexts[i]` when
   * given (events that each start a trace of their own).
   */
  async appendAll<P extends object>(manager: EntityManager, definition: EventDefinition<P>, fieldsList: readonly P[], traceContexts?: readonly Context[]): Promise<string[]> {
    if (!manager.queryRunner?.isTransactionActive) throw new Error(`${definition.name} must be written inside a transaction`);
    if (fieldsList.length === 0) return [];
    const tracing = tracingEnabled();
    const rows = fieldsList.map((fields, index) => {
      const payload = buildEvent(definition, fields);
      const key = definition.key(payload);
      const headers: CloudEventHeaders = cloudEventHeaders(definition, this.options.serviceName, key);
      if (tracing) injectTraceHeaders(headers, TRACE_HEADER_PREFIX, traceContexts?.[index]);
      return { key, payload: JSON.stringify(payload), headers };
    });
    // The rows and the relay's wake-up in one statement. The same channel and payload for every row:
    // PostgreSQL sends a transaction's identical notifications once, at its commit.
    await manager.query(
      `INSERT INTO "${this.options.schema}".outbox (id, topic, message_key, payload, headers)
       SELECT e.id, $2, e.message_key, e.payload, e.headers
       FROM unnest($1::uuid[], $3::text[], $4::jsonb[], $5::jsonb[]) WITH ORDINALITY AS e(id, message_key, payload, headers, n), pg_notify($6, '')
       ORDER BY e.n`,
      [
        rows.map((r) => r.headers.ce_id),
        prefixedTopic(this.options.topicPrefix, definition.topic),
        rows.map((r) => r.key),
        rows.map((r) => r.payload),
        rows.map((r) => JSON.stringify(r.headers)),
        outboxChannel(this.options.schema),
      ],
    );
    return rows.map((r) => r.headers.ce_id);
  }
}
