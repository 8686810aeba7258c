/**
 * Helpers for integration tests, on the real Kafka and PostgreSQL that global setup provides.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { Client } from 'pg';
import type { DatabaseService } from '../../libs/platform/src/database/service-roles';
import { harnessRoles, serviceDatabaseUrls } from './database-roles';

export { newDatabaseRoles, provisionDatabaseRoles, serviceDatabaseUrls } from './database-roles';
export type { DatabaseRoles } from './database-roles';

export function harnessEnv(): { kafkaBrokers: string[]; databaseUrl: string } {
  const { KAFKA_BROKERS, DATABASE_URL } = process.env;
  if (!KAFKA_BROKERS || !DATABASE_URL) {
    throw new Error('KAFKA_BROKERS / DATABASE_URL are not set: run integration tests with `jest --selectProjects integration`');
  }
  return { kafkaBrokers: KAFKA_BROKERS.split(','), databaseUrl: DATABASE_URL };
}

/** `prefix-<time>-<random>`: unique across runs and workers, for topic prefixes and group ids. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  description?: string;
}

/** Polls `probe` until it returns a truthy value; a probe that throws is retried until the deadline. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 50, description = 'condition' }: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : inspect(lastError)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${cause}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface TestDatabase {
  /** The admin's URL: for a test's own reads and writes, never a service's. */
  url: string;
  /** Each service's URL: its own role, which owns its schema here and may not reach any other. */
  serviceUrls: Record<DatabaseService, string>;
  drop(): Promise<void>;
}

/**
 * A fresh database on the harness PostgreSQL, a copy of the run's template (each service's schema
 * already owned by its role); drop() removes it, closing its connections.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = harnessEnv().databaseUrl;
  const roles = harnessRoles();
  const name = `test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${roles.template}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    serviceUrls: serviceDatabaseUrls(url.toString(), roles),
    // WITH (FORCE) terminates the database's connections before dropping it (PostgreSQL 13+).
    drop: () => withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

function kafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.ERROR });
}

/** Creates topics (one partition each) and waits for their leaders; existing topics are left as they are. */
export async function createTopics(brokers: string[], topics: string[], numPartitions = 1): Promise<void> {
  // Quiet: kafkajs logs "Topic creation errors" for existing topics before this function decides on them.
  const admin = new Kafka({ clientId: uniqueName('test-admin'), brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
  } catch (err) {
    // createTopics resolves false when every topic exists; a partial overlap can still throw this.
    const errors = (err as { errors?: Array<{ type?: string }> }).errors;
    if (!errors?.length || !errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS')) throw err;
  } finally {
    await admin.disconnect();
  }
}

export interface CollectedMessage {
  topic: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

export interface MessageCollector {
  /** Every message received so far, in arrival order (live array). */
  messages: CollectedMessage[];
  /** Resolves with a copy of the messages once at least n have arrived. */
  waitForCount(n: number, timeoutMs?: number): Promise<CollectedMessage[]>;
  stop(): Promise<void>;
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}

/**
 * A plain kafkajs consumer in its own group, resolved once it has joined the group.
 * Without fromBeginning it collects the messages produced after this call: it reads each partition
 * from the start and skips offsets below the end offsets noted here, so nothing sent between the
 * call and the group join is lost (a consumer starting "at latest" would lose those).
 */
export async function collectMessages(opts: {
  brokers: string[];
  topics: string[];
  fromBeginning?: boolean;
}): Promise<MessageCollector> {
  const client = kafka(opts.brokers, uniqueName('test-collector'));
  const startOffsets = opts.fromBeginning ? new Map<string, bigint>() : await endOffsets(client, opts.topics);
  const consumer = client.consumer({
    groupId: uniqueName('test-collector'),
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    rebalanceTimeout: 10_000,
    maxWaitTimeInMs: 100,
  });
  const messages: CollectedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: opts.topics, fromBeginning: true });
    const joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
      // A retriable crash (e.g. the group coordinator still loading) restarts the consumer by itself.
      consumer.on(consumer.events.CRASH, (e) => e.payload.restart || reject(e.payload.error));
    });
    await consumer.run({
      eachMessage: ({ topic, partition, message }) => {
        if (BigInt(message.offset) < (startOffsets.get(`${topic}:${partition}`) ?? 0n)) return Promise.resolve();
        messages.push({
          topic,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          headers: headersToStrings(message.headers),
        });
        return Promise.resolve();
      },
    });
    await joined;
  } catch (err) {
    await consumer.disconnect();
    throw err;
  }
  return {
    messages,
    waitForCount: (n, timeoutMs = 15_000) =>
      waitFor(() => messages.length >= n && [...messages], { timeoutMs }).catch(() => {
        throw new Error(`Expected ${n} message(s) on ${opts.topics.join(', ')} within ${timeoutMs} ms, got ${messages.length}`);
      }),
    stop: () => consumer.disconnect(),
  };
}

/** `topic:partition` → end offset now; topics that do not exist yet start at 0. */
async function endOffsets(client: Kafka, topics: string[]): Promise<Map<string, bigint>> {
  const admin = client.admin();
  await admin.connect();
  try {
    const offsets = new Map<string, bigint>();
    const existing = new Set(await admin.listTopics());
    for (const topic of topics.filter((t) => existing.has(t))) {
      // A topic created a moment ago may not have its leader yet: NOT_LEADER_FOR_PARTITION is retriable.
      const partitions = await waitFor(() => admin.fetchTopicOffsets(topic), { timeoutMs: 15_000, intervalMs: 100, description: `end offsets of ${topic}` });
      for (const { partition, high } of partitions) offsets.set(`${topic}:${partition}`, BigInt(high));
    }
    return offsets;
  } finally {
    await admin.disconnect();
  }
}
