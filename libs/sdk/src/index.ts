/**
 * The Credential Broker SDK: a typed client for the gateway's REST API and helpers that subscribe
 * other microservices to the token events.
 */
export {
  CredentialBrokerClient,
  ConnectorsApi,
  ConnectSessionsApi,
  ConnectionsApi,
  ProxyApi,
  WebhookEndpointsApi,
  AuditApi,
  ApiKeysApi,
  WorkspacesApi,
  type CredentialBrokerClientOptions,
  type ProxyRequestInit,
  type WaitForCompletionOptions,
} from './client';
export { CredentialBrokerError, ConnectSessionFailedError, WaitTimeoutError, type ApiFieldError } from './errors';
export type * from './types';
export {
  subscribeToTokenEvents,
  decodeTokenEvent,
  type InvalidTokenEvent,
  type SubscribeToTokenEventsOptions,
  type TokenEventEnvelope,
  type TokenEventHandler,
  type TokenEventName,
  type TokenEventPayloads,
  type TokenEventSubscription,
} from './token-events';
export { EVENT_CONTRACTS } from './generated/events';
export type { TokenIssuedPayload, TokenExpiredPayload, ConnectionFailedPayload, ConnectionStatusChangedPayload, ConnectionDeletedPayload } from './generated/events';
