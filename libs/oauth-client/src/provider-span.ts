import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { TokenError } from './token-error';
import type { TokenRequest } from './token-request';

/** Which endpoint a provider call is for; the span's name. */
export type ProviderOperation = 'token' | 'revocation' | 'introspection';

const NO_TRACER = trace.getTracer('@cb/oauth-client');

/**
 * Runs a provider call in a CLIENT span of `tracer` (the calling service's; a no-op when no tracer
 * provider is registered). The span names the provider's host and port, the answer's status and,
 * for a failure, the error code; never the URL (its path or query may carry a tenant's values) or
 * anything of the request's headers and body, which carry the client secret, codes and tokens.
 * The trace context is not sent to the provider: a trace ends at the broker's edge.
 */
export async function inProviderSpan<T extends { ok: boolean }>(
  tracer: Tracer | undefined,
  operation: ProviderOperation,
  request: TokenRequest,
  call: (answered: (status: number) => void) => Promise<T | TokenError>,
): Promise<T | TokenError> {
  const url = URL.canParse(request.url) ? new URL(request.url) : undefined;
  const span = (tracer ?? NO_TRACER).startSpan(`${request.method} ${operation}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': request.method,
      'cb.provider.operation': operation,
      ...(url ? { 'server.address': url.hostname, 'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)) } : {}),
    },
  });
  try {
    const answered = (status: number): void => void span.setAttribute('http.response.status_code', status);
    const result = await context.with(trace.setSpan(context.active(), span), () => call(answered));
    if (!result.ok) {
      const error = result as TokenError;
      span.setAttribute('error.type', error.code);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    return result;
  } finally {
    span.end();
  }
}
