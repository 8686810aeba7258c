/**
 * Kafka and PostgreSQL outages under load, on a private broker and a private cluster (started here
 * with scripts/infra/*.sh, so stopping them disturbs no other test), the services as child processes.
 *
 * Kafka stopped for a while: the outboxes hold the events, the services say not ready, and once the
 * broker is back every event is delivered; no connection is announced twice to a consumer that
 * deduplicates by ce_id. PostgreSQL restarted: every service reports not ready, recovers by itself,
 * and no accepted request (201/202) is left half done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_CATALOG, TokenIssued } from '@cb/events';
import { runInfraScript } from '../../scripts/lib/local-infra';
import { freePorts } from '../../scripts/lib/ports';
import { collectMessages, waitFor } from '../harness';
import { SandboxProvider, startSandboxProvider } from '../support/sandbox-provider';
import { withDb } from '../hostile/hostile-support';
import { createWorkspace, Driver, FlowResult, formatCounts, patientCall, pool, runFlow, tally } from './fault-support';
import { deliveryState } from './delivery-state';
import { ProcessSystem, SERVICES, startProcessSystem } from './process-system';

const OUTAGE_MS = 10_000;

describe('Kafka and PostgreSQL outages under load', () => {
  let dir: string;
  let kafkaEnv: Record<string, string>;
  let postgresEnv: Record<string, string | undefined>;
  let system: ProcessSystem;
  let sandbox: SandboxProvider;
  let driver: Driver;
  let oauthConnectorId: string;
  let typedConnectorId: string;
  let flowIndex = 0;
  let completedFlows = 0;

  const readiness = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      await Promise.all(SERVICES.map(async (name) => [name, await fetch(`${system.urls[name]}/health/ready`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status, () => 0)] as const)),
    );
  const pendingOutbox = (): Promise<number> =>
    withDb(system.databaseUrl, async (db) =>
      Number((await db.query<{ n: string }>(`SELECT (SELECT count(*) FROM oauth_authorization.outbox WHERE published_at IS NULL) + (SELECT count(*) FROM token_issuance.outbox WHERE published_at IS NULL) AS n`)).rows[0]?.n),
    );

  const allReady = async (): Promise<boolean> => Object.values(await readiness()).every((s) => s === 200);
  /** Waits for `more` flows to complete from now on: the load is running through the system. */
  const flowsComplete = async (more: number, description: string): Promise<void> => {
    const target = completedFlows + more;
    try {
      await waitFor(() => completedFlows >= target, { timeoutMs: 60_000, intervalMs: 100, description });
    } catch (error) {
      process.stdout.write(`${await deliveryState(system)}\n`);
      throw error;
    }
  };

  /** Flows on `concurrency` workers until `stop()` is true; every flow may take up to two minutes. */
  const load = (stop: () => boolean): Promise<FlowResult[]> =>
    pool(8, () => !stop(), async () => {
      const index = flowIndex++;
      const result = await runFlow(driver, index % 2 ? 'typed' : 'oauth', index % 2 ? typedConnectorId : oauthConnectorId, `outage-${index}`, 120_000);
      if (result.outcome === 'completed') completedFlows++;
      // A client does not retry in a tight loop: after a failure it waits until the system is ready.
      else if (!stop()) await waitFor(allReady, { timeoutMs: 120_000, intervalMs: 250, description: 'the system to be ready before the next flow' }).catch(() => undefined);
      return result;
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cb-outage-'));
    const [kafkaPort, controllerPort, pgPort] = (await freePorts(3)) as [number, number, number];
    kafkaEnv = { KAFKA_PORT: String(kafkaPort), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_DATA_DIR: join(dir, 'kafka') };
    postgresEnv = { PG_PORT: String(pgPort), PG_DATA_DIR: join(dir, 'postgres'), DATABASE_URL: undefined, PG_EXTRA_OPTS: 'fsync=off' };
    const [, databaseUrl] = await Promise.all([runInfraScript('kafka.sh', ['start'], kafkaEnv), runInfraScript('postgres.sh', ['start'], postgresEnv)]);
    system = await startProcessSystem({
      kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
      adminDatabaseUrl: databaseUrl,
      serviceEnv: { gateway: { RATE_LIMIT_CALLBACK: 'off', RATE_LIMIT_CONNECT_SESSIONS: 'off', RATE_LIMIT_SESSION_READS: 'off', RATE_LIMIT_CONNECT_DIALOG: 'off' } },
    });
    sandbox = await startSandboxProvider({ clients: [{ client_id: 'outage', client_secret: 'outage-secret', redirect_uris: [`${system.urls.gateway}/oauth/callback`] }] });
    const { apiKey } = await createWorkspace(system.databaseUrls.gateway, 'Outage Co');
    driver = { base: system.urls.gateway, apiKey };
    const connector = async (slug: string, config: Record<string, unknown>): Promise<string> => {
      const deadline = Date.now() + 30_000;
      const created = await patientCall<{ id: string }>(`${driver.base}/v1/connectors`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ slug, name: slug, config }), deadline });
      await patientCall(`${driver.base}/v1/connectors/${created.body.id}/activate`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, deadline });
      return created.body.id;
    };
    oauthConnectorId = await connector('outage-oauth', {
      mode: 'OAUTH2',
      authorizationUrl: sandbox.urls.authorization,
      tokenUrl: sandbox.urls.token,
      clientId: 'outage',
      clientSecret: 'outage-secret',
      scopes: ['openid', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
    typedConnectorId = await connector('outage-typed', { mode: 'API_KEY', headerName: 'X-Key' });
    await waitFor(async () => (await runFlow(driver, 'typed', typedConnectorId, 'warm-up', 20_000)).outcome === 'completed', { timeoutMs: 60_000, description: 'a first flow' });
  }, 300_000);

  afterAll(async () => {
    await sandbox?.stop();
    await system?.stop();
    await runInfraScript('kafka.sh', ['stop'], kafkaEnv).catch(() => undefined);
    await runInfraScript('postgres.sh', ['stop'], postgresEnv).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('Kafka stopped for a while: outboxes hold the events, then deliver every one; none lost or announced twice', async () => {
    let stop = false;
    const flows = load(() => stop);
    await flowsComplete(4, 'flows completing before the outage');
    await runInfraScript('kafka.sh', ['stop'], kafkaEnv);
    const stoppedAt = Date.now();
    const down = await waitFor(async () => {
      const r = await readiness();
      return r['oauth-authorization'] === 503 && r['token-issuance'] === 503 ? r : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250, description: 'the back-end services to report not ready' });
    const held = await waitFor(async () => ((await pendingOutbox()) > 0 ? pendingOutbox() : undefined), { timeoutMs: 30_000, description: 'events held in an outbox' });
    // The outage lasts until the flows in flight have written what they can: the held count stops growing.
    let last = -1;
    let unchanged = 0;
    const heldAtEnd = await waitFor(
      async () => {
        const now = await pendingOutbox();
        unchanged = now === last ? unchanged + 1 : 0;
        last = now;
        return unchanged >= 4 && now > 0 ? now : undefined;
      },
      { timeoutMs: 60_000, intervalMs: OUTAGE_MS / 10, description: 'the held events to stop growing while Kafka is down' },
    );
    const outageMs = Date.now() - stoppedAt;
    await runInfraScript('kafka.sh', ['start'], kafkaEnv);
    await waitFor(allReady, { timeoutMs: 60_000, intervalMs: 250, description: 'every service ready again' });
    await flowsComplete(4, 'flows completing after Kafka returns');
    stop = true;
    const results = await flows;
    await waitFor(async () => (await pendingOutbox()) === 0, { timeoutMs: 30_000, description: 'the outboxes to drain' });

    const counts = tally(results);
    const outbox = await withDb(system.databaseUrl, async (db) =>
      (await db.query<{ id: string; topic: string }>(`SELECT id::text, topic FROM oauth_authorization.outbox UNION ALL SELECT id::text, topic FROM token_issuance.outbox UNION ALL SELECT id::text, topic FROM connector_config.outbox`)).rows,
    );
    const collector = await collectMessages({ brokers: system.kafkaBrokers, topics: EVENT_CATALOG.filter((d) => d.producer !== 'token-refresh').map((d) => system.topic(d.topic)), fromBeginning: true });
    await waitFor(() => new Set(collector.messages.map((m) => m.headers.ce_id)).size >= outbox.length, { timeoutMs: 30_000, description: `${outbox.length} distinct events on Kafka` });
    await collector.stop();
    const seen = new Set(collector.messages.map((m) => m.headers.ce_id));
    const lostEvents = outbox.filter((row) => !seen.has(row.id));
    const connectsById = new Map<string, Set<string>>();
    for (const m of collector.messages.filter((x) => x.topic === system.topic(TokenIssued.topic))) {
      const payload = JSON.parse(m.value) as { connectionId: string; reason: string };
      if (payload.reason !== 'connect') continue;
      connectsById.set(payload.connectionId, (connectsById.get(payload.connectionId) ?? new Set()).add(m.headers.ce_id as string));
    }
    counts.duplicated = [...connectsById.values()].filter((ids) => ids.size > 1).length;
    process.stdout.write(
      formatCounts('Kafka outage', counts, {
        'outage ms': outageMs,
        'events held (first seen / at restart)': `${held} / ${heldAtEnd}`,
        'readiness while down': down,
        'events in outboxes': outbox.length,
        'events lost': lostEvents.length,
        'messages read (with redeliveries)': collector.messages.length,
      }),
    );
    expect(counts.lost).toBe(0);
    expect(counts.duplicated).toBe(0);
    expect(lostEvents).toEqual([]);
    expect(heldAtEnd).toBeGreaterThan(0);
    expect(counts.completed).toBe(counts.started);
    expect(counts.started).toBeGreaterThanOrEqual(16);
  }, 240_000);

  it('PostgreSQL restarted: every service reports not ready, recovers by itself, and no accepted request is left half done', async () => {
    let stop = false;
    const flows = load(() => stop);
    await flowsComplete(4, 'flows completing before the restart');
    await runInfraScript('postgres.sh', ['stop'], postgresEnv);
    const down = await waitFor(async () => {
      const r = await readiness();
      return Object.values(r).every((s) => s === 503) ? r : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250, description: 'every service to report not ready' });
    // Down until a client request has been refused for it, twice in a row.
    let refusals = 0;
    const duringOutage = await waitFor(
      async () => {
        const answer = await fetch(`${system.urls.gateway}/v1/connectors`, { headers: { authorization: `Bearer ${driver.apiKey}` } });
        refusals = answer.status === 503 ? refusals + 1 : 0;
        return refusals >= 2 ? answer : undefined;
      },
      { timeoutMs: 30_000, intervalMs: OUTAGE_MS / 10, description: 'client requests refused while PostgreSQL is down' },
    );
    await runInfraScript('postgres.sh', ['start'], postgresEnv);
    const restartedAt = Date.now();
    await waitFor(allReady, { timeoutMs: 60_000, intervalMs: 250, description: 'every service ready again by itself' });
    const recoveredMs = Date.now() - restartedAt;
    await flowsComplete(4, 'flows completing after the restart');
    stop = true;
    const results = await flows;
    const counts = tally(results);
    process.stdout.write(
      formatCounts('PostgreSQL restart', counts, { 'readiness while down': down, 'API status while down': duringOutage.status, 'ready again after ms': recoveredMs }),
    );
    process.stdout.write(`PostgreSQL restart, flows not completed: ${JSON.stringify(results.filter((r) => r.outcome !== 'completed').slice(0, 10))}\n`);
    expect(duringOutage.status).toBe(503);
    expect(duringOutage.headers.get('retry-after')).toBe('1');
    expect(failedRequests(system.logs(), 500)).toEqual([]);
    expect(counts.lost).toBe(0);
    // No route answers 500 while the database is away: a patient client retries the 503s and every
    // flow completes, or ends redemption_interrupted (the code was presented, the database went away
    // before the tokens were stored, and a code is never presented twice; the user connects again).
    expect(Object.keys(counts.failed).filter((reason) => reason !== 'redemption_interrupted')).toEqual([]);
    expect(counts.completed).toBeGreaterThan(0);
    const open = await withDb(system.databaseUrl, async (db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM oauth_authorization.connect_sessions WHERE status IN ('pending', 'authorized') AND end_user_id LIKE 'outage-%'`)).rows[0]?.n);
    expect(open).toBe(0);
  }, 240_000);
});

/** The services' log lines that say a request failed with `status`. */
function failedRequests(logs: string, status: number): string[] {
  return logs.split('\n').filter((line) => {
    if (!line.includes('"request failed"')) return false;
    const entry = JSON.parse(line) as { msg?: string; status?: number };
    return entry.msg === 'request failed' && entry.status === status;
  });
}
