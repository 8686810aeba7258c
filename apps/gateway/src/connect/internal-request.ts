import { AppError, INTERNAL_TOKEN_HEADER } from '@cb/platform';
import type { GatewayConfig } from '../gateway.config';
import type { UpstreamService } from '../upstream';

export interface InternalRequest {
  method: 'GET' | 'POST';
  path: string;
  /** Already encoded, without `?`. */
  rawQuery?: string;
  body?: unknown;
  /** Request headers a back-end needs beyond the internal token (the connect session token, the caller's key id). */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface InternalAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * An internal call for the routes UpstreamClient cannot express: extra request headers, and
 * answers that are not JSON (the OAuth callback page). Errors map as UpstreamClient maps them.
 */
export async function internalRequest(config: GatewayConfig, service: UpstreamService, request: InternalRequest): Promise<InternalAnswer> {
  const base = { 'connector-config': config.connectorConfigUrl, 'oauth-authorization': config.oauthAuthorizationUrl, 'token-issuance': config.tokenIssuanceUrl }[service];
  const url = new URL(request.path, base);
  if (request.rawQuery) url.search = request.rawQuery;
  const headers: Record<string, string> = { ...request.headers, [INTERNAL_TOKEN_HEADER]: config.internalApiToken };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(url, {
      method: request.method,
      headers,
      redirect: 'manual',
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') throw new AppError('upstream_timeout', `${service} did not answer in time`, 504, undefined, { cause: error, retriable: true });
    throw new AppError('upstream_unavailable', `${service} is unavailable`, 503, undefined, { cause: error, retriable: true });
  }
}

/** A JSON answer's body, or the upstream error passed through unchanged. */
export function jsonBody(service: UpstreamService, answer: InternalAnswer): unknown {
  let body: unknown;
  try {
    body = answer.text ? JSON.parse(answer.text) : undefined;
  } catch {
    throw new AppError('upstream_invalid_response', `${service} answered with a body that is not JSON`, 502);
  }
  if (answer.status >= 200 && answer.status < 300) return body;
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (typeof error?.code === 'string' && typeof error.message === 'string') {
    throw new AppError(error.code, error.message, answer.status, error.details, { retriable: answer.status >= 500 });
  }
  throw new AppError(answer.status >= 500 ? 'upstream_error' : 'upstream_rejected', `${service} answered ${answer.status}`, answer.status >= 500 ? 502 : answer.status);
}
