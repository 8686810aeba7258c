/**
 * The benchmark's external Kafka consumer: reads topics from the moment it is created (earlier
 * messages are skipped by offset, so nothing produced after `start` returns can be missed) and
 * hands every message to a callback with the time it arrived.
 */
import { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { ensureTopics } from '@cb/messaging';
import { DEFAULT_TOPIC_PARTITIONS } from '@cb/platform';

/** The consumer settings the services use (libs/messaging InboxKafkaServer). */
export const SERVICE_CONSUMER_SETTINGS = { sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 250 } as const;

export interface Arrival {
  topic: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  /** performance.now() when the batch arrived. */
  at: number;
}

export interface Collector {
  stop(): Promise<void>;
}

/**
 * Offsets of a topic. Right after a topic is created the admin's metadata can still name no
 * leader ("This server is not the leader for that topic-partition"): retried for a while.
 */
async function offsetsOf(admin: Admin, topic: string): Promise<Array<{ partition: number; high: string; low: string }>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function topicEnd(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await offsetsOf(admin, topic);
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

export async function messagesIn(admin: Admin, topic: string): Promise<number> {
  const offsets = await offsetsOf(admin, topic);
  return offsets.reduce((sum, o) => sum + (Number(o.high) - Number(o.low)), 0);
}

export async function startCollector(kafka: Kafka, groupId: string, topics: string[], onMessage: (m: Arrival) => void): Promise<Collector> {
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, topics, DEFAULT_TOPIC_PARTITIONS);
  const starts = new Map<string, Map<number, bigint>>();
  for (const topic of topics) starts.set(topic, await topicEnd(admin, topic));
  await admin.disconnect();

  const consumer: Consumer = kafka.consumer({ groupId, ...SERVICE_CONSUMER_SETTINGS });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const joined = new Promise<void>((resolve) => {
    const off = consumer.on(consumer.events.FETCH, () => {
      off();
      resolve();
    });
  });
  await consumer.run({
    autoCommit: true,
    eachBatch: async ({ batch }: EachBatchPayload) => {
      const at = performance.now();
      const from = starts.get(batch.topic)?.get(batch.partition) ?? 0n;
      for (const message of batch.messages) {
        if (BigInt(message.offset) < from) continue;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = value.toString();
        onMessage({ topic: batch.topic, key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers, at });
      }
      await Promise.resolve();
    },
  });
  await joined;
  return { stop: () => consumer.disconnect() };
}
