/**
 * /metrics on the five services, after a real connect flow and a credential read (gateway,
 * oauth-authorization, token-issuance, Kafka, PostgreSQL and the sandbox oidc-provider): access
 * control, the request histogram by route template, the token lifecycle, inbox and outbox counts,
 * the pool gauges, and no id or secret in any scrape.
 */
import { randomBytes } from 'node:crypto';
import { CodeReceived, TokenIssued } from '@cb/events';
import { waitFor } from '../harness';
import { activeConnector, Gateway, newWorkspace, openSession, sessionReaches } from '../connect/connect-helpers';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, ServiceName, startSystem } from '../support/system';

const SERVICES: ServiceName[] = ['gateway', 'connector-config', 'oauth-authorization', 'token-issuance', 'token-refresh'];
const METRICS_TOKEN = randomBytes(24).toString('base64url');
const CLIENT_SECRET = `canary-client-secret-${randomBytes(6).toString('hex')}`;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments left out). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[label[1] as string] = label[2] as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples of `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

describe('metrics', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let gateway: Gateway;
  let apiKey: string;
  let workspaceId: string;
  let connectorId: string;
  let sessionId: string;
  let connectionId: string;
  let accessToken: string;
  let refreshToken: string | undefined;

  /** `authorization` null sends none. */
  const scrape = async (name: ServiceName, authorization: string | null = `Bearer ${METRICS_TOKEN}`): Promise<Response> =>
    fetch(`${system.urls[name]}/metrics`, { headers: authorization === null ? {} : { authorization }, signal: AbortSignal.timeout(10_000) });

  const samplesOf = async (name: ServiceName): Promise<{ text: string; samples: Sample[] }> => {
    const response = await scrape(name);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`scrape of ${name}: ${response.status} ${text}`);
    return { text, samples: parseExposition(text) };
  };

  /** Scrapes until `probe` holds: counters move when events are handled, after the API already answers. */
  const scrapedUntil = (name: ServiceName, description: string, probe: (samples: Sample[]) => boolean): Promise<Sample[]> =>
    waitFor(
      async () => {
        const { samples } = await samplesOf(name);
        return probe(samples) ? samples : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, description },
    );

  beforeAll(async () => {
    system = await startSystem({ env: { METRICS_TOKEN } });
    sandbox = await startSandboxProvider({
      clients: [{ client_id: 'cb-metrics', client_secret: CLIENT_SECRET, redirect_uris: [`${system.urls.gateway}/oauth/callback`], token_endpoint_auth_method: 'client_secret_basic' }],
    });
    const workspace = await newWorkspace(system, 'Metrics Co');
    ({ gateway, apiKey, workspaceId } = workspace);
    connectorId = await activeConnector(gateway, 'sandbox-metrics', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'cb-metrics',
      clientSecret: CLIENT_SECRET,
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });

    const session = await openSession(gateway, { connectorId, endUserId: 'metrics-end-user-7' });
    sessionId = session.sessionId;
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    expect((await fetch(callbackUrl, { redirect: 'manual' })).status).toBe(200);
    connectionId = (await sessionReaches(gateway, sessionId, 'completed')).connectionId;
    const read = await gateway.call<{ credential: { accessToken: string; refreshToken?: string } }>('POST', `/v1/connections/${connectionId}/credential`, { body: { includeRefreshToken: true } });
    expect(read.status).toBe(200);
    accessToken = read.body.credential.accessToken;
    refreshToken = read.body.credential.refreshToken;
    // A refusal, counted by its code.
    expect((await gateway.call('POST', '/v1/connections/00000000-0000-4000-8000-000000000001/credential', { body: {} })).status).toBe(404);
  });

  afterAll(async () => {
    await sandbox?.stop();
    await system?.stop();
  });

  it('refuses a scrape without the token or with a wrong one on every service, the gateway included', async () => {
    for (const name of SERVICES) {
      for (const authorization of [null, 'Bearer not-the-metrics-token', `Bearer ${system.internalToken}`]) {
        const response = await scrape(name, authorization);
        expect({ name, status: response.status }).toEqual({ name, status: 401 });
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('unauthorized');
      }
    }
  });

  it('serves every service its own registry: process metrics, pool gauges and the label service', async () => {
    for (const name of SERVICES) {
      const { samples } = await samplesOf(name);
      expect(samples.filter((s) => s.name === 'process_cpu_user_seconds_total').map((s) => s.labels.service)).toEqual([name]);
      for (const gauge of ['credential_broker_db_pool_connections', 'credential_broker_db_pool_idle_connections', 'credential_broker_db_pool_waiting_requests']) {
        expect({ name, gauge, present: samples.some((s) => s.name === gauge && Number.isFinite(s.value)) }).toEqual({ name, gauge, present: true });
      }
      expect(samples.every((s) => s.labels.service === name)).toBe(true);
    }
  });

  it('times every request by route template and status class, never by its raw path', async () => {
    const { samples } = await samplesOf('gateway');
    const count = (route: string, statusClass: string, method = 'POST'): number => total(samples, 'http_server_request_duration_seconds_count', { method, route, status_class: statusClass });
    expect(count('/v1/connections/:connectionId/credential', '2xx')).toBe(1);
    expect(count('/v1/connections/:connectionId/credential', '4xx')).toBe(1);
    expect(count('/v1/connect-sessions', '2xx')).toBe(1);
    expect(count('/v1/connect-sessions/:id', '2xx', 'GET')).toBeGreaterThanOrEqual(1);
    const routes = new Set(samples.filter((s) => s.name === 'http_server_request_duration_seconds_count').map((s) => s.labels.route));
    expect([...routes].filter((route) => route !== 'unmatched' && !route?.startsWith('/'))).toEqual([]);
    expect(routes.has('/metrics')).toBe(false);

    const backEnd = await samplesOf('token-issuance');
    expect(total(backEnd.samples, 'http_server_request_duration_seconds_count', { route: '/internal/v1/workspaces/:workspaceId/connections/:connectionId/credential', status_class: '2xx' })).toBe(1);
  });

  it('counts the connect: a session started and completed, the code exchanged, the events handled and published', async () => {
    const oauth = await scrapedUntil('oauth-authorization', 'the completed session to be counted', (s) => total(s, 'credential_broker_connect_sessions_completed_total') >= 1);
    expect(total(oauth, 'credential_broker_connect_sessions_started_total')).toBe(1);
    expect(total(oauth, 'credential_broker_connect_sessions_failed_total')).toBe(0);
    expect(total(oauth, 'credential_broker_inbox_events_handled_total', { topic: TokenIssued.topic })).toBeGreaterThanOrEqual(1);
    expect(total(oauth, 'credential_broker_outbox_events_published_total', { topic: CodeReceived.topic })).toBe(1);
    expect(total(oauth, 'credential_broker_outbox_publish_latency_seconds_count', { topic: CodeReceived.topic })).toBe(1);
    expect(total(oauth, 'credential_broker_outbox_publish_latency_seconds_sum', { topic: CodeReceived.topic })).toBeGreaterThan(0);
    expect(total(oauth, 'credential_broker_outbox_pending_events')).toBe(0);
    expect(oauth.some((s) => s.name === 'credential_broker_outbox_oldest_pending_age_seconds' && s.value === 0)).toBe(true);

    const issuance = await scrapedUntil('token-issuance', 'the exchange to be counted', (s) => total(s, 'credential_broker_connect_exchanges_total', { outcome: 'completed' }) >= 1);
    expect(total(issuance, 'credential_broker_inbox_events_handled_total', { topic: CodeReceived.topic })).toBe(1);
    expect(total(issuance, 'credential_broker_inbox_handler_duration_seconds_count', { topic: CodeReceived.topic, outcome: 'ok' })).toBe(1);
    expect(total(issuance, 'credential_broker_provider_request_duration_seconds_count', { connector_id: connectorId, operation: 'token' })).toBe(1);
    expect(issuance.some((s) => s.name === 'credential_broker_kafka_consumer_lag' && s.labels.topic === CodeReceived.topic && s.labels.partition !== undefined)).toBe(true);

    const refresh = await scrapedUntil('token-refresh', 'TokenIssued to be handled by token-refresh', (s) => total(s, 'credential_broker_inbox_events_handled_total', { topic: TokenIssued.topic }) >= 1);
    expect(total(refresh, 'credential_broker_inbox_dead_letters_total')).toBe(0);
  });

  it('counts credential reads by outcome', async () => {
    const { samples } = await samplesOf('token-issuance');
    expect(total(samples, 'credential_broker_credential_reads_total', { outcome: 'served' })).toBe(1);
    expect(total(samples, 'credential_broker_credential_reads_total', { outcome: 'not_found' })).toBe(1);
  });

  it('shows no id and no secret in any scrape', async () => {
    const forbidden = [accessToken, refreshToken, apiKey, CLIENT_SECRET, METRICS_TOKEN, system.internalToken, connectionId, sessionId, workspaceId, 'metrics-end-user-7'].filter(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    for (const name of SERVICES) {
      const { text } = await samplesOf(name);
      for (const value of forbidden) expect({ name, leaked: text.includes(value) ? value : null }).toEqual({ name, leaked: null });
    }
  });
});
