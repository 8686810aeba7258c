#!/usr/bin/env node
/**
 * Sandbox OAuth 2.0 / OpenID Connect provider for development and tests (see README.md).
 * A real authorization server built on oidc-provider 8, run as its own process:
 *
 *   node apps/sandbox-provider/main.mjs
 */
import { createServer } from 'node:http';

import { ConfigError, loadConfig } from './config.mjs';
import {
  HttpError, log, sendJson,
} from './http-util.mjs';
import { handleControlRequest, SandboxControl } from './control.mjs';
import { handleInteractionRequest } from './interactions.mjs';
import {
  API_RESOURCE_PATH, API_SCOPES, createProvider, TOKEN_PATH,
} from './provider.mjs';
import { openStore } from './store.mjs';

/** Where the sandbox API's protected resource metadata is (RFC 9728 §3.1, relative to the issuer). */
export const RESOURCE_METADATA_PATH = `/.well-known/oauth-protected-resource${API_RESOURCE_PATH}`;

/**
 * GET /api/whoami — a tiny protected resource standing in for the third-party API (and for an MCP
 * server: `GET /api` without a token is refused with a pointer to its metadata, as MCP servers do).
 * Accepts the sandbox's opaque access tokens (authorization code / refresh / client credentials).
 */
async function handleApiRequest(provider, resource, req, res) {
  const match = /^Bearer ([\x21-\x7E]+)$/.exec(req.headers.authorization ?? '');
  const challenge = `Bearer realm="sandbox-api", resource_metadata="${resource.metadataUrl}"`;
  if (!match) {
    sendJson(res, 401, { error: 'invalid_token', error_description: 'Bearer access token required' }, { 'www-authenticate': challenge });
    return;
  }
  const value = match[1];
  const token = (await provider.AccessToken.find(value)) ?? (await provider.ClientCredentials.find(value));
  if (!token || token.isExpired) {
    sendJson(res, 401, { error: 'invalid_token', error_description: 'access token is invalid, expired or revoked' }, {
      'www-authenticate': `${challenge}, error="invalid_token"`,
    });
    return;
  }
  sendJson(res, 200, {
    active: true,
    token_kind: token.kind,
    sub: token.accountId,
    client_id: token.clientId,
    scope: token.scope,
    aud: token.aud,
    exp: token.exp,
  });
}

/** The sandbox API's OAuth 2.0 Protected Resource Metadata (RFC 9728 §2). */
function resourceMetadata(resource, issuer) {
  return {
    resource: resource.url,
    authorization_servers: [issuer],
    scopes_supported: API_SCOPES,
    bearer_methods_supported: ['header'],
    resource_name: 'Sandbox API',
  };
}

/**
 * Strips SANDBOX_BASE_PATH from the request URL, keeping the whole URL in `req.originalUrl`: that is
 * how oidc-provider learns its mount path, so the endpoints it announces include the base path.
 */
function withinBasePath(req, basePath) {
  if (!basePath) return true;
  const url = req.url ?? '/';
  if (url !== basePath && !url.startsWith(`${basePath}/`) && !url.startsWith(`${basePath}?`)) return false;
  const rest = url.slice(basePath.length);
  req.originalUrl = url;
  req.url = rest.startsWith('/') ? rest : `/${rest}`;
  return true;
}

async function start() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sandbox-provider: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  // Listen first so SANDBOX_PORT=0 works: the issuer depends on the port actually bound.
  let handler = (req, res) => sendJson(res, 503, { error: 'temporarily_unavailable' });
  const server = createServer((req, res) => handler(req, res));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address();

  let issuer;
  try {
    issuer = config.resolveIssuer(port);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sandbox-provider: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let store;
  try {
    store = await openStore(config);
  } catch (err) {
    process.stderr.write(`sandbox-provider: cannot open its database (SANDBOX_DATABASE_URL): ${err.message}\n`);
    process.exit(1);
  }
  const control = new SandboxControl({ tokenPath: TOKEN_PATH, store });
  const { provider, apiResource } = createProvider(config, issuer, store, control);
  const resource = { url: apiResource, metadataUrl: `${issuer}${RESOURCE_METADATA_PATH}` };

  provider.use(control.tokenMiddleware());
  // Reuse detection: oidc-provider revokes the whole grant when a consumed (already rotated)
  // refresh token or a consumed authorization code is presented (lib/actions/grants/*.js). Those are
  // the only grant revocations that happen on the token endpoint, so count them here.
  provider.on('grant.revoked', (ctx, grantId) => {
    if (ctx.oidc?.route !== 'token') return;
    const grantType = ctx.oidc?.params?.grant_type;
    if (grantType === 'refresh_token') control.stats.refreshTokenReuseDetections += 1;
    else if (grantType === 'authorization_code') control.stats.authorizationCodeReuseDetections += 1;
    else return;
    log({
      msg: `${grantType} reuse detected; grant revoked`, grantId, client_id: ctx.oidc.client?.clientId,
    });
  });
  provider.on('grant.error', (ctx, err) => {
    log({
      msg: 'token request rejected', error: err.error, detail: err.error_detail, client_id: ctx.oidc?.client?.clientId,
    });
  });

  const providerCallback = provider.callback();
  handler = async (req, res) => {
    if (!withinBasePath(req, config.basePath)) {
      sendJson(res, 404, { error: 'not_found', error_description: `this sandbox serves only under ${config.basePath}` });
      return;
    }
    const { pathname } = new URL(req.url ?? '/', 'http://sandbox.invalid');
    try {
      if (config.control && pathname.startsWith('/_sandbox/')) {
        if (await handleControlRequest(control, provider, req, res, pathname)) return;
        sendJson(res, 404, { error: 'not_found', error_description: `no control route ${req.method} ${pathname}` });
        return;
      }
      if (await handleInteractionRequest(provider, config, req, res, pathname)) return;
      if (req.method === 'GET' && (pathname === `${API_RESOURCE_PATH}/whoami` || pathname === API_RESOURCE_PATH)) {
        await handleApiRequest(provider, resource, req, res);
        return;
      }
      if (req.method === 'GET' && pathname === RESOURCE_METADATA_PATH) {
        sendJson(res, 200, resourceMetadata(resource, issuer));
        return;
      }
      providerCallback(req, res);
    } catch (err) {
      if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.error, error_description: err.description });
        return;
      }
      log({
        msg: 'unhandled error', method: req.method, path: pathname, error: err.message, stack: err.stack,
      });
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.destroy();
    }
  };

  const sweeper = setInterval(() => {
    store.sweepExpired().catch((err) => log({ msg: 'sweeping expired entries failed', error: err.message }));
  }, 60_000);
  sweeper.unref();

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    log({ msg: 'sandbox-provider stopping', signal });
    clearInterval(sweeper);
    server.close(() => {
      store.close().finally(() => {
        log({ msg: 'sandbox-provider stopped' });
        process.exit(0);
      });
    });
    // keep-alive connections and requests held by "slow" faults must not delay shutdown
    server.closeAllConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  log({
    msg: 'sandbox-provider ready',
    issuer,
    port,
    clients: config.clients.map((client) => client.client_id),
    control: config.control,
    storage: config.database ? `postgresql schema ${config.database.schema}` : 'memory',
    apiResource,
  });
}

start().catch((err) => {
  process.stderr.write(`sandbox-provider: failed to start: ${err.stack ?? err}\n`);
  process.exit(1);
});
