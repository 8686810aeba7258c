import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { extractTraceContext, injectTraceHeaders } from './trace-headers';
import { installTracing, parseOtlpHeaders, serviceTracer, tracesUrl, tracingEnabled } from './tracing';

describe('trace headers without a tracer provider', () => {
  it('writes nothing and reads nothing: tracing stays off', () => {
    expect(tracingEnabled()).toBe(false);
    const headers: Record<string, string> = {};
    injectTraceHeaders(headers, 'ce_');
    expect(headers).toEqual({});
    expect(trace.getSpanContext(extractTraceContext({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }))).toBeUndefined();
  });
});

describe('trace headers with a tracer provider', () => {
  let tracing: ReturnType<typeof installTracing>;
  beforeAll(() => {
    tracing = installTracing({ serviceName: 'test', exporter: new InMemorySpanExporter(), immediate: true });
  });
  afterAll(() => tracing.uninstall());

  it.each([
    ['HTTP headers', ''],
    ['CloudEvents Kafka headers', 'ce_'],
  ])('round-trips the active span through %s', (_where, prefix) => {
    const span = serviceTracer('sender').startSpan('send');
    const headers: Record<string, string> = {};
    context.with(trace.setSpan(context.active(), span), () => injectTraceHeaders(headers, prefix));
    span.end();

    const { traceId, spanId } = span.spanContext();
    expect(headers).toEqual({ [`${prefix}traceparent`]: `00-${traceId}-${spanId}-01` });
    const received = trace.getSpanContext(extractTraceContext(headers, prefix));
    expect(received).toMatchObject({ traceId, spanId, isRemote: true });

    const child = serviceTracer('receiver').startSpan('receive', {}, extractTraceContext(headers, prefix));
    expect(child.spanContext().traceId).toBe(traceId);
    child.end();
  });

  it('carries tracestate along with traceparent', () => {
    const incoming = { ce_traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', ce_tracestate: 'vendor=abc' };
    const headers: Record<string, string> = {};
    injectTraceHeaders(headers, 'ce_', extractTraceContext(incoming, 'ce_'));
    expect(headers).toEqual(incoming);
  });

  it('ignores a malformed traceparent, and one under another prefix', () => {
    expect(trace.getSpanContext(extractTraceContext({ traceparent: '00-not-a-trace-01' }))).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, 'ce_'))).toBeUndefined();
  });

  it('refuses a second provider in the same process', () => {
    expect(() => installTracing({ serviceName: 'again', exporter: new InMemorySpanExporter() })).toThrow(/registered/);
  });
});

describe('OTLP settings', () => {
  it('posts spans under /v1/traces of the endpoint', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('https://collector.example/otlp/')).toBe('https://collector.example/otlp/v1/traces');
  });

  it('reads OTEL_EXPORTER_OTLP_HEADERS as percent-encoded name=value pairs', () => {
    expect(parseOtlpHeaders('api-key=abc%3D%3D, X-Tenant = t1,')).toEqual({ 'api-key': 'abc==', 'x-tenant': 't1' });
  });

  it('reports a malformed entry without repeating it (it may hold a key)', () => {
    expect(() => parseOtlpHeaders('secret-value-without-name')).toThrow('entry 1 is not name=value');
    expect(() => parseOtlpHeaders('a=b,key=%E0%A4%A')).toThrow(/^the value of entry 2 is not percent-encoded correctly$/);
  });
});
