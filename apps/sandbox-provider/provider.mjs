/**
 * Builds the oidc-provider (v8) instance: configuration, accounts, event hooks.
 */
import Provider, { errors } from 'oidc-provider';

import { withClientMetadataDocuments } from './client-metadata-documents.mjs';
import { CLIENT_AUTH_METHODS } from './config.mjs';
import { errorPage } from './views.mjs';
import { log } from './http-util.mjs';
import { expiringRegisteredSecrets } from './registered-secrets.mjs';

export const TOKEN_PATH = '/token';
export const INTERACTION_PREFIX = '/interaction/';
/** Resource indicator of the sandbox "third-party API"; scopes api:read and api:write. */
export const API_RESOURCE_PATH = '/api';
export const API_SCOPES = ['api:read', 'api:write'];

const DAY = 24 * 60 * 60;

export function accountFor(users, accountId) {
  const user = users.get(accountId);
  return {
    accountId,
    async claims() {
      return {
        sub: accountId,
        name: user?.name ?? accountId,
        preferred_username: accountId,
        email: user?.email ?? `${accountId}@sandbox.invalid`,
        email_verified: true,
      };
    },
  };
}

/**
 * SANDBOX_OMIT_EXPIRES_IN: token responses say nothing about the lifetime, as Salesforce's do; the
 * tokens still expire after SANDBOX_ACCESS_TOKEN_TTL (introspection reports their `exp`).
 */
async function withoutExpiresIn(ctx, next) {
  await next();
  if (ctx.method === 'POST' && ctx.path === TOKEN_PATH && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
    delete ctx.body.expires_in;
  }
}

export function createProvider(config, issuer, store, control) {
  const apiResource = `${issuer}${API_RESOURCE_PATH}`;

  const configuration = {
    adapter: config.clientIdMetadataDocuments ? withClientMetadataDocuments(store.Adapter) : store.Adapter,
    ...(config.clientIdMetadataDocuments ? { discovery: { client_id_metadata_document_supported: true } } : {}),
    clients: config.clients.map((client) => ({
      ...client,
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
    })),
    // metadata document clients are public: PKCE, no shared secret
    clientAuthMethods: config.clientIdMetadataDocuments ? [...CLIENT_AUTH_METHODS, 'none'] : [...CLIENT_AUTH_METHODS],
    responseTypes: ['code'],
    jwks: store.keys.jwks,
    cookies: {
      keys: store.keys.cookieKeys,
      long: { signed: true },
      short: { signed: true },
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    pkce: {
      methods: ['S256'],
      required: () => true,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // any authenticated sandbox client may introspect any token (it plays resource server)
        allowedPolicy: async () => true,
      },
      revocation: { enabled: true },
      // Dynamic client registration (RFC 7591) without an initial access token, as MCP servers offer
      // it, and its management (RFC 7592): read, update and delete with the registration access token.
      registration: { enabled: true },
      registrationManagement: { enabled: config.registrationManagement },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // client_credentials without `resource` gets the sandbox API; other flows get
        // OIDC/userinfo tokens unless the client asks for a resource explicitly.
        defaultResource: async (ctx, client, oneOf) => {
          if (oneOf) return oneOf;
          if (ctx.oidc.route === 'token' && ctx.oidc.params.grant_type === 'client_credentials') {
            return apiResource;
          }
          return undefined;
        },
        useGrantedResource: async () => false,
        getResourceServerInfo: async (ctx, resourceIndicator) => {
          if (resourceIndicator !== apiResource) {
            throw new errors.InvalidTarget(`unknown resource; the sandbox serves only ${apiResource}`);
          }
          return {
            scope: API_SCOPES.join(' '),
            // a control switch makes tokens for another audience, as a server ignoring `resource` would
            audience: control.resourceAudience ?? apiResource,
            accessTokenFormat: 'opaque',
            accessTokenTTL: config.accessTokenTtl,
          };
        },
      },
    },
    // Refresh tokens: only when the grant includes offline_access. oidc-provider drops
    // offline_access from an authorization request unless it also carries prompt=consent.
    issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token')
      && code.scopes.has('offline_access'),
    // Every refresh rotates; re-presenting a rotated (consumed) refresh token revokes the grant.
    rotateRefreshToken: true,
    ttl: {
      AccessToken: config.accessTokenTtl,
      ClientCredentials: config.accessTokenTtl,
      AuthorizationCode: config.codeTtl,
      RefreshToken: config.refreshTokenTtl,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * DAY,
      Grant: Math.max(config.refreshTokenTtl * 4, 365 * DAY),
    },
    interactions: {
      url: async (ctx, interaction) => `${config.basePath}${INTERACTION_PREFIX}${interaction.uid}`,
    },
    findAccount: async (ctx, accountId) => accountFor(config.users, accountId),
    // browser-based callers of the sandbox are allowed from any origin (development only)
    clientBasedCORS: () => true,
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage({ error: out.error, description: out.error_description });
    },
  };

  const provider = new Provider(issuer, configuration);
  if (config.omitExpiresIn) provider.use(withoutExpiresIn);
  if (config.registeredSecretTtl !== undefined) provider.use(expiringRegisteredSecrets(store.Adapter, config.registeredSecretTtl, control));
  provider.on('server_error', (ctx, err) => {
    log({
      msg: 'provider server_error', path: ctx.path, error: err.message, stack: err.stack,
    });
  });
  return { provider, apiResource };
}
