import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan, type Span, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** Where spans go: `OTEL_EXPORTER_OTLP_ENDPOINT` and friends (see docs/OPERATIONS.md#tracing). */
export interface TracingSettings {
  /** The OTLP/HTTP base URL; spans are posted to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** `OTEL_EXPORTER_OTLP_HEADERS`, e.g. a collector's API key. */
  headers: Record<string, string>;
  /** `OTEL_SERVICE_NAME`: the resource's `service.name`; the service's own name otherwise. */
  resourceServiceName: string | undefined;
}

/**
 * The span attribute that names the service which recorded a span (its tracer's name). In a
 * deployment the resource's `service.name` says it too; in a process that runs several services
 * (the integration tests) only this does.
 */
export const SERVICE_ATTRIBUTE = 'cb.service';

interface Installed {
  provider: NodeTracerProvider;
  /** True when {@link startTracing} registered it for the OTLP endpoint, so the last service to close shuts it down. */
  owned: boolean;
  users: number;
}

let installed: Installed | undefined;

/** Whether a tracer provider is registered in this process; with none, no span is ever started and nothing is propagated. */
export function tracingEnabled(): boolean {
  return installed !== undefined;
}

/** The tracer of a service: its spans' instrumentation scope is the service's name. */
export function serviceTracer(serviceName: string): Tracer {
  return trace.getTracer(serviceName);
}

export interface InstallTracingOptions {
  /** The resource's `service.name`. */
  serviceName: string;
  exporter: SpanExporter;
  /** Export each span as it ends instead of in batches (an in-memory exporter). */
  immediate?: boolean;
}

/**
 * Registers the process's tracer provider: AsyncLocalStorage context, W3C trace-context
 * propagation, every span tagged with {@link SERVICE_ATTRIBUTE}. One per process; a second call
 * fails. Services call it through {@link startTracing}; a test may register its own exporter first,
 * and the services it starts then record into it.
 */
export function installTracing(options: InstallTracingOptions): { provider: NodeTracerProvider; uninstall(): Promise<void> } {
  const entry = register(options, false);
  return { provider: entry.provider, uninstall: () => uninstall(entry) };
}

function register(options: InstallTracingOptions, owned: boolean): Installed {
  if (installed) throw new Error('a tracer provider is registered in this process already');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [new ServiceAttributeProcessor(), options.immediate ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(options.exporter)],
  });
  provider.register({ contextManager: new AsyncLocalStorageContextManager(), propagator: new W3CTraceContextPropagator() });
  installed = { provider, owned, users: 0 };
  return installed;
}

async function uninstall(entry: Installed): Promise<void> {
  if (installed !== entry) return;
  installed = undefined;
  trace.disable();
  context.disable();
  propagation.disable();
  await entry.provider.shutdown();
}

/** A service's hold on the process's tracer provider; `close` flushes its spans (and shuts the provider down once no service uses it). */
export interface ServiceTracing {
  close(): Promise<void>;
}

const NOT_TRACING: ServiceTracing = { close: () => Promise.resolve() };

/**
 * Called once per service at start-up. With `settings` (an OTLP endpoint is configured) it registers
 * the process's provider unless one is registered already; without, and with none registered, it
 * does nothing and the OpenTelemetry API stays a no-op.
 */
export function startTracing(serviceName: string, settings: TracingSettings | undefined): ServiceTracing {
  if (!installed && settings) {
    const exporter = new OTLPTraceExporter({ url: tracesUrl(settings.endpoint), headers: settings.headers });
    register({ serviceName: settings.resourceServiceName ?? serviceName, exporter }, true);
  }
  const entry = installed;
  if (!entry) return NOT_TRACING;
  entry.users += 1;
  let closed = false;
  return {
    close: async () => {
      if (closed) return;
      closed = true;
      entry.users -= 1;
      if (entry.owned && entry.users === 0) await uninstall(entry);
      else await entry.provider.forceFlush();
    },
  };
}

/** @see https://opentelemetry.io/docs/specs/otel/protocol/exporter/#endpoint-urls-for-otlphttp */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * `OTEL_EXPORTER_OTLP_HEADERS`: `name=value` pairs separated by commas, values percent-encoded.
 * Errors never repeat the text, which may hold a collector's API key.
 * @see https://opentelemetry.io/docs/specs/otel/protocol/exporter/#specifying-headers-via-environment-variables
 */
export function parseOtlpHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [index, pair] of text.split(',').entries()) {
    if (pair.trim() === '') continue;
    const equals = pair.indexOf('=');
    const name = equals > 0 ? pair.slice(0, equals).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Error(`entry ${index + 1} is not name=value`);
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(equals + 1).trim());
    } catch {
      throw new Error(`the value of entry ${index + 1} is not percent-encoded correctly`);
    }
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** Tags every span with the service that recorded it, which is its tracer's name ({@link serviceTracer}). */
class ServiceAttributeProcessor implements SpanProcessor {
  onStart(span: Span): void {
    span.setAttribute(SERVICE_ATTRIBUTE, span.instrumentationScope.name);
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
