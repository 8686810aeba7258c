import { Admin, Kafka, logLevel as KafkaLogLevel, ITopicConfig } from 'kafkajs';

/** One kafkajs client per process; its own logs are quiet unless something is wrong. */
export function createKafka(clientId: string, brokers: string[]): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: KafkaLogLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
  });
}

/**
 * Creates missing topics up front (auto-creation makes the first metadata call fail with
 * LEADER_NOT_AVAILABLE) with `numPartitions` each and the broker's default replication factor. Existing topics are left as they are: adding
 * partitions moves keys to other partitions, which only an operator can decide (docs/OPERATIONS.md).
 * Answers the existing topics that have fewer partitions than asked for.
 */
export async function ensureTopics(admin: Admin, topics: string[], numPartitions: number): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  // No replication factor: the broker's default.replication.factor applies (1 on a single broker, 3 on a managed cluster).
  const missing: ITopicConfig[] = topics.filter((t) => !existing.has(t)).map((topic) => ({ topic, numPartitions }));
  if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  const present = topics.filter((t) => existing.has(t));
  if (present.length === 0) return [];
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: present });
  return metadata.filter((topic) => topic.partitions.length < numPartitions).map((topic) => `${topic.name} (${topic.partitions.length})`);
}

export function kafkaReadiness(admin: Admin): { name: string; check(): Promise<void> } {
  return { name: 'kafka', check: async () => void (await admin.describeCluster()) };
}
