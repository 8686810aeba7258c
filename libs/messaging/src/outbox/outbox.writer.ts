import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EntityManager } from 'typeorm';
import { cloudEventHeaders, EventDefinition, prefixedTopic } from '@cb/events';
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
    if (!manager.queryRunner?.isTransactionActive) throw new Error(`${definition.name} must be written inside a transaction`);
    const payload = buildEvent(definition, fields);
    const key = definition.key(payload);
    const headers = cloudEventHeaders(definition, this.options.serviceName, key);
    // The row and the relay's wake-up in one statement. The same channel and payload for every row:
    // PostgreSQL sends a transaction's identical notifications once, at its commit.
    await manager.query(
      `INSERT INTO "${this.options.schema}".outbox (id, topic, message_key, payload, headers) SELECT $1::uuid, $2, $3, $4::jsonb, $5::jsonb FROM pg_notify($6, '')`,
      [headers.ce_id, prefixedTopic(this.options.topicPrefix, definition.topic), key, JSON.stringify(payload), JSON.stringify(headers), outboxChannel(this.options.schema)],
    );
    return headers.ce_id;
  }
}
