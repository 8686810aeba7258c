import type { Request } from 'express';
import { routeTemplateOf, setRouteTemplate } from './route-template';

const request = (fields: Record<string, unknown>): Request => ({ baseUrl: '', ...fields }) as unknown as Request;

describe('routeTemplateOf', () => {
  it('names the route as declared, with its parameters, not the path with ids', () => {
    expect(routeTemplateOf(request({ path: '/v1/connections/c-123', route: { path: '/v1/connections/:connectionId' } }))).toBe('/v1/connections/:connectionId');
  });

  it('names a hot route by its template, since Express never routed it', () => {
    const hot = request({ path: '/v1/connections/c-123/credential' });
    setRouteTemplate(hot, '/v1/connections/:connectionId/credential');
    expect(routeTemplateOf(hot)).toBe('/v1/connections/:connectionId/credential');
  });

  it('calls a request no route took unmatched', () => {
    expect(routeTemplateOf(request({ path: '/nowhere/secret-id' }))).toBe('unmatched');
  });
});
