/**
 * Test-control state: token endpoint fault injection and statistics, plus the /_sandbox HTTP API.
 */
import { setTimeout as delay } from 'node:timers/promises';

import {
  HttpError, log, readBody, readJson, sendJson,
} from './http-util.mjs';

const FAULT_MODES = new Set(['none', 'status', 'slow', 'garbage', 'close']);
const DEFAULT_ERROR_FOR_STATUS = {
  400: 'invalid_request',
  401: 'invalid_client',
  429: 'temporarily_unavailable',
  503: 'temporarily_unavailable',
};

function emptyStats() {
  return {
    tokenRequests: { total: 0, byGrantType: {}, withResourceByGrantType: {} },
    tokenRequestTimestamps: [],
    refreshTokenReuseDetections: 0,
    authorizationCodeReuseDetections: 0,
    faultsInjected: 0,
    grantsRevokedByControl: 0,
    registeredSecretsRotated: 0,
  };
}

function optionalInt(value, name, { min, max }) {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HttpError(400, 'invalid_request', `${name} must be an integer between ${min} and ${max}`);
  }
  return value;
}

/** Validates a POST /_sandbox/faults `tokenEndpoint` value; returns undefined for mode "none". */
export function parseTokenFault(input) {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new HttpError(400, 'invalid_request', 'tokenEndpoint must be an object with a mode');
  }
  if (!FAULT_MODES.has(input.mode)) {
    throw new HttpError(400, 'invalid_request', `tokenEndpoint.mode must be one of ${[...FAULT_MODES].join(', ')}`);
  }
  if (input.mode === 'none') return undefined;
  const fault = {
    mode: input.mode,
    status: optionalInt(input.status, 'status', { min: 100, max: 599 }) ?? (input.mode === 'status' ? 503 : undefined),
    delayMs: optionalInt(input.delayMs, 'delayMs', { min: 0, max: 10 * 60 * 1000 }) ?? (input.mode === 'slow' ? 2000 : undefined),
    retryAfter: optionalInt(input.retryAfter, 'retryAfter', { min: 0, max: 24 * 60 * 60 }),
    count: optionalInt(input.count, 'count', { min: 1, max: 1_000_000 }),
    error: undefined,
    contentType: undefined,
  };
  if (input.error !== undefined) {
    if (typeof input.error !== 'string' || !/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/.test(input.error)) {
      throw new HttpError(400, 'invalid_request', 'error must be an OAuth error code string');
    }
    fault.error = input.error;
  }
  if (input.contentType !== undefined) {
    if (typeof input.contentType !== 'string' || !input.contentType || /[\r\n]/.test(input.contentType)) {
      throw new HttpError(400, 'invalid_request', 'contentType must be a header value');
    }
    fault.contentType = input.contentType;
  }
  return fault;
}

export class SandboxControl {
  constructor({ tokenPath, store }) {
    this.tokenPath = tokenPath;
    this.store = store;
    this.stats = emptyStats();
    this.tokenFault = undefined;
    /** When set, tokens for the sandbox API name this audience instead of the resource asked for. */
    this.resourceAudience = undefined;
  }

  reset() {
    this.stats = emptyStats();
    this.tokenFault = undefined;
    this.resourceAudience = undefined;
  }

  countGrantType(grantType, counts = this.stats.tokenRequests.byGrantType) {
    const key = typeof grantType === 'string' && grantType ? grantType : 'unknown';
    counts[key] = (counts[key] ?? 0) + 1;
  }

  /** Returns the fault for this token request (if any) and decrements its remaining count. */
  takeTokenFault() {
    const fault = this.tokenFault;
    if (!fault) return undefined;
    if (fault.count !== undefined) {
      fault.count -= 1;
      if (fault.count <= 0) this.tokenFault = undefined;
    }
    return fault;
  }

  /** koa middleware (installed with provider.use) wrapping the token endpoint. */
  tokenMiddleware() {
    return async (ctx, next) => {
      if (ctx.method !== 'POST' || ctx.path !== this.tokenPath) return next();

      this.stats.tokenRequests.total += 1;
      this.stats.tokenRequestTimestamps.push(Date.now());
      const fault = this.takeTokenFault();

      if (fault && fault.mode !== 'slow') {
        this.stats.faultsInjected += 1;
        // the provider will not see this request, so read grant_type ourselves
        let grantType;
        try {
          grantType = new URLSearchParams(await readBody(ctx.req)).get('grant_type') ?? undefined;
        } catch {
          grantType = undefined;
        }
        this.countGrantType(grantType);
        log({
          msg: 'token request fault injected', mode: fault.mode, status: fault.status, grant_type: grantType,
        });
        applyFault(ctx, fault);
        return undefined;
      }

      if (fault?.mode === 'slow') {
        this.stats.faultsInjected += 1;
        log({ msg: 'token request fault injected', mode: 'slow', delayMs: fault.delayMs });
        await delay(fault.delayMs);
      }

      try {
        await next();
      } finally {
        const grantType = ctx.oidc?.params?.grant_type ?? ctx.oidc?.body?.grant_type;
        this.countGrantType(grantType);
        // as sent: oidc-provider falls back to the granted resource when a request names none (RFC 8707 clients name it)
        if (ctx.oidc?.body?.resource) this.countGrantType(grantType, this.stats.tokenRequests.withResourceByGrantType);
        log({
          msg: 'token request', grant_type: grantType, client_id: ctx.oidc?.client?.clientId, status: ctx.status,
        });
      }
      return undefined;
    };
  }
}

function applyFault(ctx, fault) {
  switch (fault.mode) {
    case 'status': {
      ctx.status = fault.status;
      ctx.set('cache-control', 'no-store');
      if (fault.retryAfter !== undefined) ctx.set('retry-after', String(fault.retryAfter));
      ctx.body = {
        error: fault.error ?? DEFAULT_ERROR_FOR_STATUS[fault.status] ?? 'server_error',
        error_description: `sandbox fault injection: HTTP ${fault.status}`,
      };
      break;
    }
    case 'garbage': {
      ctx.status = 200;
      ctx.set('cache-control', 'no-store');
      ctx.type = fault.contentType ?? 'text/html; charset=utf-8';
      ctx.body = '<html><body>502 Bad Gateway (sandbox fault injection: this is not JSON)</body></html>';
      break;
    }
    case 'close': {
      ctx.respond = false;
      ctx.req.socket.destroy();
      break;
    }
    default:
      throw new Error(`unhandled fault mode ${fault.mode}`);
  }
}

/** Revokes every grant (and all its tokens) of accountId. Returns how many grants were revoked. */
async function revokeAccountGrants(provider, store, accountId) {
  const grantIds = await store.grantIdsForAccount(accountId);
  for (const grantId of grantIds) {
    await Promise.all([
      provider.AccessToken.revokeByGrantId(grantId),
      provider.RefreshToken.revokeByGrantId(grantId),
      provider.AuthorizationCode.revokeByGrantId(grantId),
    ]);
    const grant = await provider.Grant.find(grantId, { ignoreExpiration: true });
    await grant?.destroy();
  }
  return grantIds.length;
}

function faultsView(control) {
  return { tokenEndpoint: control.tokenFault ?? { mode: 'none' }, resourceAudience: control.resourceAudience ?? null };
}

/** A POST /_sandbox/faults `resourceAudience`: an absolute URL, or null to issue tokens for the resource again. */
function parseAudience(value) {
  if (value === null) return undefined;
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new HttpError(400, 'invalid_request', 'resourceAudience must be an absolute URL or null');
  }
  return value;
}

/**
 * Handles /_sandbox/* requests. Returns false when the path is not a control route.
 */
export async function handleControlRequest(control, provider, req, res, pathname) {
  const route = `${req.method} ${pathname}`;
  switch (route) {
    case 'GET /_sandbox/faults':
      sendJson(res, 200, faultsView(control));
      return true;
    case 'POST /_sandbox/faults': {
      const body = await readJson(req);
      if (body.tokenEndpoint !== undefined) {
        control.tokenFault = parseTokenFault(body.tokenEndpoint);
      }
      if (body.resourceAudience !== undefined) {
        control.resourceAudience = parseAudience(body.resourceAudience);
      }
      log({ msg: 'sandbox faults set', ...faultsView(control) });
      sendJson(res, 200, faultsView(control));
      return true;
    }
    case 'DELETE /_sandbox/faults':
      control.tokenFault = undefined;
      control.resourceAudience = undefined;
      log({ msg: 'sandbox faults cleared' });
      sendJson(res, 200, faultsView(control));
      return true;
    case 'GET /_sandbox/stats':
      sendJson(res, 200, control.stats);
      return true;
    case 'POST /_sandbox/revoke-grants': {
      const { accountId } = await readJson(req);
      if (typeof accountId !== 'string' || !accountId) {
        throw new HttpError(400, 'invalid_request', 'accountId must be a non-empty string');
      }
      const revokedGrants = await revokeAccountGrants(provider, control.store, accountId);
      control.stats.grantsRevokedByControl += revokedGrants;
      log({ msg: 'sandbox grants revoked', accountId, revokedGrants });
      sendJson(res, 200, { accountId, revokedGrants });
      return true;
    }
    case 'GET /_sandbox/grants': {
      const accountId = new URL(req.url ?? '/', 'http://sandbox.invalid').searchParams.get('accountId');
      if (!accountId) throw new HttpError(400, 'invalid_request', 'the accountId query parameter is required');
      sendJson(res, 200, { accountId, grants: (await control.store.grantIdsForAccount(accountId)).length });
      return true;
    }
    case 'POST /_sandbox/reset':
      control.reset();
      log({ msg: 'sandbox reset' });
      sendJson(res, 200, { ok: true });
      return true;
    default:
      return false;
  }
}
