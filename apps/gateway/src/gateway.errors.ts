import { AppError } from '@cb/platform';

/**
 * The gateway's own error answers, one factory per code; `notFound` and `validationFailed` come
 * from @cb/platform, and errors of the services behind it pass through as they answered.
 */
export const unauthorized = (): AppError => new AppError('unauthorized', 'a valid API key is required: Authorization: Bearer <key>', 401);

/** The key lacks every one of `missingScopes`. */
export const forbidden = (missingScopes: readonly string[]): AppError =>
  new AppError('forbidden', `this API key lacks the scope${missingScopes.length > 1 ? 's' : ''} ${missingScopes.join(', ')}`, 403, { missingScopes });

/** The key holds none of `scopes`, any one of which would do. */
export const forbiddenWithoutAnyOf = (scopes: readonly string[]): AppError =>
  new AppError('forbidden', `this API key needs one of the scopes ${scopes.join(', ')}`, 403, { missingScopes: scopes });

export const rateLimited = (retryAfterSeconds: number): AppError =>
  new AppError('rate_limited', `too many requests; retry after ${retryAfterSeconds} s`, 429, { retryAfterSeconds }, { retriable: true });

export const invalidSessionToken = (): AppError =>
  new AppError('invalid_session_token', 'a connect session token is required: Authorization: Bearer <sessionToken> or X-Connect-Session', 401);

export const connectorNotReady = (): AppError => new AppError('connector_not_ready', 'the connector was activated moments ago and cannot be connected yet; retry shortly', 503);
export const connectorNotActive = (): AppError => new AppError('connector_not_active', 'the connector is not active and cannot be connected', 409);

export const callbackUnavailable = (): AppError => new AppError('temporarily_unavailable', 'the authorization response cannot be processed right now; reload this page shortly', 503);
export const callbackFailed = (): AppError => new AppError('callback_failed', 'the authorization response could not be processed', 502);

export const upstreamTimeout = (service: string, cause: unknown): AppError =>
  new AppError('upstream_timeout', `${service} did not answer in time`, 504, undefined, { cause, retriable: true });
export const upstreamUnavailable = (service: string, cause: unknown): AppError =>
  new AppError('upstream_unavailable', `${service} is unavailable`, 503, undefined, { cause, retriable: true });
export const upstreamInvalidResponse = (service: string): AppError => new AppError('upstream_invalid_response', `${service} answered with a body that is not JSON`, 502);

/** An upstream answer that is not one of the services' own error bodies. */
export const upstreamFailed = (service: string, status: number): AppError =>
  status >= 500 ? new AppError('upstream_error', `${service} answered ${status}`, 502) : new AppError('upstream_rejected', `${service} answered ${status}`, status);

/** An upstream service's error body, passed on with its status. */
export const upstreamError = (error: { code: string; message: string; details?: unknown }, status: number): AppError =>
  new AppError(error.code, error.message, status, error.details, { retriable: status >= 500 });

export const proxyPathRefused = (problem: string, message: string): AppError =>
  new AppError('proxy_path_refused', `The proxied path is refused: ${message}.`, 400, { problem });
