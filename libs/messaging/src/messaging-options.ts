import type { ServiceMetrics } from '@cb/platform';

export interface MessagingOptions {
  serviceName: string;
  instanceId: string;
  schema: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  topicPrefix: string;
  logLevel?: string;
  /**
   * Called once Kafka has acknowledged a batch of the relay's, before the batch is marked
   * published: an observer for counting, or for a test that stops the process at that point.
   */
  onBatchPublished?: (events: number) => void;
  /** The service's metrics, where the relay and the inbox record theirs; none are recorded without. */
  metrics?: ServiceMetrics;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export function outboxChannel(schema: string): string {
  return `outbox_${schema}`;
}
