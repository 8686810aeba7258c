/**
 * Tracing, request ids and access logs across the five services: one OAuth connect flow, from the
 * gateway's callback to TokenIssued and its consumers, is one trace; events carry it in
 * `ce_traceparent`; every request answers with its request id; logs carry both ids; spans carry no
 * secret. The services run in this process, so one tracer provider (in memory) records them all.
 */
import { randomBytes } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { CodeReceived, TokenExpired, TokenIssued } from '@cb/events';
import { installTracing, SERVICE_ATTRIBUTE } from '@cb/platform';
import { Keyring } from '@cb/vault-crypto';
import { collectMessages, MessageCollector, waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, Gateway, newWorkspace, openSession } from '../connect/connect-helpers';

const CLIENT_SECRET = `canary-client-secret-${randomBytes(6).toString('hex')}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type LogLine = Record<string, unknown>;

describe('tracing, request ids and access logs', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: ReturnType<typeof installTracing>;
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let collector: MessageCollector;
  let gateway: Gateway;
  let workspaceId: string;
  let connectorId: string;

  const serviceOf = (span: ReadableSpan): unknown => span.attributes[SERVICE_ATTRIBUTE];
  const spansOf = (traceId: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
  const logLines = (): LogLine[] =>
    system
      .logs()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const messagesFor = (topic: string, connectionId: string) =>
    collector.messages.filter((m) => m.topic === system.topic(topic) && (JSON.parse(m.value) as { connectionId?: string }).connectionId === connectionId);

  beforeAll(async () => {
    tracing = installTracing({ serviceName: 'credential-broker-test', exporter, immediate: true });
    system = await startSystem({ serviceEnv: { 'token-refresh': { REFRESH_POLL_INTERVAL_MS: '250' } } });
    sandbox = await startSandboxProvider({
      // due for a refresh after half of it (the refresh margin is capped at half the lifetime)
      accessTokenTtlSeconds: 6,
      clients: [{ client_id: 'cb-traced', client_secret: CLIENT_SECRET, redirect_uris: [`${system.urls.gateway}/oauth/callback`], token_endpoint_auth_method: 'client_secret_basic' }],
    });
    collector = await collectMessages({ brokers: system.kafkaBrokers, topics: [system.topic(CodeReceived.topic), system.topic(TokenIssued.topic), system.topic(TokenExpired.topic)], fromBeginning: true });
    const workspace = await newWorkspace(system, 'Traced Co');
    gateway = workspace.gateway;
    workspaceId = workspace.workspaceId;
    connectorId = await activeConnector(gateway, 'sandbox-traced', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'cb-traced',
      clientSecret: CLIENT_SECRET,
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
  });

  afterAll(async () => {
    await collector?.stop();
    await sandbox?.stop();
    await system?.stop();
    await tracing?.uninstall();
  });

  it('follows a connect flow in one trace, from the callback through TokenIssued to token-refresh, and keeps secrets out of spans', async () => {
    const session = await openSession(gateway, { connectorId, endUserId: 'traced-user' });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    const code = callbackUrl.searchParams.get('code') as string;
    expect(code).toEqual(expect.any(String));
    const requestId = `connect-${randomBytes(6).toString('hex')}`;

    const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { 'x-request-id': requestId } });
    expect(callback.status).toBe(200);
    expect(callback.headers.get('x-request-id')).toBe(requestId);

    const callbackSpan = await waitFor(
      () => exporter.getFinishedSpans().find((span) => span.name === 'GET /oauth/callback' && serviceOf(span) === 'gateway'),
      { timeoutMs: 10_000, description: "the gateway's callback span" },
    );
    expect(callbackSpan.kind).toBe(SpanKind.SERVER);
    expect(callbackSpan.parentSpanContext).toBeUndefined();
    expect(callbackSpan.attributes).toMatchObject({ 'http.route': '/oauth/callback', 'http.response.status_code': 200 });
    const traceId = callbackSpan.spanContext().traceId;

    const issued = await waitFor(() => messagesFor(TokenIssued.topic, session.connectionId)[0], { timeoutMs: 30_000, description: 'TokenIssued' });
    expect(issued.headers.ce_traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const codeReceived = messagesFor(CodeReceived.topic, session.connectionId)[0];
    expect(codeReceived?.headers.ce_traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const wanted = ['gateway', 'oauth-authorization', 'token-issuance', 'token-refresh'];
    const spans = await waitFor(
      () => {
        const found = spansOf(traceId);
        const services = new Set(found.map(serviceOf));
        return wanted.every((service) => services.has(service)) && found.some((span) => span.name === 'TokenIssued process' && serviceOf(span) === 'token-refresh') && found;
      },
      { timeoutMs: 30_000, description: `spans of ${wanted.join(', ')} in trace ${traceId}` },
    );
    const named = (service: string, name: string): ReadableSpan | undefined => spans.find((span) => serviceOf(span) === service && span.name === name);
    expect(named('gateway', 'GET oauth-authorization')?.kind).toBe(SpanKind.CLIENT);
    expect(named('oauth-authorization', 'GET /internal/v1/oauth/callback')?.kind).toBe(SpanKind.SERVER);
    expect(named('token-issuance', 'CodeReceived process')?.kind).toBe(SpanKind.CONSUMER);
    const tokenCall = named('token-issuance', 'POST token');
    expect(tokenCall?.kind).toBe(SpanKind.CLIENT);
    expect(tokenCall?.attributes).toMatchObject({ 'server.address': new URL(sandbox.urls.token).hostname, 'server.port': Number(new URL(sandbox.urls.token).port), 'http.response.status_code': 200 });
    expect(named('token-refresh', 'TokenIssued process')?.kind).toBe(SpanKind.CONSUMER);

    // One trace: every span but the callback's has its parent in it.
    const ids = new Set(spans.map((span) => span.spanContext().spanId));
    expect(spans.filter((span) => span !== callbackSpan && !ids.has(span.parentSpanContext?.spanId ?? ''))).toEqual([]);
    const writer = spans.find((span) => span.spanContext().spanId === issued.headers.ce_traceparent?.split('-')[2]);
    expect(serviceOf(writer as ReadableSpan)).toBe('token-issuance');

    // Log lines of the request carry its id and its trace; each hop wrote an access log line.
    const lines = await waitFor(
      () => {
        const found = logLines().filter((line) => line.request_id === requestId);
        return found.filter((line) => line.context === 'AccessLog').length >= 2 && found;
      },
      { description: 'the access log lines of the callback' },
    );
    for (const line of lines) expect(line).toMatchObject({ request_id: requestId, trace_id: traceId });
    expect(lines.filter((line) => line.context === 'AccessLog').map((line) => [line.service, line.method, line.route, line.status])).toEqual(
      expect.arrayContaining([
        ['gateway', 'GET', '/oauth/callback', 200],
        ['oauth-authorization', 'GET', '/internal/v1/oauth/callback', 200],
      ]),
    );
    expect(JSON.stringify(lines)).not.toContain(code);

    // A credential read (the hot route) is traced and logged by its template, with the workspace.
    const readId = `read-${randomBytes(6).toString('hex')}`;
    const read = await gateway.call<{ credential: { accessToken: string; refreshToken?: string } }>('POST', `/v1/connections/${session.connectionId}/credential`, {
      body: { includeRefreshToken: true },
      headers: { 'x-request-id': readId },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('x-request-id')).toBe(readId);
    const readSpan = await waitFor(
      () => exporter.getFinishedSpans().find((span) => span.name === 'POST /v1/connections/:connectionId/credential' && serviceOf(span) === 'gateway' && span.attributes['cb.workspace_id'] === workspaceId),
      { description: 'the credential read span' },
    );
    const readLines = await waitFor(
      () => {
        const found = logLines().filter((line) => line.request_id === readId && line.context === 'AccessLog');
        return found.length >= 2 && found;
      },
      { description: 'the access log lines of the credential read' },
    );
    expect(readLines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'gateway', route: '/v1/connections/:connectionId/credential', status: 200, workspaceId, trace_id: readSpan.spanContext().traceId, durationMs: expect.any(Number) }),
        expect.objectContaining({ service: 'token-issuance', route: '/internal/v1/workspaces/:workspaceId/connections/:connectionId/credential', status: 200 }),
      ]),
    );
    expect(readLines.map((line) => String(line.route)).join(' ')).not.toContain(session.connectionId);

    // No span says anything secret: not the access or refresh token, the client secret, the code or the verifier.
    const sealedVerifier = (JSON.parse(codeReceived?.value ?? '{}') as { sealedCodeVerifier?: string }).sealedCodeVerifier as string;
    const verifier = Keyring.fromConfig(system.env.VAULT_KEYS as string).open(sealedVerifier, `${CodeReceived.name}:${session.connectionId}`);
    const secrets = [read.body.credential.accessToken, read.body.credential.refreshToken as string, CLIENT_SECRET, code, verifier];
    expect(secrets.every((secret) => typeof secret === 'string' && secret.length >= 16)).toBe(true);
    const recorded = JSON.stringify(
      exporter.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes, events: span.events.map((event) => [event.name, event.attributes]), status: span.status, links: span.links })),
    );
    for (const secret of secrets) expect(recorded).not.toContain(secret);
    expect(recorded).not.toMatch(/[?&](code|state)=/);
  });

  it('traces a scheduled refresh on its own, from the schedule through token-issuance to the provider', async () => {
    const session = await openSession(gateway, { connectorId, endUserId: 'refreshed-user' });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);

    const refreshed = await waitFor(
      () => messagesFor(TokenIssued.topic, session.connectionId).find((m) => (JSON.parse(m.value) as { reason?: string }).reason === 'refresh'),
      { timeoutMs: 30_000, description: 'TokenIssued after a scheduled refresh' },
    );
    const expired = messagesFor(TokenExpired.topic, session.connectionId)[0];
    const traceId = expired?.headers.ce_traceparent?.split('-')[1] as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(refreshed.headers.ce_traceparent?.split('-')[1]).toBe(traceId);
    const connectTrace = messagesFor(TokenIssued.topic, session.connectionId)[0]?.headers.ce_traceparent?.split('-')[1];
    expect(connectTrace).not.toBe(traceId);

    const spans = await waitFor(
      () => {
        const found = spansOf(traceId);
        return found.some((span) => span.name === 'POST token') && found.some((span) => span.name === 'TokenExpired create') && found;
      },
      { timeoutMs: 10_000, description: `the spans of refresh trace ${traceId}` },
    );
    const root = spans.find((span) => span.name === 'TokenExpired create');
    expect(root).toMatchObject({ kind: SpanKind.PRODUCER, parentSpanContext: undefined, attributes: expect.objectContaining({ [SERVICE_ATTRIBUTE]: 'token-refresh', 'cb.connection_id': session.connectionId }) });
    expect(spans.find((span) => span.name === 'TokenExpired process')).toMatchObject({ kind: SpanKind.CONSUMER, attributes: expect.objectContaining({ [SERVICE_ATTRIBUTE]: 'token-issuance' }) });
    expect(spans.find((span) => span.name === 'POST token')).toMatchObject({ kind: SpanKind.CLIENT, attributes: expect.objectContaining({ 'http.response.status_code': 200 }) });
  });

  it('answers with the caller\'s X-Request-Id when well formed, and a new one otherwise', async () => {
    const kept = await gateway.call('GET', '/v1/connectors', { headers: { 'x-request-id': 'client:trace_1.2-3' } });
    expect(kept.headers.get('x-request-id')).toBe('client:trace_1.2-3');

    const malformed = await gateway.call('GET', '/v1/connectors', { headers: { 'x-request-id': 'not valid!' } });
    expect(malformed.headers.get('x-request-id')).toMatch(UUID);
    const tooLong = await gateway.call('GET', '/v1/connectors', { headers: { 'x-request-id': 'x'.repeat(129) } });
    expect(tooLong.headers.get('x-request-id')).toMatch(UUID);
    const none = await fetch(`${system.urls.gateway}/health/live`);
    expect(none.headers.get('x-request-id')).toMatch(UUID);

    const refused = await gateway.call('GET', '/v1/connectors', { key: null, headers: { 'x-request-id': 'refused-1' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toBe('refused-1');
    const line = await waitFor(() => logLines().find((entry) => entry.request_id === 'refused-1' && entry.context === 'AccessLog'), { description: 'the access log line of a refused request' });
    expect(line).toMatchObject({ service: 'gateway', method: 'GET', route: '/v1/connectors', status: 401 });
    expect(line).not.toHaveProperty('workspaceId');
  });
});
