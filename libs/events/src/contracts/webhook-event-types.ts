/**
 * The webhook event types an endpoint may subscribe to: the public names of what the Kafka events
 * announce (docs/EVENTS.md, "Webhooks", maps each to its event). Part of the contract, shared by the
 * gateway's documentation and connector-config's webhooks module.
 */
export const WEBHOOK_EVENT_TYPES = [
  'connection.created',
  'connection.refreshed',
  'connection.reconnected',
  'connection.needs_reconnect',
  'connection.deleted',
  'connection.failed',
  'connector.activated',
  'connector.deactivated',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
