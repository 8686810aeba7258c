import { ConfigError } from './load-config';
import { loadServiceConfig } from './service-config';

const BASE = { DATABASE_URL: 'postgres://svc@db/cb', KAFKA_BROKERS: 'kafka:9092' };
const load = (env: Record<string, string>) => loadServiceConfig('token-refresh', 3004, {}, { ...BASE, ...env }, { keyring: false });

describe('tracing settings', () => {
  it('leave tracing off without OTEL_EXPORTER_OTLP_ENDPOINT, whatever else is set', () => {
    expect(load({ OTEL_SERVICE_NAME: 'ignored' }).tracing).toBeUndefined();
  });

  it('read the endpoint, the export headers and the service name', () => {
    expect(load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=k%2C1', OTEL_SERVICE_NAME: 'refresh-eu' }).tracing).toEqual({
      endpoint: 'http://collector:4318',
      headers: { 'api-key': 'k,1' },
      resourceServiceName: 'refresh-eu',
    });
    expect(load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector' }).tracing).toEqual({ endpoint: 'https://collector', headers: {}, resourceServiceName: undefined });
  });

  it('stop the service naming the variable, never repeating a header value', () => {
    expect(() => load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must use http: or https:/);
    let error: unknown;
    try {
      load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_HEADERS: 'canary-key-without-name' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['OTEL_EXPORTER_OTLP_HEADERS: entry 1 is not name=value']);
  });
});
