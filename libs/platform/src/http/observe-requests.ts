import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { acceptRequestId, REQUEST_ID_HEADER, runInRequestContext, type RequestContext } from '../tracing/request-context';
import { extractTraceContext } from '../tracing/trace-headers';
import { serviceTracer, tracingEnabled } from '../tracing/tracing';
import { routeTemplateOf } from './route-template';

/** The span attribute naming the caller's workspace, once authenticated (the gateway). */
export const WORKSPACE_ATTRIBUTE = 'cb.workspace_id';

/**
 * The first middleware of every service, so that it covers hot routes and requests refused early:
 * takes the caller's `X-Request-Id` (or makes one) and answers with it, runs the rest of the request
 * in its request context (and, with tracing on, in a SERVER span continuing the caller's
 * `traceparent`), and when the response is done names the span after the route template and writes
 * one access log line: method, route template, status, duration, ids. Never the path with its ids,
 * the query string, headers or bodies.
 */
export function observeRequests(serviceName: string, logger: Logger): (request: Request, response: Response, next: NextFunction) => void {
  const tracer = serviceTracer(serviceName);
  const accessLog = logger.child({ context: 'AccessLog' });
  return (request, response, next) => {
    const startedAt = performance.now();
    const current: RequestContext = { requestId: acceptRequestId(request.headers[REQUEST_ID_HEADER]) };
    response.setHeader(REQUEST_ID_HEADER, current.requestId);
    if (!tracingEnabled()) {
      response.once('close', () => writeAccessLog(accessLog, request, response, current, startedAt, undefined));
      runInRequestContext(current, next);
      return;
    }
    const parent = extractTraceContext(request.headers);
    const span = tracer.startSpan(request.method, { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method } }, parent);
    response.once('close', () => {
      endServerSpan(span, request, response, current);
      writeAccessLog(accessLog, request, response, current, startedAt, span);
    });
    context.with(trace.setSpan(parent, span), () => runInRequestContext(current, next));
  };
}

function endServerSpan(span: Span, request: Request, response: Response, current: RequestContext): void {
  const route = routeTemplateOf(request);
  span.updateName(`${request.method} ${route}`);
  span.setAttribute(ATTR_HTTP_ROUTE, route);
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
  if (current.workspaceId) span.setAttribute(WORKSPACE_ATTRIBUTE, current.workspaceId);
  if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  if (!response.writableFinished) span.setAttribute('cb.aborted', true);
  span.end();
}

function writeAccessLog(logger: Logger, request: Request, response: Response, current: RequestContext, startedAt: number, span: Span | undefined): void {
  const line: Record<string, unknown> = {
    method: request.method,
    route: routeTemplateOf(request),
    status: response.statusCode,
    durationMs: Math.round((performance.now() - startedAt) * 100) / 100,
    request_id: current.requestId,
  };
  if (span) {
    const { traceId, spanId } = span.spanContext();
    line.trace_id = traceId;
    line.span_id = spanId;
  }
  if (current.workspaceId) line.workspaceId = current.workspaceId;
  if (!response.writableFinished) line.aborted = true;
  logger.info(line, 'request handled');
}
