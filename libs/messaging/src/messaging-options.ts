export interface MessagingOptions {
  serviceName: string;
  instanceId: string;
  schema: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  topicPrefix: string;
  logLevel?: string;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export function outboxChannel(schema: string): string {
  return `outbox_${schema}`;
}
