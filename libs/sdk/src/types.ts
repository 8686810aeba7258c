/**
 * The API's shapes, named for people. Each one is taken from `./generated/openapi.ts`, which
 * `npm run openapi` generates from docs/openapi.json (the document the gateway serves), so the SDK
 * cannot drift from the API; a unit test fails when the generated file is out of date.
 */
import type { components, operations } from './generated/openapi';

type Schemas = components['schemas'];
type QueryOf<Operation extends keyof operations> = NonNullable<operations[Operation]['parameters']['query']>;

export type { components as ApiSchemas, operations as ApiOperations, paths as ApiPaths } from './generated/openapi';

export type AuthMode = Schemas['Connector']['mode'];
/** A connector's configuration as written: one shape per mode, chosen by `mode`. */
export type AuthConfigInput = Schemas['AuthConfigInput'];
/** A connector's configuration as the API shows it: every secret replaced by `{ isSet }`. */
export type RedactedAuthConfig = Schemas['AuthConfig'];

export type ConnectorStatus = Schemas['Connector']['status'];
export type Connector = Schemas['Connector'];
export type ActivatedConnector = Schemas['ActivatedConnector'];

/** From scratch: `slug`, `name` and `config`. */
export interface CreateConnectorFromConfig {
  slug: string;
  name: string;
  config: AuthConfigInput;
}

/** From a provider template: the client's credentials and scopes for an OAuth2 template (`clientId` required there), nothing more for the other modes. */
export type CreateConnectorFromTemplate = Required<Pick<Schemas['CreateConnectorRequest'], 'templateId'>> &
  Pick<Schemas['CreateConnectorRequest'], 'clientId' | 'clientSecret' | 'scopes' | 'slug' | 'name'>;

export type CreateConnectorRequest = CreateConnectorFromConfig | CreateConnectorFromTemplate;

/** `config` replaces the whole configuration; secrets left out keep their stored values. */
export type UpdateConnectorRequest = Schemas['UpdateConnectorRequest'];
export type ListConnectorsQuery = QueryOf<'ConnectorsHttpController_list'>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A provider template as the caller's workspace sees it (its override applied; `overridden` says so). */
export type ConnectorTemplate = Schemas['ConnectorTemplate'];
/** A workspace's change to a template: `config` is a JSON Merge Patch (RFC 7396) of the template's config. */
export type ConnectorTemplateOverride = Schemas['ConnectorTemplateOverride'];
/** What `connectors.discover` found at a URL, with a draft `config` (nothing is stored). */
export type DiscoveredConnector = Schemas['DiscoveredConnector'];
export type RediscoveredConnector = Schemas['RediscoveredConnector'];
export type CreateConnectorFromUrlRequest = Schemas['CreateConnectorFromUrlRequest'];
/** A draft connector and how its client was obtained (`pre_registered` or `dynamic`). */
export type ConnectorFromUrl = Schemas['ConnectorFromUrl'];

/** The OAuth client the admin registered at the provider, and how to name the connector. */
export interface CreateFromDiscoveryRequest {
  slug: string;
  name: string;
  clientId: string;
  clientSecret?: string;
  /** Replaces the draft's scopes. */
  scopes?: string[];
}
export type ConnectorChange = Schemas['ConnectorChange'];

export type CreateConnectSessionRequest = Schemas['OpenConnectSessionRequest'];
export type ConnectSession = Schemas['OpenedConnectSession'];
export type ConnectSessionStatus = Schemas['ConnectSession']['status'];
export type ConnectSessionView = Schemas['ConnectSession'];

export type ConnectionStatus = Schemas['Connection']['status'];
/** A connection without any secret. */
export type Connection = Schemas['Connection'];
export type ListConnectionsQuery = QueryOf<'ConnectionsHttpController_list'>;
export type ConnectionPage = Schemas['ConnectionPage'];
/** The end user as your app described it when opening the session (or later with `update`). */
export type ConnectionEndUser = Schemas['ConnectionEndUser'];
/** `metadata`, `tags`, `endUser`: a JSON Merge Patch (RFC 7396). */
export type UpdateConnectionRequest = Schemas['UpdateConnectionRequest'];
/** A connection made elsewhere, with its credential in the shape of the connector's mode. */
export type ImportConnectionRequest = Schemas['ImportConnectionRequest'];

/** One entry of the audit: who (`apiKeyId`) did what (`kind`, `details`) when (`at`); never a secret. */
export type AuditEntry = Schemas['AuditEntry'];
export type AuditKind = Schemas['AuditEntry']['kind'];
export type AuditPage = Schemas['AuditPage'];
export type ListAuditQuery = QueryOf<'AuditHttpController_list'>;

/** An API key as listed: never its secret. */
export type ApiKey = Schemas['ApiKey'];
/** A key just created: `apiKey` is the full key, shown only this once. */
export type CreatedApiKey = Schemas['CreatedApiKey'];
export type CreateApiKeyRequest = Schemas['CreateApiKeyRequest'];
export type ApiKeyScope = Schemas['CreateApiKeyRequest']['scopes'][number];
export type Workspace = Schemas['Workspace'];
export type CreateWorkspaceRequest = Schemas['CreateWorkspaceRequest'];

/** The secret material, one shape per kind. The refresh token only when asked for. */
export type CredentialMaterial = Schemas['Credential']['credential'];
export type Credential = Schemas['Credential'];
export type ReportUnauthorizedResult = Schemas['ReportUnauthorizedResult'];

/** What removing a connection did at the provider (RFC 7009 revocation). */
export type DisconnectResult = Schemas['DisconnectResult'];

/** Every error answer: `{ error: { code, message, details? } }`. */
export type ErrorBody = Schemas['ErrorBody'];

export type WebhookEventType = Schemas['WebhookEndpoint']['eventTypes'][number];
/** An endpoint as the API shows it: never its signing secret. */
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
/** The answer of a creation or a rotation: the only ones that show the signing secret (`whsec_…`). */
export type WebhookEndpointWithSecret = Schemas['WebhookEndpointWithSecret'];
export type CreateWebhookEndpointRequest = Schemas['CreateWebhookEndpointRequest'];
export type UpdateWebhookEndpointRequest = Schemas['UpdateWebhookEndpointRequest'];
export type RotateWebhookSecretRequest = Schemas['RotateWebhookSecretRequest'];
/** One event for one endpoint; its `id` is the `webhook-id` header of every attempt. */
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookDeliveryPage = Schemas['WebhookDeliveryList'];
export type WebhookAttempt = Schemas['WebhookAttempt'];
export type ListWebhookDeliveriesQuery = QueryOf<'WebhookEndpointsHttpController_deliveries'>;

/**
 * The JSON body of a delivery, once `Webhook.verify` (npm package `standardwebhooks`) has accepted
 * it: the Standard Webhooks shape, and the CloudEvents attributes of the broker's Kafka event.
 */
export interface WebhookPayload {
  type: WebhookEventType;
  /** When the event happened (the CloudEvents `time`). */
  timestamp: string;
  /** The Kafka event's payload (docs/EVENTS.md), without any secret; `workspaceId` always. */
  data: Record<string, unknown> & { workspaceId: string };
  cloudevents: { specversion: '1.0'; id: string; type: string; source: string; subject: string; time: string; datacontenttype: 'application/json' };
}
