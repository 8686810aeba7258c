import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';
import { routeTemplateOf } from '../http/route-template';
import { METRICS_PATH } from './metrics-endpoint';
import { METRICS } from './metrics.catalog';
import { ServiceMetrics } from './service-metrics';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

type Observer = { observe(seconds: number): void };

/**
 * Records `http_server_request_duration_seconds` for every request when its response finishes, by
 * method, route template (never the raw path) and status class; errors are its 4xx/5xx classes.
 * Installed first, so requests refused by the request checks count too (as route `unmatched`).
 *
 * Scrapes of /metrics and the /health/* probes are left out: they arrive at a fixed rate from
 * Prometheus and the orchestrator, would make most of a quiet service's traffic and pull its
 * latency quantiles down, and a failing readiness probe is the orchestrator's signal already.
 *
 * The hot path costs one closure and one observation: the labelled children are cached by route,
 * method and status class, so no label object or key string is built per request.
 */
export function httpRequestMetrics(metrics: ServiceMetrics): (request: Request, response: Response, next: NextFunction) => void {
  const duration = metrics.histogram(METRICS.httpRequestDuration);
  const children = new Map<string, Map<string, (Observer | undefined)[]>>();
  const child = (route: string, method: string, statusClass: number): Observer => {
    let byMethod = children.get(route);
    if (!byMethod) children.set(route, (byMethod = new Map<string, (Observer | undefined)[]>()));
    let byClass = byMethod.get(method);
    if (!byClass) byMethod.set(method, (byClass = []));
    return (byClass[statusClass] ??= duration.labels(method, route, STATUS_CLASSES[statusClass] ?? 'other'));
  };
  return (request, response, next) => {
    const path = request.path;
    if (path === METRICS_PATH || path.startsWith('/health/')) return next();
    const started = performance.now();
    response.once('finish', () => {
      const statusClass = Math.min(Math.max(Math.floor(response.statusCode / 100) - 1, 0), STATUS_CLASSES.length - 1);
      child(routeTemplateOf(request), request.method, statusClass).observe((performance.now() - started) / 1000);
    });
    next();
  };
}
