import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { request as sendRequest, type Dispatcher } from 'undici';
import { UrlTemplateError, type AuthConfig } from '@cb/auth-modes';
import { connectionBaseUrl } from './api-origin';
import { DestinationRefusedError, outboundAgent } from '@cb/oauth-client';
import { AnswerBody, AppError, GroupedWrites, notFound, proxyPathProblem, proxyPathProblemMessage, proxyRequestHeaders, proxyResponseHeaders, schemaOf, serviceTracer } from '@cb/platform';
import { ConnectorStore } from '../connectors/connector-store';
import { CredentialVault, type VaultEntry } from '../credential-vault/credential-vault';
import { CurrentCredentials } from '../credential-vault/current-credentials';
import { assertUsable } from '../read-credential/usable-credential';
import { CredentialRefresher } from '../refresh-token/credential-refresher';
import { TOKEN_ISSUANCE_CONFIG, type TokenIssuanceConfig } from '../token-issuance.config';
import {
  proxyApiOriginMoved,
  proxyBaseUrlUnavailable,
  proxyCredentialUnavailable,
  proxyNotConfigured,
  proxyPathRefused,
  proxyRequestTooLarge,
  proxyResponseTooLarge,
  proxyUpstreamTimeout,
  proxyUpstreamUnreachable,
} from '../token-issuance.errors';
import { applyCredential } from './apply-credential';
import { ProxyCallEntity } from './proxy-call.entity';

/** What the broker puts in front of the caller's User-Agent. */
export const PROXY_USER_AGENT = 'credential-broker-proxy';
/** A body up to this size is read before it is sent, so that a 401's refresh or a retry can send it again. */
export const REPLAYABLE_BODY_BYTES = 64 * 1024;
/** Methods that `X-Retries` may repeat (RFC 9110 §9.2.2), and the answers it repeats them on. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 5000;

export interface ProxyRequest {
  workspaceId: string;
  connectionId: string;
  apiKeyId: string;
  method: string;
  /** As it came on the wire, after the proxy's prefix, starting with `/`. */
  path: string;
  /** As it came, without `?`; empty for none. */
  query: string;
  headers: IncomingHttpHeaders;
  /** The request body, read only when there is one. */
  body: Readable;
  /** `X-Retries`, 0 to 3. */
  retries: number;
}

export interface ProxyAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: AnswerBody;
  connectorId: string;
  attempts: number;
  requestBytes: number;
}

/** What the audit records of one call. */
export interface ProxyCallRecord {
  workspaceId: string;
  connectionId: string;
  apiKeyId: string;
  method: string;
  path: string;
  status: number;
  errorCode: string | null;
  attempts: number;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
}

type Body = { kind: 'none' } | { kind: 'buffered'; bytes: Buffer } | { kind: 'stream'; stream: Readable; counter: ByteLimit };

/**
 * A caller's request to a connection's provider, sent with the connection's credential: the
 * connector's `apiBaseUrl` filled in for the connection, the path appended (never able to leave
 * it), the credential applied by mode, the allow-listed headers on both ways, bodies streamed.
 * Through the outbound policy's agent, no redirects followed. A 401 on an OAuth2 connection with
 * a replayable body refreshes once through the single-flight refresh and sends again; `X-Retries`
 * repeats an idempotent request on 429/502/503/504 or a network failure, with exponential backoff.
 */
@Injectable()
export class ProxyCallService implements OnApplicationShutdown {
  private readonly logger = new Logger(ProxyCallService.name);
  private readonly recordCalls: string;
  private readonly calls: GroupedWrites<ProxyCallRecord>;
  private readonly tracer: Tracer;

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: CredentialVault,
    private readonly current: CurrentCredentials,
    private readonly connectors: ConnectorStore,
    private readonly refresher: CredentialRefresher,
    @Inject(TOKEN_ISSUANCE_CONFIG) private readonly config: TokenIssuanceConfig,
  ) {
    this.tracer = serviceTracer(config.serviceName);
    const table = `"${schemaOf(dataSource)}".${dataSource.getMetadata(ProxyCallEntity).tableName}`;
    this.recordCalls = `INSERT INTO ${table} (workspace_id, connection_id, api_key_id, method, path, status, error_code, attempts, duration_ms, request_bytes, response_bytes, called_at)
      SELECT *, now() FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::int[], $9::int[], $10::bigint[], $11::bigint[])`;
    this.calls = new GroupedWrites((calls) => this.insert(calls));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.calls.drained();
  }

  async send(request: ProxyRequest): Promise<ProxyAnswer> {
    const problem = proxyPathProblem(request.path);
    if (problem !== undefined) throw proxyPathRefused(problem, proxyPathProblemMessage(problem));
    let entry = await this.current.load(request.connectionId, request.workspaceId);
    if (!entry) throw notFound('connection');
    const connectorId = entry.connection.connectorId;
    const config = (await this.connectors.findCurrent(connectorId))?.config ?? null;
    if (config?.apiBaseUrl === undefined) throw proxyNotConfigured(connectorId);
    const refresh = await this.refresher.refreshIfDue(entry, config, request.workspaceId);
    if (refresh) entry = refresh.outcome === 'refreshed' ? refresh.entry : await this.vault.load(this.dataSource.manager, request.connectionId, request.workspaceId);
    if (!entry) throw notFound('connection');
    assertUsable(entry, config, refresh);
    const body = await this.readBody(request);
    const replayable = body.kind !== 'stream';
    let refreshed = false;
    // The caller's X-Retries count repeats on 429/5xx and network failures only; the 401 refresh-and-resend is the broker's own.
    let retriesUsed = 0;
    for (let attempt = 1; ; attempt++) {
      const baseUrl = this.baseUrl(config.apiBaseUrl, config, entry);
      const retriesLeft = retriesUsed < request.retries && replayable && IDEMPOTENT.has(request.method);
      let answer: Dispatcher.ResponseData;
      try {
        answer = await this.exchange(request, entry, config, baseUrl, body);
      } catch (error) {
        if (!retriesLeft || !(error instanceof AppError) || !error.retriable) throw error;
        retriesUsed++;
        await delay(backoffMs(retriesUsed, undefined));
        continue;
      }
      const bytes = Number(answer.headers['content-length'] ?? 0);
      if (bytes > this.config.proxy.maxResponseBytes) {
        await answer.body.dump({ limit: 0 }).catch(() => undefined);
        throw proxyResponseTooLarge(this.config.proxy.maxResponseBytes);
      }
      if (answer.statusCode === 401 && !refreshed && replayable && entry.credential.type === 'oauth2') {
        refreshed = true;
        const renewed = await this.renewAfterUnauthorized(entry, request.workspaceId);
        if (renewed) {
          await answer.body.dump().catch(() => undefined);
          entry = renewed;
          continue;
        }
      } else if (retriesLeft && RETRIED_STATUSES.has(answer.statusCode)) {
        const retryAfter = retryAfterMs(answer.headers['retry-after']);
        await answer.body.dump().catch(() => undefined);
        retriesUsed++;
        await delay(backoffMs(retriesUsed, retryAfter));
        continue;
      }
      return {
        status: answer.statusCode,
        headers: proxyResponseHeaders(answer.headers, baseUrl),
        body: answer.body,
        connectorId,
        attempts: attempt,
        requestBytes: body.kind === 'none' ? 0 : body.kind === 'buffered' ? body.bytes.length : body.counter.bytes,
      };
    }
  }

  /**
   * The audit row, written after the answer has gone: calls that end while a group of rows is being
   * written go together in the next one. A failure to write is logged; nobody is waiting for it.
   */
  async record(call: ProxyCallRecord): Promise<void> {
    try {
      await this.calls.add(call);
    } catch (error) {
      this.logger.error({ connectionId: call.connectionId, errorName: (error as Error).name }, 'could not record a proxied call');
    }
  }

  private async insert(calls: ProxyCallRecord[]): Promise<void> {
    const column = <K extends keyof ProxyCallRecord>(key: K): Array<ProxyCallRecord[K]> => calls.map((call) => call[key]);
    await this.dataSource.query(this.recordCalls, [
      column('workspaceId'), column('connectionId'), column('apiKeyId'), column('method'), calls.map((call) => call.path.slice(0, 2048)), column('status'),
      column('errorCode'), column('attempts'), column('durationMs'), column('requestBytes'), column('responseBytes'),
    ]);
  }

  /** How many calls were proxied for a connection. */
  async countCalls(workspaceId: string, connectionId: string): Promise<number> {
    const table = this.dataSource.getMetadata(ProxyCallEntity).tableName;
    const rows = await this.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM "${schemaOf(this.dataSource)}".${table} WHERE workspace_id = $1 AND connection_id = $2`, [workspaceId, connectionId]);
    return rows[0]?.n ?? 0;
  }

  /** The base URL for this connection; refused when it moved to another origin than the credential was issued for. */
  private baseUrl(template: string, config: AuthConfig, entry: VaultEntry): string {
    const { connection, credential } = entry;
    let url: string;
    try {
      url = connectionBaseUrl(template, config, connection, credential, this.config.outbound.admitInternalAddresses);
    } catch (error) {
      if (error instanceof UrlTemplateError) throw proxyBaseUrlUnavailable(error.placeholder);
      throw error;
    }
    if (credential.apiOrigin !== undefined && new URL(url).origin !== credential.apiOrigin) throw proxyApiOriginMoved(connection.id);
    return url;
  }

  private async exchange(request: ProxyRequest, entry: VaultEntry, config: AuthConfig, baseUrl: string, body: Body): Promise<Dispatcher.ResponseData> {
    const placement = applyCredential(entry.credential, config);
    if (placement === undefined) throw proxyCredentialUnavailable(entry.connection.id);
    const extra = placement.query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
    const query = [request.query, extra].filter((part) => part !== '').join('&');
    const url = `${baseUrl}${request.path}${query === '' ? '' : `?${query}`}`;
    const headers = { ...proxyRequestHeaders(request.headers, PROXY_USER_AGENT), ...placement.headers };
    if (body.kind === 'buffered') headers['content-length'] = String(body.bytes.length);
    if (body.kind === 'none') delete headers['content-length'];
    const timeoutMs = this.config.proxy.timeoutMs;
    const target = new URL(baseUrl);
    // A provider call's span names the host, never the path, the query or a header.
    const span = this.tracer.startSpan(`${request.method} proxy`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': request.method,
        'cb.provider.operation': 'proxy',
        'server.address': target.hostname,
        'server.port': Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
      },
    });
    try {
      const answer = await sendRequest(url, {
        method: request.method,
        headers,
        dispatcher: outboundAgent(this.config.outbound),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(body.kind === 'none' ? {} : { body: body.kind === 'buffered' ? body.bytes : body.stream }),
      });
      span.setAttribute('http.response.status_code', answer.statusCode);
      return answer;
    } catch (error) {
      const failure = body.kind === 'stream' && body.counter.exceeded ? proxyRequestTooLarge(this.config.proxy.maxRequestBytes) : upstreamFailure(error, timeoutMs);
      span.setAttribute('error.type', failure.code);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw failure;
    } finally {
      span.end();
    }
  }

  /** A 401 with an OAuth2 token: one single-flight refresh; the renewed entry, or null when none came. */
  private async renewAfterUnauthorized(entry: VaultEntry, workspaceId: string): Promise<VaultEntry | null> {
    const { connection } = entry;
    const result = await this.refresher.refresh(connection.id, { kind: 'unauthorized_reported', credentialVersion: connection.credentialVersion }, workspaceId);
    if (result.outcome === 'refreshed') return result.entry;
    if (result.outcome === 'skipped' && result.why === 'superseded') return this.vault.load(this.dataSource.manager, connection.id, workspaceId);
    this.logger.warn({ connectionId: connection.id, outcome: result.outcome }, 'a proxied call was refused with 401 and no new token came of it');
    return null;
  }

  private async readBody(request: ProxyRequest): Promise<Body> {
    const max = this.config.proxy.maxRequestBytes;
    const declared = request.headers['content-length'];
    const length = declared === undefined ? undefined : Number(declared);
    if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) throw proxyRequestTooLarge(max);
    if (length !== undefined && length > max) throw proxyRequestTooLarge(max);
    const chunked = request.headers['transfer-encoding'] !== undefined;
    if (!chunked && (length === undefined || length === 0)) return { kind: 'none' };
    if (!chunked && length !== undefined && length <= REPLAYABLE_BODY_BYTES) {
      const chunks: Buffer[] = [];
      for await (const chunk of request.body) chunks.push(chunk as Buffer);
      return { kind: 'buffered', bytes: Buffer.concat(chunks) };
    }
    const counter = new ByteLimit(max);
    return { kind: 'stream', stream: request.body.pipe(counter), counter };
  }
}

/** Counts the bytes that pass and fails the stream once they exceed `max`. */
export class ByteLimit extends Transform {
  bytes = 0;
  exceeded = false;

  constructor(private readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) {
      this.exceeded = true;
      callback(new Error('body exceeds its limit'));
      return;
    }
    callback(null, chunk);
  }
}

function upstreamFailure(error: unknown, timeoutMs: number): AppError {
  const code = (error as { code?: string }).code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return proxyUpstreamTimeout(timeoutMs);
  if (error instanceof DestinationRefusedError || (error as { cause?: unknown }).cause instanceof DestinationRefusedError) return proxyUpstreamUnreachable('refused_destination');
  return proxyUpstreamUnreachable('unreachable');
}

/** Exponential with full jitter, at least what Retry-After asks (within the cap). */
function backoffMs(attempt: number, retryAfter: number | undefined): number {
  const exponential = Math.random() * BACKOFF_BASE_MS * 2 ** (attempt - 1);
  return Math.min(BACKOFF_CAP_MS, Math.max(exponential, retryAfter ?? 0));
}

function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
