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

/** Creates topics up front: auto-creation makes the first metadata call fail with LEADER_NOT_AVAILABLE. */
export async function ensureTopics(admin: Admin, topics: string[], numPartitions = 3): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = topics.filter((t) => !existing.has(t)).map((topic) => ({ topic, numPartitions, replicationFactor: 1 }));
  if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
}

export function kafkaReadiness(admin: Admin): { name: string; check(): Promise<void> } {
  return { name: 'kafka', check: async () => void (await admin.describeCluster()) };
}
