export { discover, type Discovery, type DiscoverOptions } from './discover';
export { DiscoveryError, type DiscoveryProblem } from './discovery-error';
export { documentFetcher, type DocumentFetcher, type FetchedDocument } from './fetch-document';
export type { AuthorizationServerMetadata } from './authorization-server-metadata';
export type { ProtectedResourceMetadata } from './protected-resource-metadata';
export { clientMetadataDocumentUrl, deleteClientRegistration, registerClient, updateClientRegistration, type ClientMetadata, type RegisteredClient, type RegisterOptions } from './register-client';
