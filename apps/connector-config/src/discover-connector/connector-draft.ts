import type { AuthorizationServerMetadata, Discovery } from '@cb/oauth-client';

export interface DiscoveryWarning {
  code: string;
  message: string;
}

/** What a discovery answers: what was found, and an OAuth 2.0 configuration to create a connector from. */
export interface DiscoveredConnector {
  kind: Discovery['kind'];
  issuer: string;
  metadataUrl: string;
  resource: { url: string; metadataUrl: string; name: string | null; scopesSupported: readonly string[] } | null;
  supported: {
    scopes: readonly string[];
    codeChallengeMethods: readonly string[] | null;
    tokenEndpointAuthMethods: readonly string[];
    grantTypes: readonly string[] | null;
    issParameter: boolean;
  };
  registration: {
    /** How this connector gets its client: today always by the admin (`manual`). */
    method: 'manual';
    dynamicRegistrationAvailable: boolean;
    /** RFC 7591's registration endpoint, when the server has one. */
    registrationEndpoint: string | null;
    clientIdMetadataDocumentSupported: boolean;
    reason: string;
  };
  /** An OAuth 2.0 `config` for `POST /v1/connectors`, without `clientId` and `clientSecret`. */
  draft: Record<string, unknown>;
  warnings: DiscoveryWarning[];
}

/** Turns what a discovery found into a connector draft; nothing is stored. */
export function connectorDraft(discovery: Discovery): DiscoveredConnector {
  const server = discovery.authorizationServer;
  const warnings: DiscoveryWarning[] = [];
  const scopes = draftScopes(discovery);
  const clientAuthMethod = pickClientAuthMethod(server, warnings);
  const grantTypes = server.grantTypesSupported;
  const refreshes = grantTypes === undefined || grantTypes.includes('refresh_token');
  if (grantTypes !== undefined && !grantTypes.includes('authorization_code')) warnings.push({ code: 'authorization_code_not_listed', message: 'the server does not list authorization_code among its grant types' });
  if (!refreshes) warnings.push({ code: 'no_refresh_tokens', message: 'the server does not list refresh_token among its grant types: connections will need a new consent when their token expires' });
  if (server.codeChallengeMethodsSupported === undefined) warnings.push({ code: 'pkce_not_advertised', message: 'the server does not say whether it supports PKCE; the broker sends S256 anyway' });
  const draft: Record<string, unknown> = {
    mode: 'OAUTH2',
    authorizationUrl: server.authorizationEndpoint,
    tokenUrl: server.tokenEndpoint,
    ...(server.revocationEndpoint === undefined ? {} : { revocationUrl: server.revocationEndpoint }),
    ...(server.introspectionEndpoint === undefined ? {} : { introspectionUrl: server.introspectionEndpoint }),
    // only a server that sends `iss` in the callback may have it checked (RFC 9207)
    ...(server.issParameterSupported ? { issuer: server.issuer } : {}),
    ...(discovery.resource === undefined ? {} : { resource: discovery.resource.resource }),
    scopes,
    // OpenID Connect issues a refresh token for offline_access only after a consent prompt (Core §11)
    ...(scopes.includes('offline_access') && server.scopesSupported.includes('openid') ? { authorizationParams: { prompt: 'consent' } } : {}),
    clientAuthMethod,
    pkce: true,
    ...(refreshes ? {} : { refreshGrantType: 'none' }),
  };
  return {
    kind: discovery.kind,
    issuer: server.issuer,
    metadataUrl: server.metadataUrl,
    resource: discovery.resource === undefined ? null : {
      url: discovery.resource.resource,
      metadataUrl: discovery.resource.metadataUrl,
      name: discovery.resource.name ?? null,
      scopesSupported: discovery.resource.scopesSupported,
    },
    supported: {
      scopes: server.scopesSupported,
      codeChallengeMethods: server.codeChallengeMethodsSupported ?? null,
      tokenEndpointAuthMethods: server.tokenEndpointAuthMethodsSupported,
      grantTypes: server.grantTypesSupported ?? null,
      issParameter: server.issParameterSupported,
    },
    registration: {
      method: 'manual',
      dynamicRegistrationAvailable: server.registrationEndpoint !== undefined,
      registrationEndpoint: server.registrationEndpoint ?? null,
      clientIdMetadataDocumentSupported: server.clientIdMetadataDocumentSupported,
      reason: `register a client at ${new URL(server.issuer).host} with this deployment's OAuth callback URL as its redirect URI, then give its client ID (and secret) when creating the connector; the broker does not register clients by itself yet${server.registrationEndpoint === undefined ? '' : ', although this server offers dynamic client registration'}`,
    },
    draft,
    warnings,
  };
}

/** A resource's own scopes, else OpenID's; offline_access where offered, for refresh tokens. */
function draftScopes(discovery: Discovery): string[] {
  const supported = discovery.authorizationServer.scopesSupported;
  const base = discovery.resource !== undefined ? [...discovery.resource.scopesSupported] : supported.includes('openid') ? ['openid'] : [];
  return supported.includes('offline_access') ? [...base, 'offline_access'] : base;
}

function pickClientAuthMethod(server: AuthorizationServerMetadata, warnings: DiscoveryWarning[]): string {
  const methods = server.tokenEndpointAuthMethodsSupported;
  if (methods.includes('client_secret_basic')) return 'client_secret_basic';
  if (methods.includes('client_secret_post')) return 'client_secret_post';
  warnings.push({ code: 'client_auth_method_unsupported', message: `the server authenticates clients with ${methods.join(', ')} only; the broker sends client_secret_basic, or no secret for a public client` });
  return 'client_secret_basic';
}
