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

/** From a provider template: only the client's credentials and scopes. */
export type CreateConnectorFromTemplate = Required<Pick<Schemas['CreateConnectorRequest'], 'templateId' | 'clientId'>> &
  Pick<Schemas['CreateConnectorRequest'], 'clientSecret' | 'scopes' | 'slug' | 'name'>;

export type CreateConnectorRequest = CreateConnectorFromConfig | CreateConnectorFromTemplate;

/** `config` replaces the whole configuration; secrets left out keep their stored values. */
export type UpdateConnectorRequest = Schemas['UpdateConnectorRequest'];
export type ListConnectorsQuery = QueryOf<'ConnectorsHttpController_list'>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type ConnectorTemplate = Schemas['ConnectorTemplate'];
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

/** The secret material, one shape per kind. The refresh token only when asked for. */
export type CredentialMaterial = Schemas['Credential']['credential'];
export type Credential = Schemas['Credential'];
export type ReportUnauthorizedResult = Schemas['ReportUnauthorizedResult'];

/** What removing a connection did at the provider (RFC 7009 revocation). */
export type DisconnectResult = Schemas['DisconnectResult'];

/** Every error answer: `{ error: { code, message, details? } }`. */
export type ErrorBody = Schemas['ErrorBody'];
