import { context, trace } from '@opentelemetry/api';
import { currentRequest } from './request-context';
import { tracingEnabled } from './tracing';

/**
 * The fields that tie a log line to its request and trace: `request_id`, and `trace_id` and
 * `span_id` of the active span when tracing is on. A fresh object every time: pino merges the
 * line's own fields into it.
 */
export function logCorrelation(): Record<string, string> {
  const fields: Record<string, string> = {};
  const request = currentRequest();
  if (request) fields.request_id = request.requestId;
  if (tracingEnabled()) {
    const span = trace.getSpanContext(context.active());
    if (span) {
      fields.trace_id = span.traceId;
      fields.span_id = span.spanId;
    }
  }
  return fields;
}
