import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { HotRoute } from '../http/hot-route';
import { metricsOff, metricsTokenRejected } from './metrics.errors';
import { ServiceMetrics } from './service-metrics';

export const METRICS_PATH = '/metrics';

/**
 * `GET /metrics` in Prometheus's text format, answered ahead of Nest's router like the other hot
 * routes. Every service answers it, the gateway (the public edge) included, so it is never open:
 * `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time, or 401; without
 * METRICS_TOKEN the endpoint is off (404). Kept out of the public OpenAPI document, like /health.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export class MetricsEndpoint implements HotRoute {
  readonly method = 'GET';
  readonly path = /^\/metrics$/;
  readonly template = METRICS_PATH;
  private readonly expected: Buffer | undefined;

  constructor(
    private readonly metrics: ServiceMetrics,
    token: string | undefined,
  ) {
    this.expected = token === undefined ? undefined : digest(token);
  }

  async handle(request: Request, response: Response): Promise<void> {
    if (this.expected === undefined) throw metricsOff();
    if (!timingSafeEqual(digest(bearerToken(request.headers.authorization) ?? ''), this.expected)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw metricsTokenRejected();
    }
    const text = await this.metrics.scrape();
    response.status(200).setHeader('Content-Type', this.metrics.registry.contentType).setHeader('Cache-Control', 'no-store').end(text);
  }
}

/** The credentials of `Authorization: Bearer <token>` (the scheme is case-insensitive, RFC 9110 §11.1). */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
