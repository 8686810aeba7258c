import type { Tracer } from '@opentelemetry/api';
import { fetch as undiciFetch } from 'undici';
import { MAX_RESPONSE_BYTES, readAtMost } from './bounded-body';
import { outboundAgent } from './outbound/guarded-agent';
import type { OutboundPolicy } from './outbound/outbound-policy';
import { responseTooLarge, TOKEN_ERROR_CODES, type TokenError } from './token-error';
import type { TokenRequest } from './token-request';

export interface SendOptions {
  /** The whole exchange, body included. */
  readonly timeoutMs: number;
  /** Which addresses the request may connect to; checked at connect time. */
  readonly outbound: OutboundPolicy;
  /** Tests only: replaces the HTTP client, and with it the outbound check (not the size limit). */
  readonly fetchImpl?: typeof fetch;
  /** The calling service's tracer: each call is a CLIENT span of it (see `inProviderSpan`). */
  readonly tracer?: Tracer;
}

export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly retryAfterSeconds?: number;
  readonly bodyText: string;
}

/** Failures that happen before a request leaves this machine, so it cannot have been acted on. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'DESTINATION_REFUSED',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Sends a token-endpoint request. Redirects are not followed: a redirected POST would carry the
 * client secret and the code to another location.
 *
 * Every timeout counts as ambiguous, because nothing tells whether the server received the
 * request; so does any failure not known to happen before sending.
 *
 * Every failure to reach the server (refused by the outbound policy, connection refused, no such
 * host…) gets the same code and description, so that a caller who writes the URL cannot map the
 * network from the answers; `detail` says what happened, for the logs only.
 *
 * At most {@link MAX_RESPONSE_BYTES} of the answer are read: a longer one (or one whose
 * `Content-Length` says so) is a `response_too_large` at once, and the request is aborted, which
 * closes the connection, instead of buffering what the provider sends until the timeout.
 */
export async function sendRequest(request: TokenRequest, options: SendOptions): Promise<HttpAnswer | TokenError> {
  // One controller for both the deadline and the size limit. Not AbortSignal.any() over
  // AbortSignal.timeout(): on Node 20 the timeout signal inside it can be garbage collected and
  // never fire (nodejs/node#57736), leaving a slow body to be read without end.
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(new DOMException(`no complete answer within ${options.timeoutMs} ms`, 'TimeoutError')), options.timeoutMs);
  const init = { method: request.method, headers: request.headers, body: request.body, redirect: 'manual', signal: abort.signal } as const;
  try {
    const response = options.fetchImpl
      ? await options.fetchImpl(request.url, init)
      : await undiciFetch(request.url, { ...init, dispatcher: outboundAgent(options.outbound) });
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    const bodyText = await readAtMost(response, MAX_RESPONSE_BYTES);
    if (bodyText === undefined) {
      abort.abort();
      return responseTooLarge(response.status, MAX_RESPONSE_BYTES, retryAfterSeconds);
    }
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      bodyText,
    };
  } catch (error) {
    return transportError(error, options.timeoutMs);
  } finally {
    clearTimeout(deadline);
  }
}

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

/** Duck-typed: errors from fetch may come from another realm (a VM context, a test runner). */
function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? value : undefined;
}

function transportError(error: unknown, timeoutMs: number): TokenError {
  const name = asErrorLike(error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return {
      ok: false,
      code: TOKEN_ERROR_CODES.timeout,
      description: `no complete answer within ${timeoutMs} ms`,
      retriable: true,
      reconnectRequired: false,
      ambiguous: true,
    };
  }
  const cause = errorCode(error);
  return {
    ok: false,
    code: TOKEN_ERROR_CODES.networkError,
    description: 'the provider could not be reached',
    detail: transportDetail(error),
    retriable: true,
    reconnectRequired: false,
    ambiguous: cause === undefined || !NOT_SENT.has(cause),
  };
}

/** The innermost error's code and message: `DESTINATION_REFUSED: localhost resolves to 127.0.0.1…`. */
function transportDetail(error: unknown): string {
  let current = asErrorLike(error);
  while (current !== undefined && asErrorLike(current.cause) !== undefined) current = asErrorLike(current.cause);
  const message = (current as { message?: unknown } | undefined)?.message;
  const code = typeof current?.code === 'string' ? `${current.code}: ` : '';
  return `${code}${typeof message === 'string' ? message : 'unknown failure'}`.slice(0, 300);
}

/** Node's fetch reports `TypeError: fetch failed` with the socket error as its `cause`. */
function errorCode(error: unknown): string | undefined {
  let current = asErrorLike(error);
  for (let depth = 0; current !== undefined && depth < 4; depth += 1) {
    if (typeof current.code === 'string' && /^[A-Z_]+$/.test(current.code)) return current.code;
    current = asErrorLike(current.cause);
  }
  return undefined;
}

/** @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}
