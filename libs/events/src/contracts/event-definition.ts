import type { ClassConstructor } from 'class-transformer';

export type ServiceName = 'gateway' | 'connector-config' | 'oauth-authorization' | 'token-issuance' | 'token-refresh';

/** Everything the code knows about one event type; docs/asyncapi.yaml must agree with it. */
export interface EventDefinition<Payload extends object = object> {
  /** Short name used in docs and logs, e.g. `ConnectorActivated`. */
  name: string;
  /** CloudEvents `type`; the trailing `.v1` is the payload version. */
  type: string;
  version: number;
  /** Versioned topic name, before any deployment prefix. */
  topic: string;
  payload: ClassConstructor<Payload>;
  /** The partition key: events with the same key are delivered in order. */
  key(payload: Payload): string;
  producer: ServiceName;
  consumers: ServiceName[];
}

export function defineEvent<Payload extends object>(definition: EventDefinition<Payload>): EventDefinition<Payload> {
  return definition;
}
