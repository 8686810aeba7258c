import express from 'express';
import request from 'supertest';
import { hotRoutesMiddleware } from '../http/hot-route';
import { httpRequestMetrics } from './http-metrics';
import { bearerToken, MetricsEndpoint } from './metrics-endpoint';
import { ServiceMetrics } from './service-metrics';

const TOKEN = 'metrics-token-of-at-least-32-characters';

function serviceApp(metrics: ServiceMetrics, token: string | undefined): express.Express {
  const app = express();
  app.use(httpRequestMetrics(metrics));
  app.use(hotRoutesMiddleware([new MetricsEndpoint(metrics, token)]));
  app.get('/v1/connections/:connectionId', (_request, response) => void response.json({ ok: true }));
  app.get('/boom', (_request, response) => void response.status(503).json({}));
  app.get('/health/live', (_request, response) => void response.json({ status: 'ok' }));
  return app;
}

describe('GET /metrics', () => {
  it('is off, with a 404 that says how to turn it on, while METRICS_TOKEN is not set', async () => {
    const answer = await request(serviceApp(new ServiceMetrics('svc'), undefined)).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: { code: 'metrics_disabled', message: expect.stringContaining('METRICS_TOKEN') } });
  });

  it('refuses a scrape without the token, or with a wrong one, with 401 and the standard error body', async () => {
    const app = serviceApp(new ServiceMetrics('svc'), TOKEN);
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const scrape = request(app).get('/metrics');
      const answer = await (authorization === undefined ? scrape : scrape.set('Authorization', authorization));
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(answer.body.error.code).toBe('unauthorized');
      expect(answer.text).not.toContain('process_cpu');
    }
  });

  it('answers the Prometheus text format, every series labelled with its service', async () => {
    const answer = await request(serviceApp(new ServiceMetrics('token-issuance'), TOKEN)).get('/metrics').set('Authorization', `bearer ${TOKEN}`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toContain('text/plain');
    expect(answer.text).toMatch(/^process_cpu_user_seconds_total\{service="token-issuance"\} /m);
  });
});

describe('http_server_request_duration_seconds', () => {
  it('observes each request by route template and status class, never the raw path, and leaves scrapes and probes out', async () => {
    const metrics = new ServiceMetrics('gateway');
    const app = serviceApp(metrics, TOKEN);
    await request(app).get('/v1/connections/c-secret-id-1');
    await request(app).get('/v1/connections/c-secret-id-2');
    await request(app).get('/boom');
    await request(app).get('/health/live');
    await request(app).get('/nowhere/else');
    const text = (await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).text;
    const count = (labels: string): string | undefined => new RegExp(`^http_server_request_duration_seconds_count\\{service="gateway",${labels}\\} (\\d+)$`, 'm').exec(text)?.[1];
    expect(count('method="GET",route="/v1/connections/:connectionId",status_class="2xx"')).toBe('2');
    expect(count('method="GET",route="/boom",status_class="5xx"')).toBe('1');
    expect(count('method="GET",route="unmatched",status_class="4xx"')).toBe('1');
    expect(text).not.toContain('c-secret-id');
    expect(text).not.toContain('/health/live');
    expect(text).not.toContain('route="/metrics"');
  });
});

describe('ServiceMetrics', () => {
  it('gives each service a registry of its own, so services in one process never share a series', () => {
    const one = new ServiceMetrics('one');
    const two = new ServiceMetrics('two');
    one.counter({ name: 'probe_total', help: 'probe', type: 'counter', labelNames: [], recordedBy: 'test' }).inc();
    expect(one.registry.getSingleMetric('probe_total')).toBeDefined();
    expect(two.registry.getSingleMetric('probe_total')).toBeUndefined();
  });

  it('returns the same instrument for the same definition', () => {
    const metrics = new ServiceMetrics('one');
    const definition = { name: 'probe_total', help: 'probe', type: 'counter', labelNames: [], recordedBy: 'test' } as const;
    expect(metrics.counter(definition)).toBe(metrics.counter(definition));
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer authorization, whatever the scheme case', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('BEARER abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
