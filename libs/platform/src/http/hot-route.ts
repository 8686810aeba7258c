import type { NextFunction, Request, Response } from 'express';
import { writeErrorResponse } from '../errors/app-exception.filter';
import { setRouteTemplate } from './route-template';

/**
 * A route answered ahead of Nest's router, guards, interceptors and pipes: only for a path whose
 * cost the framework dominates and that every consuming service calls per third-party call (the
 * credential read; ADR 0011). The service's request checks (NUL in the URL, media type, body size,
 * depth, reserved keys) have run before it; what `handle` throws is answered as the exception filter
 * answers it. Authentication, limits and validation are the handler's to call, from the same
 * classes the Nest routes use.
 */
export interface HotRoute {
  /** `ANY` for a route that takes every method (the proxy). */
  readonly method: 'GET' | 'POST' | 'ANY';
  /** Matched against the request's path (no query string); its groups are `handle`'s `params`. */
  readonly path: RegExp;
  /** The route as metrics, traces and access logs name it, never the raw path: e.g. `/v1/connections/:connectionId/credential`. */
  readonly template: string;
  /** When given, a matching request it refuses goes on to Nest (one path, two media types: the bulk import). */
  accepts?(request: Request): boolean;
  handle(request: Request, response: Response, params: string[]): Promise<void>;
}

/** One Express middleware that hands a matching request to its hot route, and any other on to Nest. */
export function hotRoutesMiddleware(routes: HotRoute[]): (request: Request, response: Response, next: NextFunction) => void {
  return (request, response, next) => {
    for (const route of routes) {
      const match = route.method === 'ANY' || request.method === route.method ? route.path.exec(request.path) : null;
      if (!match || (route.accepts && !route.accepts(request))) continue;
      setRouteTemplate(request, route.template);
      route.handle(request, response, match.slice(1)).catch((error: unknown) => writeErrorResponse(response, error));
      return;
    }
    next();
  };
}
