/**
 * Hostile providers (issue 12, isolation): a connector's token endpoint that streams an answer for
 * ever, one that hangs, and one that is down while reads keep coming. The whole system runs (five
 * services, real Kafka and PostgreSQL, an oidc-provider sandbox for consent); the connector's token
 * URL points at a relay in this process that forwards to the sandbox's token endpoint or, when told,
 * streams without end, never answers, or answers 503. Against them the broker reads at most 64 KiB
 * (`MAX_RESPONSE_BYTES`); holds no database connection while a provider answers, caps the calls to
 * one connector and one workspace and opens a connector's circuit after repeated failures
 * (ProviderGuard); and lets reads of expired tokens retry only on the connection's backoff.
 * docs/SECURITY.md points here.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../harness';
import { authorizeOverHttp, SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { RunningSystem, startSystem } from '../support/system';
import { activeConnector, newWorkspace, openSession, sessionReaches, withDb, Workspace } from './hostile-support';

/** Far above what a capped answer takes: a failure near it means the broker read until the deadline. */
const TOKEN_REQUEST_TIMEOUT_MS = 20_000;
const WELL_BEFORE_THE_TIMEOUT_MS = TOKEN_REQUEST_TIMEOUT_MS / 4;
/** Socket buffers besides the 64 KiB; without the limit the stream runs the whole timeout (about 64 MB). */
const BOUND_BYTES = 16 * 1024 * 1024;

interface Stream {
  readonly startedAt: number;
  written: number;
  closedAt?: number;
}

/**
 * A token endpoint in front of the sandbox's, per connector (the path names it): `relay` forwards
 * each request and its answer (with `expires_in` replaced when `expiresIn` is set); `stream` answers
 * 200 with a JSON start and then 16 KiB every 5 ms (about 3 MB/s, so that a broker without the
 * limit fills its memory slowly) until the connection closes; `hang` never answers; `down` answers
 * 503 at once. Every request is counted by path.
 */
class HostileTokenEndpoint {
  mode: 'relay' | 'stream' | 'hang' | 'down' = 'relay';
  expiresIn: number | undefined;
  readonly streams: Stream[] = [];
  readonly requests = new Map<string, number>();
  readonly hanging = new Set<ServerResponse>();
  private readonly server: Server;

  constructor(private readonly upstreamTokenUrl: string) {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
        if (this.mode === 'stream') this.streamForever(response);
        else if (this.mode === 'hang') this.hang(response);
        else if (this.mode === 'down') response.writeHead(503, { 'Content-Type': 'text/plain' }).end('down for maintenance');
        else this.relay(request.headers, Buffer.concat(chunks), response).catch(() => response.destroy());
      });
    });
  }

  requestsTo(path: string): number {
    return this.requests.get(path) ?? 0;
  }

  /** Hangs up on every request left hanging: the broker sees a network error. */
  releaseHanging(): void {
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
  }

  private hang(response: ServerResponse): void {
    this.hanging.add(response);
    response.socket?.once('close', () => this.hanging.delete(response));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return this.urlFor('token');
  }

  urlFor(name: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${name}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private streamForever(response: ServerResponse): void {
    const stream: Stream = { startedAt: Date.now(), written: 0 };
    this.streams.push(stream);
    response.socket?.once('close', () => (stream.closedAt = Date.now()));
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.write('{"access_token":"');
    const chunk = Buffer.alloc(16 * 1024, 'a');
    // each chunk once the socket has taken the one before; a client without the limit gets four times the bound, then the end
    const next = (): void => {
      if (response.destroyed) return;
      if (stream.written >= 4 * BOUND_BYTES) {
        response.end('"}');
        return;
      }
      stream.written += chunk.length;
      response.write(chunk, (error) => {
        if (!error) next();
      });
    };
    next();
  }

  private async relay(headers: Record<string, string | string[] | undefined>, body: Buffer, response: ServerResponse): Promise<void> {
    const forwarded: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'accept']) {
      const value = headers[name];
      if (typeof value === 'string') forwarded[name] = value;
    }
    const answer = await fetch(this.upstreamTokenUrl, { method: 'POST', headers: forwarded, body, signal: AbortSignal.timeout(10_000) });
    let text = await answer.text();
    if (this.expiresIn !== undefined && answer.ok) text = JSON.stringify({ ...(JSON.parse(text) as object), expires_in: this.expiresIn });
    response.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(text);
  }
}

describe('hostile providers: a token endpoint that streams for ever, hangs, or is down', () => {
  let system: RunningSystem;
  let sandbox: SandboxProvider;
  let hostile: HostileTokenEndpoint;
  let tenant: Workspace;
  let bystander: Workspace;
  let honestConfig: Record<string, unknown>;

  beforeAll(async () => {
    system = await startSystem({
      serviceEnv: {
        'token-issuance': { TOKEN_REQUEST_TIMEOUT_MS: String(TOKEN_REQUEST_TIMEOUT_MS) },
        // the outage test reads as fast as the broker answers; the read limit has its own test
        gateway: { RATE_LIMIT_CREDENTIAL_READS: 'off' },
      },
    });
    sandbox = await startSandboxProvider({ clients: [{ client_id: 'hostile-client', client_secret: 'hostile-client-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`] }] });
    hostile = new HostileTokenEndpoint(sandbox.urls.token);
    await hostile.start();
    [tenant, bystander] = await Promise.all([newWorkspace(system, 'Streaming Provider Co'), newWorkspace(system, 'Bystander Co')]);
    honestConfig = {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'hostile-client',
      clientSecret: 'hostile-client-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    };
  }, 120_000);

  afterAll(async () => {
    await hostile?.stop();
    await sandbox?.stop();
    await system?.stop();
  });

  /** Consent at the sandbox; returns the session and its callback, not yet followed. */
  const consented = async (workspace: Workspace, connectorId: string, endUserId: string) => {
    const session = await openSession(workspace, { connectorId, endUserId });
    const { callbackUrl } = await authorizeOverHttp(session.authorizationUrl as string);
    return { session, callbackUrl };
  };
  const follow = async (callbackUrl: URL): Promise<number> => {
    const answer = await fetch(callbackUrl, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    await answer.text();
    return answer.status;
  };
  const closedStreams = (): Stream[] => hostile.streams.filter((stream) => stream.closedAt !== undefined);
  /** Connects one end user after another; returns the connection ids. */
  const connectMany = async (workspace: Workspace, connectorId: string, count: number, prefix: string): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { session, callbackUrl } = await consented(workspace, connectorId, `${prefix}-${i}`);
      expect(await follow(callbackUrl)).toBe(200);
      ids.push((await sessionReaches(workspace, session.sessionId, 'completed')).connectionId);
    }
    return ids;
  };
  type Refusal = { error?: { code: string; details?: { providerError?: string } } };
  const reportUnauthorizedOf = (workspace: Workspace, connectionId: string) => workspace.call<Refusal>('POST', `/v1/connections/${connectionId}/report-unauthorized`, { body: {}, timeoutMs: 60_000 });
  const readCredential = (workspace: Workspace, connectionId: string) => workspace.call<Refusal>('POST', `/v1/connections/${connectionId}/credential`, { body: {} });

  it('the connect fails with response_too_large well before the token request timeout, the connection is closed, and another connector is served meanwhile', async () => {
    hostile.mode = 'stream';
    const streaming = await activeConnector(tenant, 'streams-for-ever', { ...honestConfig, tokenUrl: hostile.url });
    const honest = await activeConnector(bystander, 'honest', honestConfig);
    const attack = await consented(tenant, streaming, 'victim');
    const beside = await consented(bystander, honest, 'bystander');
    const streamsBefore = hostile.streams.length;

    const started = Date.now();
    expect(await Promise.all([follow(attack.callbackUrl), follow(beside.callbackUrl)])).toEqual([200, 200]);
    const [failed, completed] = await Promise.all([
      sessionReaches(tenant, attack.session.sessionId, 'failed', TOKEN_REQUEST_TIMEOUT_MS * 2),
      sessionReaches(bystander, beside.session.sessionId, 'completed', TOKEN_REQUEST_TIMEOUT_MS * 2),
    ]);
    const failedAfterMs = Date.now() - started;

    expect(failed.error?.code).toBe('response_too_large');
    expect(completed.error).toBeNull();
    expect(failedAfterMs).toBeLessThan(WELL_BEFORE_THE_TIMEOUT_MS);
    // the broker hung up: the stream stopped, bounded, soon after it began
    const [stream] = await waitFor(() => (closedStreams().length > streamsBefore ? closedStreams().slice(streamsBefore) : undefined), {
      timeoutMs: TOKEN_REQUEST_TIMEOUT_MS * 2,
      description: 'token-issuance to close the streaming connection',
    });
    expect(hostile.streams.length - streamsBefore).toBe(1);
    expect((stream?.closedAt ?? Infinity) - (stream?.startedAt ?? 0)).toBeLessThan(WELL_BEFORE_THE_TIMEOUT_MS);
    expect(stream?.written).toBeLessThan(BOUND_BYTES);

    // and the service goes on serving connects afterwards
    const after = await consented(bystander, honest, 'bystander-after');
    expect(await follow(after.callbackUrl)).toBe(200);
    expect((await sessionReaches(bystander, after.session.sessionId, 'completed')).error).toBeNull();
  });

  it('a refresh against it leaves the connection active and marks the connector failing; the next refresh succeeds', async () => {
    hostile.mode = 'relay';
    const connectorId = await activeConnector(tenant, 'turns-hostile', { ...honestConfig, tokenUrl: hostile.url });
    const { session, callbackUrl } = await consented(tenant, connectorId, 'refreshing-user');
    expect(await follow(callbackUrl)).toBe(200);
    const { connectionId } = await sessionReaches(tenant, session.sessionId, 'completed');
    const reportUnauthorized = () => tenant.call<{ error?: { code: string; details?: { providerError?: string } } }>('POST', `/v1/connections/${connectionId}/report-unauthorized`, { body: {} });
    const view = async () =>
      (await tenant.call<{ status: string; refresh: { state: string; lastErrorCode: string | null }; connector: { health: { state: string; lastErrorCode: string | null } } }>('GET', `/v1/connections/${connectionId}`)).body;

    hostile.mode = 'stream';
    const streamsBefore = hostile.streams.length;
    const refused = await reportUnauthorized();
    expect({ status: refused.status, providerError: refused.body.error?.details?.providerError }).toEqual({ status: 503, providerError: 'response_too_large' });
    expect(refused.elapsedMs).toBeLessThan(WELL_BEFORE_THE_TIMEOUT_MS);
    expect(await view()).toMatchObject({
      status: 'active',
      refresh: { state: 'failing', lastErrorCode: 'response_too_large' },
      connector: { health: { state: 'failing', lastErrorCode: 'response_too_large' } },
    });
    await waitFor(() => closedStreams().length > streamsBefore, { timeoutMs: WELL_BEFORE_THE_TIMEOUT_MS, description: 'token-issuance to close the streaming connection' });

    hostile.mode = 'relay';
    expect((await reportUnauthorized()).status).toBe(200);
    expect(await view()).toMatchObject({ status: 'active', refresh: { state: 'ok' }, connector: { health: { state: 'ok' } } });
  });

  it('a provider that hangs holds no database connection: while 12 calls wait on it, another workspace reads and connects at its usual speed; one connector gets at most 8 calls at once, and its circuit opens after they fail', async () => {
    hostile.mode = 'relay';
    const hangingTenant = await newWorkspace(system, 'Hanging Provider Co');
    const busyConnector = await activeConnector(hangingTenant, 'hangs-busy', { ...honestConfig, tokenUrl: hostile.urlFor('hangs-busy') });
    const quietConnector = await activeConnector(hangingTenant, 'hangs-quiet', { ...honestConfig, tokenUrl: hostile.urlFor('hangs-quiet') });
    const busy = await connectMany(hangingTenant, busyConnector, 10, 'busy');
    const quiet = await connectMany(hangingTenant, quietConnector, 4, 'quiet');
    const honest = await activeConnector(bystander, 'honest-beside-hang', honestConfig);
    const [reader] = await connectMany(bystander, honest, 1, 'reader');
    const busyBefore = hostile.requestsTo('/hangs-busy');
    const quietBefore = hostile.requestsTo('/hangs-quiet');

    hostile.mode = 'hang';
    const settled: string[] = [];
    const outcome = (answer: Awaited<ReturnType<typeof reportUnauthorizedOf>>): string => `${answer.status} ${answer.body.error?.details?.providerError ?? answer.text}`;
    const reports = [...busy, ...quiet].map((connectionId) => reportUnauthorizedOf(hangingTenant, connectionId).then((answer) => (settled.push(outcome(answer)), answer)));
    // the busy connector's cap (8) and all 4 of the quiet one: 12 calls, more than a service's 10 pooled connections
    await waitFor(() => hostile.hanging.size >= 12, { timeoutMs: 15_000, description: '12 token requests hanging at the provider' });

    const readTimes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const read = await readCredential(bystander, reader as string);
      expect(read.status).toBe(200);
      readTimes.push(read.elapsedMs);
    }
    const connectStarted = Date.now();
    const beside = await consented(bystander, honest, 'connects-beside-hang');
    expect(await follow(beside.callbackUrl)).toBe(200);
    expect((await sessionReaches(bystander, beside.session.sessionId, 'completed', 10_000)).error).toBeNull();
    const connectMs = Date.now() - connectStarted;
    expect(hostile.hanging.size).toBe(12);
    expect(Math.max(...readTimes)).toBeLessThan(2000);
    expect(connectMs).toBeLessThan(5000);
    expect({ busy: hostile.requestsTo('/hangs-busy') - busyBefore, quiet: hostile.requestsTo('/hangs-quiet') - quietBefore }).toEqual({ busy: 8, quiet: 4 });

    // the two calls above the busy connector's cap give up after the 2 s queue, while the others still hang
    await waitFor(() => settled.length >= 2, { timeoutMs: 10_000, description: 'the queued reports to be refused' });
    expect(settled).toEqual(['503 provider_busy', '503 provider_busy']);
    expect(hostile.hanging.size).toBe(12);

    hostile.mode = 'relay';
    hostile.releaseHanging();
    const answers = await Promise.all(reports);
    expect(answers.map(outcome).sort()).toEqual([...Array(12).fill('503 network_error'), ...Array(2).fill('503 provider_busy')]);

    // eight failures in a row opened the busy connector's circuit: refused at once, nothing sent, said in its health
    const requestsBeforeOpen = hostile.requestsTo('/hangs-busy');
    const refused = await reportUnauthorizedOf(hangingTenant, busy[0] as string);
    expect({ status: refused.status, providerError: refused.body.error?.details?.providerError }).toEqual({ status: 503, providerError: 'circuit_open' });
    expect(hostile.requestsTo('/hangs-busy')).toBe(requestsBeforeOpen);
    const view = await hangingTenant.call<{ status: string; connector: { health: { state: string; lastErrorCode: string | null } } }>('GET', `/v1/connections/${busy[0]}`);
    expect(view.body).toMatchObject({ status: 'active', connector: { health: { state: 'failing', lastErrorCode: 'circuit_open' } } });
    // the other connector's circuit stayed closed
    expect((await reportUnauthorizedOf(hangingTenant, quiet[0] as string)).status).toBe(200);
  });

  it('reads of expired tokens while the provider is down answer at once with the last error and Retry-After, and reach the provider only on each connection\'s backoff', async () => {
    const outageTenant = await newWorkspace(system, 'Outage Co');
    hostile.mode = 'relay';
    hostile.expiresIn = 3;
    const connectorId = await activeConnector(outageTenant, 'goes-down', { ...honestConfig, tokenUrl: hostile.urlFor('goes-down') });
    const connections = await connectMany(outageTenant, connectorId, 6, 'outage');
    hostile.mode = 'down';
    hostile.expiresIn = undefined;
    const readAll = () => Promise.all(connections.map((connectionId) => readCredential(outageTenant, connectionId)));
    await waitFor(async () => (await readAll()).every((answer) => answer.status === 503), { timeoutMs: 30_000, description: 'every token to expire' });

    const before = hostile.requestsTo('/goes-down');
    const started = Date.now();
    const answers: Awaited<ReturnType<typeof readAll>> = [];
    // At least 6 s and 300 answers, however slowly a loaded machine answers.
    while (Date.now() - started < 6000 || answers.length <= 300) {
      if (Date.now() - started > 60_000) throw new Error(`only ${answers.length} answers in 60 s of reads`);
      answers.push(...(await readAll()));
    }
    const attempts = hostile.requestsTo('/goes-down') - before;
    const seconds = (Date.now() - started) / 1000;
    // every refresh attempt, whether it reached the provider or met the connector's open circuit
    const recorded = await withDb(system.databaseUrl, async (db) =>
      Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM token_issuance.refresh_attempts WHERE connection_id = ANY($1) AND attempted_at >= $2', [connections, new Date(started)])).rows[0]?.n),
    );

    expect(answers.length).toBeGreaterThan(300);
    for (const answer of answers) {
      expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 503, code: 'token_unavailable' });
      expect(answer.body.error?.details?.providerError).toEqual(expect.any(String));
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // before: one provider call per read (here several hundred); now each connection's backoff (1, 2, 4… s),
    // and the circuit that opened after the first failures keeps even those from the provider
    expect(recorded).toBeLessThanOrEqual(connections.length * Math.ceil(seconds));
    expect(attempts).toBeLessThanOrEqual(recorded);
    const sorted = answers.map((answer) => answer.elapsedMs).sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(250);
    hostile.mode = 'relay';
  });
});
