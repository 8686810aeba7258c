import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  AppError,
  BROKER_ERROR_HEADER,
  forwardBody,
  HotRoute,
  INTERNAL_API_TOKEN,
  INTERNAL_TOKEN_HEADER,
  InternalTokenCheck,
  METRICS,
  ServiceMetrics,
  wholeSmallBody,
} from '@cb/platform';
import { uuidParam } from '../list-connections/connections.http.controller';
import { API_KEY_ID_HEADER } from '../read-credential/read-credential.route';
import { TOKEN_ISSUANCE_CONFIG, type TokenIssuanceConfig } from '../token-issuance.config';
import { callerUnknown, proxyResponseTooLarge, proxyRetriesInvalid } from '../token-issuance.errors';
import { ByteLimit, ProxyCallService, type ProxyAnswer } from './proxy-call.service';

/**
 * The broker's errors that come after the credential was put on a request to the provider: those
 * calls are audited like answered ones. A refusal before that (the path, the connection, its
 * state, the body's declared size) used no credential and records nothing, as a refused credential
 * read records nothing.
 */
const AFTER_SENDING = new Set(['proxy_upstream_timeout', 'proxy_upstream_unreachable', 'proxy_response_too_large', 'proxy_request_too_large']);

/** `X-Retries: N` (0-3): how often an idempotent request may be repeated. */
export const RETRIES_HEADER = 'x-retries';

const workspaceId = uuidParam('workspace');
const connectionId = uuidParam('connection');

/**
 * `ANY /internal/v1/workspaces/:workspaceId/connections/:connectionId/proxy/<path>`, the gateway's
 * proxied call. Mounted as a streaming route (ahead of body parsing): the body goes to the provider
 * as it arrives and the answer comes back as it is sent. Every call is audited (`proxy_calls`,
 * the path without its query string) and counted; the broker's own answers carry `X-Broker-Error: true`.
 */
@Injectable()
export class ProxyRoute implements HotRoute {
  readonly method = 'ANY' as const;
  readonly path = /^\/internal\/v1\/workspaces\/([^/]+)\/connections\/([^/]+)\/proxy(\/.*)?$/i;
  readonly template = '/internal/v1/workspaces/:workspaceId/connections/:connectionId/proxy/*';
  private readonly logger = new Logger(ProxyRoute.name);
  private readonly token: InternalTokenCheck;
  private readonly requests;
  private readonly durations;

  constructor(
    private readonly proxy: ProxyCallService,
    @Inject(INTERNAL_API_TOKEN) internalApiToken: string,
    @Inject(TOKEN_ISSUANCE_CONFIG) private readonly config: TokenIssuanceConfig,
    metrics: ServiceMetrics,
  ) {
    this.token = new InternalTokenCheck(internalApiToken);
    this.requests = metrics.counter(METRICS.proxyRequests);
    this.durations = metrics.histogram(METRICS.proxyRequestDuration);
  }

  async handle(request: Request, response: Response, [workspace = '', connection = '']: string[]): Promise<void> {
    response.setHeader(BROKER_ERROR_HEADER, 'true');
    this.token.verify(request.headers[INTERNAL_TOKEN_HEADER] as string | undefined);
    await workspaceId.transform(workspace, { type: 'param' });
    await connectionId.transform(connection, { type: 'param' });
    const apiKeyId = request.headers[API_KEY_ID_HEADER];
    if (typeof apiKeyId !== 'string' || apiKeyId.length === 0 || apiKeyId.length > 128) throw callerUnknown(API_KEY_ID_HEADER);
    const retries = retriesOf(request.headers[RETRIES_HEADER]);
    const { path, query } = splitTarget(request.url, connection);
    const started = performance.now();
    const audit = { workspaceId: workspace, connectionId: connection, apiKeyId, method: request.method, path };
    let answer: ProxyAnswer;
    try {
      answer = await this.proxy.send({ ...audit, query, headers: request.headers, body: request, retries });
    } catch (error) {
      if (error instanceof AppError && AFTER_SENDING.has(error.code)) {
        await this.proxy.record({ ...audit, status: error.status, errorCode: error.code, attempts: 1, durationMs: elapsed(started), requestBytes: 0, responseBytes: 0 });
      }
      this.observe('unknown', 'broker', started);
      throw error;
    }
    const counted = new ByteLimit(this.config.proxy.maxResponseBytes);
    let errorCode: string | null = null;
    /** Of an answer sent whole; a streamed one is counted by `counted`. */
    let wholeBytes: number | undefined;
    response.removeHeader(BROKER_ERROR_HEADER);
    try {
      const whole = await wholeSmallBody(answer.headers, answer.body);
      response.writeHead(answer.status, answer.headers);
      if (whole) {
        response.end(whole);
        wholeBytes = whole.length;
      } else {
        await forwardBody(answer.body, response, counted);
      }
    } catch (error) {
      errorCode = counted.exceeded ? proxyResponseTooLarge(this.config.proxy.maxResponseBytes).code : 'stream_interrupted';
      this.logger.warn({ connectionId: connection, errorCode, errorName: (error as Error).name }, 'a proxied answer was cut short');
      response.destroy();
    }
    await this.proxy.record({ ...audit, status: answer.status, errorCode, attempts: answer.attempts, durationMs: elapsed(started), requestBytes: answer.requestBytes, responseBytes: wholeBytes ?? counted.bytes });
    this.observe(answer.connectorId, `${Math.floor(answer.status / 100)}xx`, started);
  }

  private observe(connectorId: string, statusClass: string, started: number): void {
    const labels = { connector_id: connectorId, status_class: statusClass };
    this.requests.inc(labels);
    this.durations.observe(labels, (performance.now() - started) / 1000);
  }
}

function retriesOf(value: string | string[] | undefined): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^[0-3]$/.test(value.trim())) throw proxyRetriesInvalid();
  return Number(value.trim());
}

/** The path after `/proxy` and the query string, both as they came on the wire. */
function splitTarget(url: string, connection: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  const pathname = mark === -1 ? url : url.slice(0, mark);
  const prefixEnd = pathname.toLowerCase().indexOf(`/connections/${connection.toLowerCase()}/proxy`) + `/connections/${connection}/proxy`.length;
  return { path: pathname.slice(prefixEnd), query: mark === -1 ? '' : url.slice(mark + 1) };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
