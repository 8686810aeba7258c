import { ConnectSessionFailedError, CredentialBrokerError, WaitTimeoutError } from './errors';
import type {
  ApiKey,
  AuditEntry,
  AuditPage,
  AuthConfigInput,
  Connection,
  ConnectionPage,
  CreateApiKeyRequest,
  CreatedApiKey,
  CreateWorkspaceRequest,
  Connector,
  ConnectorFromUrl,
  ConnectorTemplate,
  ConnectorTemplateOverride,
  ConnectSession,
  ConnectSessionView,
  CreateConnectorFromUrlRequest,
  CreateConnectorRequest,
  CreateFromDiscoveryRequest,
  CreateConnectSessionRequest,
  Credential,
  DisconnectResult,
  DiscoveredConnector,
  RediscoveredConnector,
  ImportConnectionRequest,
  ListAuditQuery,
  ListConnectionsQuery,
  ListConnectorsQuery,
  Page,
  ReportUnauthorizedResult,
  UpdateConnectionRequest,
  UpdateConnectorRequest,
  CreateWebhookEndpointRequest,
  ListWebhookDeliveriesQuery,
  RotateWebhookSecretRequest,
  UpdateWebhookEndpointRequest,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  Workspace,
} from './types';

export interface CredentialBrokerClientOptions {
  /** The gateway, e.g. `https://broker.example.com`. */
  baseUrl: string;
  /** A workspace API key (`cbk_…`) with the scopes the calls need: admin, connect, credentials:read. */
  apiKey: string;
  /** A `fetch` to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: typeof fetch;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

export interface WaitForCompletionOptions {
  /** Give up after this long (rejects with `WaitTimeoutError`); default 5 minutes. */
  timeoutMs?: number;
  /** Aborts the wait (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** First pause between status checks; doubles up to `maxIntervalMs`. Default 250 ms. */
  initialIntervalMs?: number;
  /** Default 5 s. */
  maxIntervalMs?: number;
}

/** A proxied request: what to send to the provider besides the method and the path. */
export interface ProxyRequestInit {
  /** Added to the path's own query string. */
  query?: Record<string, string> | URLSearchParams;
  /** Sent on when on the gateway's allow-list (content-type, accept, if-match…); never your API key. */
  headers?: Record<string, string>;
  /** Any body: a string, bytes, a Blob, form data or a stream (streamed with `duplex: 'half'`). */
  body?: RequestInit['body'];
  /** `X-Retries`: how often the broker may repeat an idempotent request on 429/502/503/504 (0-3). */
  retries?: 0 | 1 | 2 | 3;
  signal?: AbortSignal;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A list repeats the parameter (`tag=a:1&tag=b:2`). */
  query?: Record<string, string | number | readonly string[] | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/**
 * A typed client for the Credential Broker gateway.
 *
 * ```ts
 * const broker = new CredentialBrokerClient({ baseUrl, apiKey });
 * const session = await broker.connectSessions.create({ connectorId, endUserId: 'user-1' });
 * // send the user to session.authorizationUrl (or to the connect dialog)…
 * const done = await broker.connectSessions.waitForCompletion(session.sessionId, { timeoutMs: 600_000 });
 * const { credential } = await broker.connections.getCredential(done.connectionId);
 * ```
 *
 * Every failure is a {@link CredentialBrokerError} carrying the API's error `code`.
 */
export class CredentialBrokerClient {
  readonly connectors: ConnectorsApi;
  readonly connectSessions: ConnectSessionsApi;
  readonly connections: ConnectionsApi;
  readonly proxy: ProxyApi;
  readonly webhookEndpoints: WebhookEndpointsApi;
  readonly audit: AuditApi;
  readonly apiKeys: ApiKeysApi;
  readonly workspaces: WorkspacesApi;
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: CredentialBrokerClientOptions) {
    if (!options.apiKey) throw new TypeError('CredentialBrokerClient: apiKey is required');
    this.baseUrl = new URL(options.baseUrl).toString().replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.connectors = new ConnectorsApi(this);
    this.connectSessions = new ConnectSessionsApi(this);
    this.connections = new ConnectionsApi(this);
    this.proxy = new ProxyApi(this);
    this.webhookEndpoints = new WebhookEndpointsApi(this);
    this.audit = new AuditApi(this);
    this.apiKeys = new ApiKeysApi(this);
    this.workspaces = new WorkspacesApi(this);
  }

  /**
   * @internal A proxied call: the provider's answer as a `Response` (its body unread), or a
   * `CredentialBrokerError` when the broker answered itself (`X-Broker-Error: true`). The timeout
   * covers the wait for the answer's headers, not the reading of its body.
   */
  async proxyRequest(method: string, connectionId: string, path: string, init: ProxyRequestInit = {}): Promise<Response> {
    const url = new URL(`${this.baseUrl}/v1/proxy/${encodeURIComponent(connectionId)}/${path.replace(/^\/+/, '')}`);
    const extra = init.query instanceof URLSearchParams ? init.query : new URLSearchParams(init.query ?? {});
    for (const [name, value] of extra) url.searchParams.append(name, value);
    const headers: Record<string, string> = { ...init.headers, authorization: `Bearer ${this.apiKey}` };
    if (init.retries !== undefined) headers['x-retries'] = String(init.retries);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error('timeout')), this.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        signal,
        redirect: 'manual',
        ...(init.body === undefined ? {} : { body: init.body, duplex: 'half' }),
      });
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason;
      const timedOut = timeout.signal.aborted;
      throw new CredentialBrokerError(timedOut ? 'timeout' : 'network_error', timedOut ? `no answer from ${url.origin} within ${this.timeoutMs} ms` : `${url.origin} could not be reached`, 0, undefined, true, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    if (response.headers.get('x-broker-error') !== 'true') return response;
    let error: { code?: unknown; message?: unknown; details?: unknown } | undefined;
    try {
      error = ((await response.json()) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
    const message = typeof error?.message === 'string' ? error.message : `the gateway answered ${response.status}`;
    throw new CredentialBrokerError(code, message, response.status, error?.details);
  }

  /** @internal One call to the gateway; the body of a 2xx answer, or a `CredentialBrokerError`. */
  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (Array.isArray(value)) for (const item of value as readonly string[]) url.searchParams.append(name, item);
      else if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { ...options.headers, authorization: `Bearer ${this.apiKey}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: options.method ?? 'GET',
        headers,
        signal,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const timedOut = timeout.aborted;
      throw new CredentialBrokerError(timedOut ? 'timeout' : 'network_error', timedOut ? `no answer from ${url.origin} within ${this.timeoutMs} ms` : `${url.origin} could not be reached`, 0, undefined, true, { cause: error });
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (response.ok) return body as T;
    const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
    const message = typeof error?.message === 'string' ? error.message : `the gateway answered ${response.status}`;
    throw new CredentialBrokerError(code, message, response.status, error?.details);
  }
}

/** Connector administration (scope `admin`). */
export class ConnectorsApi {
  constructor(private readonly client: CredentialBrokerClient) {}

  list(query: ListConnectorsQuery = {}): Promise<Page<Connector>> {
    return this.client.request('/v1/connectors', { query: { ...query } });
  }

  /** Every page of {@link list}, one at a time. */
  listAll(query: Omit<ListConnectorsQuery, 'cursor'> = {}): AsyncGenerator<Connector> {
    return everyPage((cursor) => this.list({ ...query, ...cursor }));
  }

  get(id: string): Promise<Connector> {
    return this.client.request(`/v1/connectors/${encodeURIComponent(id)}`);
  }

  /** A draft connector; `validation_failed` (400) lists every offending path, `duplicate_slug` (409). */
  create(request: CreateConnectorRequest): Promise<Connector> {
    return this.client.request('/v1/connectors', { method: 'POST', body: request });
  }

  /**
   * Reads what an issuer, any URL of a provider, or an MCP server publishes (RFC 8414, OpenID
   * Connect Discovery, RFC 9728) and answers a draft configuration; `discovery_failed` (422) with
   * `details.reason` otherwise. Nothing is stored.
   */
  discover(url: string): Promise<DiscoveredConnector> {
    return this.client.request('/v1/connectors/discover', { method: 'POST', body: { url } });
  }

  /** The connector's server read again: `changes` lists each published setting that differs from the connector's; nothing is applied. */
  rediscover(id: string, url?: string): Promise<RediscoveredConnector> {
    return this.client.request(`/v1/connectors/${encodeURIComponent(id)}/rediscover`, { method: 'POST', body: url === undefined ? {} : { url } });
  }

  /**
   * A draft connector from one URL: discovered by the broker, with the `clientId` given, or a client
   * the broker registers itself where the server allows (RFC 7591); `client_registration_required`
   * (422) otherwise. Activate it next.
   */
  createFromUrl(request: CreateConnectorFromUrlRequest): Promise<ConnectorFromUrl> {
    return this.client.request('/v1/connectors/from-url', { method: 'POST', body: request });
  }

  /** A draft connector from a discovery's configuration and the client registered at the provider; activate it next. */
  createFromDiscovery(discovered: DiscoveredConnector, request: CreateFromDiscoveryRequest): Promise<Connector> {
    const { slug, name, clientId, clientSecret, scopes } = request;
    const config = { ...discovered.draft, clientId, ...(clientSecret === undefined ? {} : { clientSecret }), ...(scopes === undefined ? {} : { scopes }) } as AuthConfigInput;
    return this.create({ slug, name, config });
  }

  update(id: string, request: UpdateConnectorRequest): Promise<Connector> {
    return this.client.request(`/v1/connectors/${encodeURIComponent(id)}`, { method: 'PATCH', body: request });
  }

  /** Refused with `activation_refused` (422) whose `fieldErrors` name every missing item. */
  activate(id: string): Promise<Connector> {
    return this.client.request(`/v1/connectors/${encodeURIComponent(id)}/activate`, { method: 'POST' });
  }

  deactivate(id: string): Promise<Connector> {
    return this.client.request(`/v1/connectors/${encodeURIComponent(id)}/deactivate`, { method: 'POST' });
  }

  /** Only a draft or inactive connector (`connector_active`, 409, otherwise). */
  async delete(id: string): Promise<void> {
    await this.client.request(`/v1/connectors/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  /** The provider templates, each merged with the workspace's override when it has one. */
  async templates(): Promise<ConnectorTemplate[]> {
    return (await this.client.request<{ items: ConnectorTemplate[] }>('/v1/connector-templates')).items;
  }

  /** One template as the workspace sees it; `unknown_template` (404) for an id the catalogue lacks. */
  template(templateId: string): Promise<ConnectorTemplate> {
    return this.client.request(`/v1/connector-templates/${encodeURIComponent(templateId)}`);
  }

  /**
   * Sets (replaces) the workspace's override of a template and answers the merged template; an
   * override whose merged config is invalid is refused (`validation_failed`, naming each path).
   */
  setTemplateOverride(templateId: string, override: ConnectorTemplateOverride): Promise<ConnectorTemplate> {
    return this.client.request(`/v1/connector-templates/${encodeURIComponent(templateId)}/override`, { method: 'PUT', body: override });
  }

  /** Back to the stock template (also when there was no override); answers it. */
  removeTemplateOverride(templateId: string): Promise<ConnectorTemplate> {
    return this.client.request(`/v1/connector-templates/${encodeURIComponent(templateId)}/override`, { method: 'DELETE' });
  }
}

/** Connect sessions (scope `connect`). */
export class ConnectSessionsApi {
  constructor(private readonly client: CredentialBrokerClient) {}

  /**
   * Returns the session token for the connect dialog and, for OAuth connectors, the authorization URL.
   * Send the same `idempotencyKey` when retrying after a lost answer: the retry gets the session the
   * first attempt opened (under a new session token) instead of a second one. `scopes` asks for some
   * of an OAuth2 connector's `optionalScopes` besides its defaults; with `connectionId` that
   * re-authorizes the connection with them (incremental consent, same connection id).
   */
  create(request: CreateConnectSessionRequest, options: { idempotencyKey?: string } = {}): Promise<ConnectSession> {
    return this.client.request('/v1/connect-sessions', {
      method: 'POST',
      body: request,
      ...(options.idempotencyKey === undefined ? {} : { headers: { 'idempotency-key': options.idempotencyKey } }),
    });
  }

  /** With `waitSeconds` (at most 25) the gateway holds the answer until the session leaves `pending`. */
  get(sessionId: string, options: { signal?: AbortSignal; waitSeconds?: number } = {}): Promise<ConnectSessionView> {
    return this.client.request(`/v1/connect-sessions/${encodeURIComponent(sessionId)}`, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.waitSeconds ? { query: { waitSeconds: options.waitSeconds } } : {}),
    });
  }

  /**
   * The link to the gateway's connect dialog for this session. The token rides in the fragment, which
   * browsers never send to a server; the dialog asks the gateway for the authorization URL (it takes
   * none from its link, which would make it an open redirect).
   */
  dialogUrl(session: Pick<ConnectSession, 'sessionToken'>, baseUrl: string): string {
    return `${baseUrl.replace(/\/+$/, '')}/ui/connect.html#${new URLSearchParams({ session: session.sessionToken }).toString()}`;
  }

  /**
   * Resolves with the session once it is `completed`; rejects with {@link ConnectSessionFailedError}
   * when it fails or expires, {@link WaitTimeoutError} at the deadline, or the signal's reason.
   *
   * Long-polls the gateway (each request is held up to 20 s until the status changes), so a connect
   * that takes a minute costs about three requests. A transient error (network, 5xx, 429) or a poll
   * the gateway answers at once (it holds only so many of a workspace's polls) is followed by a pause
   * that starts at 250 ms and doubles up to 5 s by default, and is never shorter than Retry-After.
   */
  async waitForCompletion(sessionId: string, options: WaitForCompletionOptions = {}): Promise<ConnectSessionView> {
    const timeoutMs = options.timeoutMs ?? 300_000;
    const deadline = Date.now() + timeoutMs;
    let interval = options.initialIntervalMs ?? 250;
    const maxInterval = options.maxIntervalMs ?? 5_000;
    for (;;) {
      options.signal?.throwIfAborted();
      let view: ConnectSessionView | undefined;
      let retryAfterMs = 0;
      const waitSeconds = Math.max(1, Math.min(LONG_POLL_SECONDS, Math.floor((deadline - Date.now()) / 1000)));
      const asked = Date.now();
      try {
        view = await this.get(sessionId, { waitSeconds, ...(options.signal ? { signal: options.signal } : {}) });
      } catch (error) {
        if (!(error instanceof CredentialBrokerError) || !error.retriable) throw error;
        retryAfterMs = ((error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 0) * 1000;
      }
      if (view?.status === 'completed') return view;
      if (view && (view.status === 'failed' || view.status === 'expired')) {
        throw new ConnectSessionFailedError(view.error?.code ?? `session_${view.status}`, view.error?.reason ?? `the connect session ${view.status}`, sessionId, view.status);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new WaitTimeoutError(sessionId, timeoutMs);
      // a poll held for its whole wait: ask again at once; one answered early (the gateway's long polls
      // of this workspace are all taken) or an error: pause first, longer each time, never before Retry-After
      if (view && Date.now() - asked >= waitSeconds * 1000 - FULL_POLL_MARGIN_MS) continue;
      await sleep(Math.min(Math.max(interval, retryAfterMs), remaining), options.signal);
      interval = Math.min(interval * 2, maxInterval);
    }
  }
}

const LONG_POLL_SECONDS = 20;
/** A long poll that came back this close to its wait counts as held for the whole wait. */
const FULL_POLL_MARGIN_MS = 500;

/** Connections and their credentials. */
export class ConnectionsApi {
  constructor(private readonly client: CredentialBrokerClient) {}

  /**
   * Scope `connect` or `credentials:read`. Filters narrow the list together; `tag: ['plan:pro', 'region:eu']`
   * wants both tags. Pass `nextCursor` back as `cursor` for the next page.
   */
  list(query: ListConnectionsQuery = {}): Promise<ConnectionPage> {
    return this.client.request('/v1/connections', { query: { ...query } });
  }

  /** Every connection that matches, page after page by cursor. */
  listAll(query: Omit<ListConnectionsQuery, 'cursor' | 'offset'> = {}): AsyncGenerator<Connection> {
    return everyPage((cursor) => this.list({ ...query, ...cursor }));
  }

  get(connectionId: string): Promise<Connection> {
    return this.client.request(`/v1/connections/${encodeURIComponent(connectionId)}`);
  }

  /**
   * Scope `admin`. A connection with a credential obtained elsewhere (a migration from another
   * broker); stored and refreshed like a connect. `connection_exists` (409) when its id is taken.
   */
  import(request: ImportConnectionRequest): Promise<Connection> {
    return this.client.request('/v1/connections/import', { method: 'POST', body: request });
  }

  /**
   * Scope `connect`. A JSON Merge Patch (RFC 7396) of what your product keeps with the connection:
   * `metadata` and `tags` merge (`null` removes a member, or all of them), `endUser` sets or clears
   * `displayName`, `email`, `organizationId`. Never put secrets there.
   */
  update(connectionId: string, patch: UpdateConnectionRequest): Promise<Connection> {
    return this.client.request(`/v1/connections/${encodeURIComponent(connectionId)}`, { method: 'PATCH', body: patch });
  }

  /** Scope `credentials:read`. Every read is audited; the refresh token only with `includeRefreshToken`. */
  getCredential(connectionId: string, options: { includeRefreshToken?: boolean } = {}): Promise<Credential> {
    return this.client.request(`/v1/connections/${encodeURIComponent(connectionId)}/credential`, {
      method: 'POST',
      body: options.includeRefreshToken ? { includeRefreshToken: true } : {},
    });
  }

  /**
   * Scope `credentials:read`. The third-party API answered 401 with the credential of
   * `credentialVersion`: the broker refreshes now (`refreshed`: read the credential again), says a
   * newer credential exists (`superseded`), or marks the connection `needs_reconnect`.
   */
  reportUnauthorized(connectionId: string, credentialVersion?: number): Promise<ReportUnauthorizedResult> {
    return this.client.request(`/v1/connections/${encodeURIComponent(connectionId)}/report-unauthorized`, {
      method: 'POST',
      body: credentialVersion === undefined ? {} : { credentialVersion },
    });
  }

  /** Removes the connection: revokes at the provider where it can, destroys the stored secrets. */
  delete(connectionId: string): Promise<DisconnectResult> {
    return this.client.request(`/v1/connections/${encodeURIComponent(connectionId)}`, { method: 'DELETE' });
  }
}

/**
 * Calls to a connection's provider through the broker (scope `proxy`): the broker applies the
 * connection's credential, which never reaches you. Each method resolves to the provider's answer,
 * whatever its status (`response.ok`, `response.status`, the body unread), and rejects with a
 * `CredentialBrokerError` only when the broker itself refused or failed (path refused, connection
 * not found or needing reconnection, no `apiBaseUrl`, provider unreachable, too slow, too large).
 *
 * ```ts
 * const me = await broker.proxy.get(connectionId, '/v1.0/me');
 * const profile = await me.json();
 * ```
 */
export class ProxyApi {
  constructor(private readonly client: CredentialBrokerClient) {}

  get(connectionId: string, path: string, init?: ProxyRequestInit): Promise<Response> {
    return this.client.proxyRequest('GET', connectionId, path, init);
  }

  post(connectionId: string, path: string, init?: ProxyRequestInit): Promise<Response> {
    return this.client.proxyRequest('POST', connectionId, path, init);
  }

  put(connectionId: string, path: string, init?: ProxyRequestInit): Promise<Response> {
    return this.client.proxyRequest('PUT', connectionId, path, init);
  }

  patch(connectionId: string, path: string, init?: ProxyRequestInit): Promise<Response> {
    return this.client.proxyRequest('PATCH', connectionId, path, init);
  }

  delete(connectionId: string, path: string, init?: ProxyRequestInit): Promise<Response> {
    return this.client.proxyRequest('DELETE', connectionId, path, init);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abortReason = (): Error => (signal?.reason instanceof Error ? signal.reason : new DOMException('the wait was aborted', 'AbortError'));
    if (signal?.aborted) {
      reject(abortReason());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Webhook endpoints, their deliveries and attempts (scope `admin`). Verify each delivery you receive
 * with the `standardwebhooks` package: `new Webhook(secret).verify(rawBody, headers)` (see the README).
 */
export class WebhookEndpointsApi {
  constructor(private readonly client: CredentialBrokerClient) {}

  /** The answer holds the signing secret; it is never shown again (rotate to get a new one). */
  create(request: CreateWebhookEndpointRequest): Promise<WebhookEndpointWithSecret> {
    return this.client.request('/v1/webhook-endpoints', { method: 'POST', body: request });
  }

  async list(): Promise<WebhookEndpoint[]> {
    return (await this.client.request<{ items: WebhookEndpoint[] }>('/v1/webhook-endpoints')).items;
  }

  get(id: string): Promise<WebhookEndpoint> {
    return this.client.request(`/v1/webhook-endpoints/${encodeURIComponent(id)}`);
  }

  /** `enabled: true` turns an endpoint the broker disabled as `failing` back on. */
  update(id: string, request: UpdateWebhookEndpointRequest): Promise<WebhookEndpoint> {
    return this.client.request(`/v1/webhook-endpoints/${encodeURIComponent(id)}`, { method: 'PATCH', body: request });
  }

  async delete(id: string): Promise<void> {
    await this.client.request(`/v1/webhook-endpoints/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  /** A new signing secret; the previous one keeps signing beside it for `graceSeconds` (default 24 hours). */
  rotateSecret(id: string, request: RotateWebhookSecretRequest = {}): Promise<WebhookEndpointWithSecret> {
    return this.client.request(`/v1/webhook-endpoints/${encodeURIComponent(id)}/rotate-secret`, { method: 'POST', body: request });
  }

  /** Newest first. */
  deliveries(id: string, query: ListWebhookDeliveriesQuery = {}): Promise<WebhookDeliveryPage> {
    return this.client.request(`/v1/webhook-endpoints/${encodeURIComponent(id)}/deliveries`, { query: { ...query } });
  }

  async attempts(id: string, deliveryId: string): Promise<WebhookAttempt[]> {
    return (await this.client.request<{ items: WebhookAttempt[] }>(`/v1/webhook-endpoints/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/attempts`)).items;
  }

  /** Sends it again now, with the same `webhook-id`; `delivery_in_flight` (409) while an attempt is under way. */
  replay(id: string, deliveryId: string): Promise<WebhookDelivery> {
    return this.client.request(`/v1/webhook-endpoints/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/replay`, { method: 'POST' });
  }
}

/**
 * The workspace's audit (scope `admin`): credential reads, proxy calls, imports, connector changes,
 * API key creations and revocations, newest first. No entry holds a secret.
 */
export class AuditApi {
  constructor(private readonly client: CredentialBrokerClient) {}

  /** One page; pass `nextCursor` back as `cursor`, with the same filters, for the next. */
  list(query: ListAuditQuery = {}): Promise<AuditPage> {
    return this.client.request('/v1/audit', { query: { ...query } });
  }

  /** Every entry that matches, page after page by cursor. */
  listAll(query: Omit<ListAuditQuery, 'cursor'> = {}): AsyncGenerator<AuditEntry> {
    return everyPage((cursor) => this.list({ ...query, ...cursor }));
  }
}

/** The calling key's own workspace's API keys (scope `admin`). */
export class ApiKeysApi {
  constructor(private readonly client: CredentialBrokerClient) {}

  async list(): Promise<ApiKey[]> {
    return (await this.client.request<{ items: ApiKey[] }>('/v1/api-keys')).items;
  }

  /** The answer's `apiKey` is the full key, shown only this once. `operator` needs an operator key. */
  create(request: CreateApiKeyRequest): Promise<CreatedApiKey> {
    return this.client.request('/v1/api-keys', { method: 'POST', body: request });
  }

  async revoke(id: string): Promise<void> {
    await this.client.request(`/v1/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }
}

/** Every workspace and its keys (scope `operator`, given by the CLI's `create-workspace --operator` or by another operator key). */
export class WorkspacesApi {
  constructor(private readonly client: CredentialBrokerClient) {}

  /** A workspace without keys: give it its first with `createApiKey`. */
  create(request: CreateWorkspaceRequest): Promise<Workspace> {
    return this.client.request('/v1/workspaces', { method: 'POST', body: request });
  }

  async list(): Promise<Workspace[]> {
    return (await this.client.request<{ items: Workspace[] }>('/v1/workspaces')).items;
  }

  async listApiKeys(workspaceId: string): Promise<ApiKey[]> {
    return (await this.client.request<{ items: ApiKey[] }>(`/v1/workspaces/${encodeURIComponent(workspaceId)}/api-keys`)).items;
  }

  /** The answer's `apiKey` is the full key, shown only this once. */
  createApiKey(workspaceId: string, request: CreateApiKeyRequest): Promise<CreatedApiKey> {
    return this.client.request(`/v1/workspaces/${encodeURIComponent(workspaceId)}/api-keys`, { method: 'POST', body: request });
  }

  async revokeApiKey(workspaceId: string, keyId: string): Promise<void> {
    await this.client.request(`/v1/workspaces/${encodeURIComponent(workspaceId)}/api-keys/${encodeURIComponent(keyId)}`, { method: 'DELETE' });
  }
}

/** Every item of a cursor-paged list, one page at a time; `list` is given the next page's `cursor`, none at first. */
async function* everyPage<T>(list: (cursor: { cursor?: string }) => Promise<{ items: T[]; nextCursor: string | null }>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await list(cursor === undefined ? {} : { cursor });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
