import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Readable } from 'node:stream';
import { Agent, request as sendRequest, type Dispatcher } from 'undici';
import { currentRequest, injectTraceHeaders, INTERNAL_TOKEN_HEADER, REQUEST_ID_HEADER, serviceTracer, tracingEnabled } from '@cb/platform';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { upstreamError, upstreamFailed, upstreamInvalidResponse, upstreamTimeout, upstreamUnavailable } from '../gateway.errors';

/** The back-end services the gateway calls over their internal HTTP APIs. */
export type UpstreamService = 'connector-config' | 'oauth-authorization' | 'token-issuance';

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Starting with `/internal/v1/`; path segments taken from a request must be encoded by the caller. */
  path: string;
  /** A list repeats the parameter (`tag=a:1&tag=b:2`). */
  query?: Record<string, string | number | readonly string[] | undefined>;
  /** An already encoded query string without `?`, passed on as it came (the OAuth callback). */
  rawQuery?: string;
  body?: unknown;
  /** Headers a back-end needs beyond the internal token (the connect session token, the caller's key id). */
  headers?: Record<string, string>;
  /** Milliseconds; the client's default otherwise. */
  timeoutMs?: number;
}

export interface UpstreamResponse<T = unknown> {
  status: number;
  body: T;
}

export interface RawUpstreamResponse {
  status: number;
  /** A response header's value (the first when repeated), or undefined. */
  header(name: string): string | undefined;
  text: string;
}

/** A request whose body and answer are streamed, not read (the proxy). */
export interface StreamedUpstreamRequest {
  method: string;
  /** Already checked and encoded by the caller. */
  path: string;
  rawQuery?: string;
  headers: Record<string, string>;
  /** Absent for a request without a body. */
  body?: Readable;
  /** How long the service may take to start answering, and between two pieces of its body. */
  timeoutMs: number;
}

/** A streamed answer: status, headers and a body to read or dump. */
export type StreamedUpstreamResponse = Pick<Dispatcher.ResponseData, 'statusCode' | 'headers' | 'body'>;

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Calls a back-end service's internal API with the shared `x-internal-token`. `request` expects
 * JSON: a success comes back as `{ status, body }`; an error answer is thrown as an AppError
 * carrying the upstream status and `{ code, message, details }` unchanged, so the gateway's filter
 * passes it through. `send` returns any answer as it is (the callback's HTML page). An unreachable
 * service is 503 `upstream_unavailable`; no answer in time is 504 `upstream_timeout` (the request
 * may have been processed, so it is not retried here). Connections are kept alive and reused.
 * Every call forwards the request id and, with tracing on, is a CLIENT span whose `traceparent`
 * the service continues.
 */
@Injectable()
export class UpstreamClient implements OnApplicationShutdown {
  private readonly baseUrls: Record<UpstreamService, string>;
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.baseUrls = {
      'connector-config': config.connectorConfigUrl,
      'oauth-authorization': config.oauthAuthorizationUrl,
      'token-issuance': config.tokenIssuanceUrl,
    };
  }

  async request<T = unknown>(service: UpstreamService, request: UpstreamRequest): Promise<UpstreamResponse<T>> {
    const answer = await this.send(service, { ...request, headers: { accept: 'application/json', ...request.headers } });
    return { status: answer.status, body: jsonBody<T>(service, answer) };
  }

  /**
   * Like `request`, for an answer passed on unchanged: a success's JSON comes back as the text the
   * service sent (not parsed and encoded again); an error answer is thrown as by `request`.
   */
  async requestJsonText(service: UpstreamService, request: UpstreamRequest): Promise<UpstreamResponse<string>> {
    const answer = await this.send(service, { ...request, headers: { accept: 'application/json', ...request.headers } });
    if (answer.status < 200 || answer.status >= 300 || answer.text.length === 0) return { status: answer.status, body: JSON.stringify(jsonBody(service, answer) ?? null) };
    return { status: answer.status, body: answer.text };
  }

  async send(service: UpstreamService, request: UpstreamRequest): Promise<RawUpstreamResponse> {
    const url = new URL(request.path, this.baseUrls[service]);
    if (request.rawQuery) url.search = request.rawQuery;
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (Array.isArray(value)) for (const item of value as readonly string[]) url.searchParams.append(name, item);
      else if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { ...request.headers, [INTERNAL_TOKEN_HEADER]: this.config.internalApiToken };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const requestId = currentRequest()?.requestId;
    if (requestId !== undefined) headers[REQUEST_ID_HEADER] = requestId;
    if (!tracingEnabled()) return this.exchange(service, url, request, headers);
    // Named for the service, never the path, which holds ids (and on the callback's hop, the query holds the code).
    const span = serviceTracer(this.config.serviceName).startSpan(`${request.method} ${service}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': request.method, 'server.address': url.hostname, 'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)), 'peer.service': service },
    });
    injectTraceHeaders(headers, '', trace.setSpan(context.active(), span));
    try {
      const answer = await this.exchange(service, url, request, headers);
      span.setAttribute('http.response.status_code', answer.status);
      if (answer.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return answer;
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * Sends a body as it arrives and hands back the answer unread (the proxy); failures map as for
   * `send`. The CLIENT span ends when the answer's headers arrive.
   */
  async stream(service: UpstreamService, request: StreamedUpstreamRequest): Promise<StreamedUpstreamResponse> {
    const url = new URL(this.baseUrls[service]);
    url.pathname = request.path;
    if (request.rawQuery) url.search = request.rawQuery;
    const headers: Record<string, string> = { ...request.headers, [INTERNAL_TOKEN_HEADER]: this.config.internalApiToken };
    const requestId = currentRequest()?.requestId;
    if (requestId !== undefined) headers[REQUEST_ID_HEADER] = requestId;
    const span = tracingEnabled()
      ? serviceTracer(this.config.serviceName).startSpan(`${request.method} ${service}`, {
          kind: SpanKind.CLIENT,
          attributes: { 'http.request.method': request.method, 'server.address': url.hostname, 'peer.service': service },
        })
      : undefined;
    if (span) injectTraceHeaders(headers, '', trace.setSpan(context.active(), span));
    try {
      const response = await sendRequest(url, {
        method: request.method,
        headers,
        dispatcher: this.agent,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      span?.setAttribute('http.response.status_code', response.statusCode);
      return response;
    } catch (error) {
      if (span) failed(span, error);
      const code = (error as { code?: string }).code;
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') throw upstreamTimeout(service, error);
      throw upstreamUnavailable(service, error);
    } finally {
      span?.end();
    }
  }

  private async exchange(service: UpstreamService, url: URL, request: UpstreamRequest, headers: Record<string, string>): Promise<RawUpstreamResponse> {
    const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    try {
      const response = await sendRequest(url, {
        method: request.method,
        headers,
        dispatcher: this.agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
      const text = await response.body.text();
      return { status: response.statusCode, header: (name) => firstValue(response.headers[name.toLowerCase()]), text };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        throw upstreamTimeout(service, error);
      }
      throw upstreamUnavailable(service, error);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}

function failed(span: Span, error: unknown): void {
  span.setAttribute('error.type', (error as { code?: string }).code ?? 'upstream_unavailable');
  span.setStatus({ code: SpanStatusCode.ERROR });
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A JSON answer's body, or the upstream error passed through unchanged. */
function jsonBody<T>(service: UpstreamService, answer: RawUpstreamResponse): T {
  let body: unknown = undefined;
  if (answer.text.length > 0) {
    try {
      body = JSON.parse(answer.text);
    } catch {
      throw upstreamInvalidResponse(service);
    }
  }
  if (answer.status >= 200 && answer.status < 300) return body as T;
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (typeof error?.code === 'string' && typeof error.message === 'string') {
    throw upstreamError({ code: error.code, message: error.message, details: error.details }, answer.status);
  }
  throw upstreamFailed(service, answer.status);
}
