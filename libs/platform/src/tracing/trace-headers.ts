import { context, propagation, ROOT_CONTEXT, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

type Carrier = Record<string, string | string[] | undefined>;

const setters = new Map<string, TextMapSetter<Record<string, string>>>();
const getters = new Map<string, TextMapGetter<Carrier>>();

function setterFor(prefix: string): TextMapSetter<Record<string, string>> {
  let setter = setters.get(prefix);
  if (!setter) {
    setter = { set: (carrier, key, value) => void (carrier[`${prefix}${key}`] = value) };
    setters.set(prefix, setter);
  }
  return setter;
}

function getterFor(prefix: string): TextMapGetter<Carrier> {
  let getter = getters.get(prefix);
  if (!getter) {
    getter = {
      get: (carrier, key) => carrier[`${prefix}${key}`],
      keys: (carrier) => Object.keys(carrier).filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length)),
    };
    getters.set(prefix, getter);
  }
  return getter;
}

/**
 * Writes the W3C trace context of `from` (the active context by default) into `headers` as
 * `traceparent` and, when there is one, `tracestate`, each name after `prefix` (`ce_` for the
 * CloudEvents distributed-tracing extension in Kafka headers). Writes nothing when no span is
 * active or no tracer provider is registered.
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
export function injectTraceHeaders(headers: object, prefix = '', from: Context = context.active()): void {
  propagation.inject(from, headers as Record<string, string>, setterFor(prefix));
}

/** The remote span context that `headers` carry (see {@link injectTraceHeaders}), as a context to start a child span in; the root context when none or malformed. */
export function extractTraceContext(headers: Carrier, prefix = ''): Context {
  return propagation.extract(ROOT_CONTEXT, headers, getterFor(prefix));
}
