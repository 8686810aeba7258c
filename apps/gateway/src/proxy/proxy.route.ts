import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BROKER_ERROR_HEADER, forwardBody, notFound, proxyPathProblem, proxyPathProblemMessage, proxyRequestHeaders, proxyResponseHeaders, wholeSmallBody, type HotRoute } from '@cb/platform';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { proxyPathRefused } from '../gateway.errors';
import { SharedRateLimits } from '../rate-limit/shared-rate-limits';
import { isUuid, UpstreamClient } from '../upstream';

/**
 * token-issuance enforces the proxied call's own time limit (PROXY_TIMEOUT_MS), retries and a
 * refresh included; this hop only gives up on a back-end that has gone silent.
 */
const HOP_TIMEOUT_MS = 300_000;
/** What the gateway adds to the allow-list going to token-issuance: the caller's retry wish. */
const HOP_REQUEST_HEADERS = ['x-retries', 'user-agent'];
/** What comes back from token-issuance beyond the provider's allow-listed headers. */
const HOP_RESPONSE_HEADERS: ReadonlySet<string> = new Set([BROKER_ERROR_HEADER]);

/**
 * `ANY /v1/proxy/:connectionId/<path>`: a call to the connection's provider, made by
 * token-issuance with the connection's credential (the gateway holds none; ADR 0014). Checked here
 * as the other routes are (API key with scope `proxy`, the workspace's `proxy` limit, the id, the
 * path), then streamed both ways without buffering: it is mounted ahead of body parsing. The
 * broker's own answers, here or from token-issuance, carry `X-Broker-Error: true`.
 */
@Injectable()
export class ProxyRoute implements HotRoute {
  readonly method = 'ANY' as const;
  readonly path = /^\/v1\/proxy\/([^/]+)(\/.*)?$/i;
  readonly template = '/v1/proxy/:connectionId/*';
  private readonly logger = new Logger(ProxyRoute.name);

  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly limits: SharedRateLimits,
    private readonly upstream: UpstreamClient,
  ) {}

  async handle(request: Request, response: Response, [id]: string[]): Promise<void> {
    response.setHeader(BROKER_ERROR_HEADER, 'true');
    const caller = await this.authenticator.authenticate(request.headers.authorization, ['proxy']);
    await this.limits.enforce('proxy', caller.workspaceId);
    if (id === undefined || !isUuid(id)) throw notFound('connection');
    const { path, query } = splitTarget(request.url, id);
    const problem = proxyPathProblem(path);
    if (problem !== undefined) throw proxyPathRefused(problem, proxyPathProblemMessage(problem));
    const headers = proxyRequestHeaders(request.headers, '');
    delete headers['user-agent'];
    for (const name of HOP_REQUEST_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    headers['x-api-key-id'] = caller.apiKeyId;
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
    const answer = await this.upstream.stream('token-issuance', {
      method: request.method,
      path: `/internal/v1/workspaces/${caller.workspaceId}/connections/${id}/proxy${path}`,
      ...(query === '' ? {} : { rawQuery: query }),
      headers,
      ...(hasBody ? { body: request } : {}),
      timeoutMs: HOP_TIMEOUT_MS,
    });
    response.removeHeader(BROKER_ERROR_HEADER);
    try {
      const whole = await wholeSmallBody(answer.headers, answer.body);
      response.writeHead(answer.statusCode, proxyResponseHeaders(answer.headers, undefined, HOP_RESPONSE_HEADERS));
      if (whole) response.end(whole);
      else await forwardBody(answer.body, response);
    } catch (error) {
      this.logger.warn({ connectionId: id, errorName: (error as Error).name }, 'a proxied answer was cut short');
      response.destroy();
    }
  }
}

/** The path after the connection id and the query string, both as they came on the wire. */
function splitTarget(url: string, id: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  const pathname = mark === -1 ? url : url.slice(0, mark);
  const prefix = `/v1/proxy/${id}`;
  return { path: pathname.slice(prefix.length), query: mark === -1 ? '' : url.slice(mark + 1) };
}
