import {
  ConnectionDeleted,
  ConnectionFailed,
  ConnectionStatusChanged,
  ConnectorActivated,
  ConnectorDeactivated,
  TokenIssued,
  type ConnectionDeletedPayload,
  type ConnectionFailedPayload,
  type ConnectionStatusChangedPayload,
  type ConnectorActivatedPayload,
  type ConnectorDeactivatedPayload,
  type EventDefinition,
  type TokenIssuedPayload,
  type WebhookEventType,
} from '@cb/events';


/** What one Kafka event becomes: its webhook type, the key deliveries of one endpoint are ordered by, and the data sent (no secret). */
export interface WebhookEvent {
  type: WebhookEventType;
  workspaceId: string;
  orderingKey: string;
  data: Record<string, unknown>;
}

const TOKEN_ISSUED_TYPES: Record<TokenIssuedPayload['reason'], WebhookEventType> = {
  connect: 'connection.created',
  // an imported connection is new to the broker like a connected one; `data.reason` tells them apart
  import: 'connection.created',
  refresh: 'connection.refreshed',
  reconnect: 'connection.reconnected',
};

export function fromTokenIssued(payload: TokenIssuedPayload): WebhookEvent {
  return { type: TOKEN_ISSUED_TYPES[payload.reason], workspaceId: payload.workspaceId, orderingKey: payload.connectionId, data: { ...payload } };
}

/** Only the change to needs_reconnect is a webhook: the way back to active is announced as `connection.reconnected` already. */
export function fromConnectionStatusChanged(payload: ConnectionStatusChangedPayload): WebhookEvent | undefined {
  if (payload.status !== 'needs_reconnect') return undefined;
  return { type: 'connection.needs_reconnect', workspaceId: payload.workspaceId, orderingKey: payload.connectionId, data: { ...payload } };
}

export function fromConnectionDeleted(payload: ConnectionDeletedPayload): WebhookEvent {
  return { type: 'connection.deleted', workspaceId: payload.workspaceId, orderingKey: payload.connectionId, data: { ...payload } };
}

export function fromConnectionFailed(payload: ConnectionFailedPayload): WebhookEvent {
  return { type: 'connection.failed', workspaceId: payload.workspaceId, orderingKey: payload.connectionId, data: { ...payload } };
}

/** The Kafka event carries the connector's sealed secrets for the services that act for it; a webhook never does. */
export function fromConnectorActivated(payload: ConnectorActivatedPayload): WebhookEvent {
  const { sealedSecrets: _sealed, ...data } = payload;
  return { type: 'connector.activated', workspaceId: payload.workspaceId, orderingKey: payload.connectorId, data: { ...data } };
}

export function fromConnectorDeactivated(payload: ConnectorDeactivatedPayload): WebhookEvent {
  return { type: 'connector.deactivated', workspaceId: payload.workspaceId, orderingKey: payload.connectorId, data: { ...payload } };
}

/** The Kafka events webhooks are made from. */
export const WEBHOOK_SOURCE_EVENTS: readonly EventDefinition[] = [TokenIssued, ConnectionStatusChanged, ConnectionDeleted, ConnectionFailed, ConnectorActivated, ConnectorDeactivated];

/**
 * The body of a delivery: the Standard Webhooks shape (`type`, `timestamp`, `data`) with the Kafka
 * event's CloudEvents attributes beside it, so a receiver can match it to the event stream.
 */
export function webhookBody(event: WebhookEvent, headers: Record<string, string>): string {
  return JSON.stringify({
    type: event.type,
    timestamp: headers.ce_time,
    data: event.data,
    cloudevents: {
      specversion: headers.ce_specversion,
      id: headers.ce_id,
      type: headers.ce_type,
      source: headers.ce_source,
      subject: headers.ce_subject,
      time: headers.ce_time,
      datacontenttype: 'application/json',
    },
  });
}
