import { ConnectorActivated, ConnectorDeactivated } from './connector.events';
import { CodeReceived, CredentialsSubmitted } from './connect.events';
import { EventDefinition } from './event-definition';
import { ConnectionDeleted, ConnectionFailed, ConnectionStatusChanged, TokenExpired, TokenIssued } from './token.events';

/** Every event the system publishes. docs/asyncapi.yaml is checked against this list. */
export const EVENT_CATALOG: readonly EventDefinition[] = [
  ConnectorActivated,
  ConnectorDeactivated,
  CodeReceived,
  CredentialsSubmitted,
  TokenIssued,
  ConnectionFailed,
  TokenExpired,
  ConnectionStatusChanged,
  ConnectionDeleted,
] as EventDefinition[];

/** Messages that could not be parsed or handled land here with the error, original topic and headers. */
export const DEAD_LETTER_TOPIC = 'credential-broker.dead-letter.v1';

export function prefixedTopic(prefix: string, topic: string): string {
  return `${prefix}${topic}`;
}

export function definitionForTopic(prefix: string, topic: string): EventDefinition | undefined {
  return EVENT_CATALOG.find((d) => prefixedTopic(prefix, d.topic) === topic);
}
