export type { ClientAuthMethod, OAuthClient } from './client-authentication';
export { basicAuthorization, formUrlEncode } from './client-authentication';
export type { TokenRequestFormat } from './request-body';
export {
  buildTokenRequest,
  type AuthorizationCodeGrant,
  type ClientCredentialsGrant,
  type RefreshTokenGrant,
  type TokenGrant,
  type TokenRequest,
  type TokenRequestOptions,
} from './token-request';
export {
  buildIntrospectionRequest,
  buildRevocationRequest,
  type IntrospectionRequestOptions,
  type RevocationRequestOptions,
  type TokenTypeHint,
} from './revocation-request';
export { audienceProblem, jwtAudiences } from './token-audience';
export { parseTokenResponse, type TokenResponsePaths, type TokenResult } from './token-response';
export type { JsonValue } from './response-body';
export { isTokenError, TOKEN_ERROR_CODES, type TokenError } from './token-error';
export {
  parseIntrospectionResponse,
  parseRevocationResponse,
  requestIntrospection,
  requestRevocation,
  requestToken,
  type IntrospectionResult,
  type RequestTokenOptions,
} from './request-token';
export type { SendOptions } from './send-request';
export { MAX_RESPONSE_BYTES } from './bounded-body';
export { cidrProblem, parseCidrList, parseHostList, type OutboundPolicy } from './outbound/outbound-policy';
export { outboundPolicyFromEnv } from './outbound/outbound-policy-env';
export { DestinationRefusedError, outboundAgent } from './outbound/guarded-agent';
export { createPkcePair, pkceChallenge, randomState, type PkcePair } from './pkce';
export { buildAuthorizationRequestUrl, type AuthorizationUrlOptions } from './authorization-url';
export {
  discover,
  DiscoveryError,
  documentFetcher,
  type AuthorizationServerMetadata,
  type Discovery,
  type DiscoveryProblem,
  type DocumentFetcher,
  type FetchedDocument,
  type ProtectedResourceMetadata,
  clientMetadataDocumentUrl,
  deleteClientRegistration,
  registerClient,
  updateClientRegistration,
  type ClientMetadata,
  type RegisteredClient,
} from './discovery';
