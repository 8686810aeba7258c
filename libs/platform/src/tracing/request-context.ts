import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The header a request id comes in and goes out with (answers, and the gateway's calls to the services). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What is known of the request being handled, for its logs and its access log line. */
export interface RequestContext {
  readonly requestId: string;
  /** The workspace of the caller, once authenticated (the gateway). */
  workspaceId?: string;
}

const store = new AsyncLocalStorage<RequestContext>();

/**
 * A caller's request id when it is well formed (1 to 128 of `A-Z a-z 0-9 . _ : -`), so that one id
 * follows a request through a proxy, the gateway and the services; a new UUID otherwise. Anything
 * else is dropped, never echoed: it would go into logs and headers as the caller wrote it.
 */
export function acceptRequestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && WELL_FORMED.test(header) ? header : randomUUID();
}

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/** Runs `work` (the rest of a request's handling) with `request` as the current request context. */
export function runInRequestContext<T>(request: RequestContext, work: () => T): T {
  return store.run(request, work);
}

/** The request being handled, or undefined outside a request (an event handler, a timer). */
export function currentRequest(): RequestContext | undefined {
  return store.getStore();
}

/** Names the authenticated caller's workspace in the current request's access log line. */
export function noteRequestWorkspace(workspaceId: string): void {
  const request = store.getStore();
  if (request) request.workspaceId = workspaceId;
}
