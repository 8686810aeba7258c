import type { Request } from 'express';

/** Set by the hot-route middleware, which answers ahead of Express's router (so `request.route` stays unset). */
const HOT_ROUTE_TEMPLATE = Symbol('hotRouteTemplate');

type WithTemplate = Request & { [HOT_ROUTE_TEMPLATE]?: string };

export function setRouteTemplate(request: Request, template: string): void {
  (request as WithTemplate)[HOT_ROUTE_TEMPLATE] = template;
}

/**
 * The route a request matched, as declared (`/v1/connections/:id`), never the raw path with its ids:
 * the label metrics, span names and access logs use. Known once routing has run, i.e. when the
 * response finishes; `unmatched` for a request no route took (a 404, or one refused before routing).
 */
export function routeTemplateOf(request: Request): string {
  const hot = (request as WithTemplate)[HOT_ROUTE_TEMPLATE];
  if (hot) return hot;
  const route = (request as { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${request.baseUrl ?? ''}${route.path}`;
  return 'unmatched';
}
