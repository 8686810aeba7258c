/** Helpers for the refresh tests: publish events as a service would, read them back typed. */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { Client } from 'pg';
import { cloudEventHeaders, EventDefinition, TokenIssuedPayload } from '@cb/events';
import { buildEvent } from '@cb/messaging';
import { CollectedMessage, uniqueName } from '../harness';

export interface EventPublisher {
  publish<P extends object>(definition: EventDefinition<P>, fields: P, source?: string): Promise<void>;
  stop(): Promise<void>;
}

/** Sends validated events with CloudEvents headers straight to the topic, as an outbox relay would. */
export async function eventPublisher(brokers: string[], topicPrefix: string): Promise<EventPublisher> {
  const producer: Producer = new Kafka({ clientId: uniqueName('test-publisher'), brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  return {
    async publish(definition, fields, source = 'token-issuance') {
      const payload = buildEvent(definition, fields);
      const key = definition.key(payload);
      await producer.send({
        topic: `${topicPrefix}${definition.topic}`,
        messages: [{ key, value: JSON.stringify(payload), headers: { ...cloudEventHeaders(definition, source, key) } }],
      });
    },
    stop: () => producer.disconnect(),
  };
}

export function payloads<T>(messages: CollectedMessage[], topic: string): (T & { receivedAt: number })[] {
  return messages.filter((m) => m.topic === topic).map((m) => ({ ...(JSON.parse(m.value) as T), receivedAt: Date.now() }));
}

export function tokenIssued(overrides: Partial<TokenIssuedPayload> & { lifetimeSeconds?: number | null } = {}): TokenIssuedPayload {
  const { lifetimeSeconds = 5, ...rest } = overrides;
  const issuedAt = new Date();
  return {
    connectionId: randomUUID(),
    workspaceId: randomUUID(),
    connectorId: randomUUID(),
    endUserId: 'user-1',
    connectorVersion: 1,
    mode: 'OAUTH2',
    reason: 'connect',
    scopes: ['openid'],
    expiresAt: lifetimeSeconds === null ? null : new Date(issuedAt.getTime() + lifetimeSeconds * 1000).toISOString(),
    refreshable: true,
    refreshMarginSeconds: 300,
    credentialVersion: 1,
    issuedAt: issuedAt.toISOString(),
    ...rest,
  };
}

export interface ScheduleRow {
  connection_id: string;
  credential_version: number;
  status: string;
  due_at: Date | null;
  expires_at: Date | null;
  attempts: number;
  attempt_times: Date[];
  last_reason: string | null;
}

export async function withDatabase<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function scheduleRow(client: Client, connectionId: string): Promise<ScheduleRow | undefined> {
  const { rows } = await client.query<ScheduleRow>('SELECT * FROM token_refresh.refresh_schedule WHERE connection_id = $1', [connectionId]);
  return rows[0];
}
