/**
 * Phase 1 of the token lifecycle: the token-refresh service alone. Events are published straight to
 * the topics with CloudEvents headers, as token-issuance's outbox relay would publish them.
 */
import { randomUUID } from 'node:crypto';
import { ConnectionDeleted, ConnectionStatusChanged, TokenExpired, TokenExpiredPayload, TokenIssued } from '@cb/events';
import { DueTokenScheduler } from '../../apps/token-refresh/src/emit-due-tokens/due-token.scheduler';
import { claimDueQuery } from '../../apps/token-refresh/src/schedule/refresh-schedule.repository';
import { DEFAULT_MAX_UNANSWERED } from '../../apps/token-refresh/src/token-refresh.config';
import { startTokenRefresh } from '../../apps/token-refresh/src/token-refresh.app';
import { collectMessages, MessageCollector, uniqueName, waitFor } from '../harness';
import { freePort } from '../../scripts/lib/ports';
import { RunningSystem, startSystem } from '../support/system';
import { EventPublisher, eventPublisher, scheduleRow, tokenIssued, withDatabase } from './refresh-events';

const LEASE_SECONDS = 1;
const CAP_SECONDS = 4;
const POLL_MS = 200;

describe('token-refresh schedule', () => {
  let system: RunningSystem;
  let publisher: EventPublisher;
  let expired: MessageCollector;

  beforeAll(async () => {
    system = await startSystem({
      services: ['token-refresh'],
      serviceEnv: {
        'token-refresh': {
          REFRESH_POLL_INTERVAL_MS: String(POLL_MS),
          REFRESH_LEASE_SECONDS: String(LEASE_SECONDS),
          REFRESH_BACKOFF_CAP_SECONDS: String(CAP_SECONDS),
          REFRESH_BATCH_SIZE: '5',
        },
      },
    });
    publisher = await eventPublisher(system.kafkaBrokers, system.topicPrefix);
    expired = await collectMessages({ brokers: system.kafkaBrokers, topics: [system.topic(TokenExpired.topic)] });
  });

  afterAll(async () => {
    await expired?.stop();
    await publisher?.stop();
    await system?.stop();
  });

  const announced = (connectionId: string): TokenExpiredPayload[] =>
    expired.messages.map((m) => JSON.parse(m.value) as TokenExpiredPayload).filter((p) => p.connectionId === connectionId);

  const row = (connectionId: string) => withDatabase(system.databaseUrl, (c) => scheduleRow(c, connectionId));

  it('announces a short-lived refreshable token after half its lifetime, not at issue', async () => {
    const issued = tokenIssued({ lifetimeSeconds: 4, refreshMarginSeconds: 300 });
    await publisher.publish(TokenIssued, issued);

    const [first] = await waitFor(() => announced(issued.connectionId).length > 0 && announced(issued.connectionId), {
      timeoutMs: 15_000,
      description: 'TokenExpired(due)',
    });
    const afterIssueMs = Date.parse(first!.detectedAt) - Date.parse(issued.issuedAt);
    expect(first).toMatchObject({ reason: 'due', credentialVersion: 1, expiresAt: issued.expiresAt, workspaceId: issued.workspaceId });
    expect(afterIssueMs).toBeGreaterThanOrEqual(2000 - 50);
    expect(afterIssueMs).toBeLessThan(2000 + POLL_MS + 500);
    const message = expired.messages.find((m) => m.key === issued.connectionId)!;
    expect(message.headers).toMatchObject({ ce_type: TokenExpired.type, ce_source: '/credential-broker/token-refresh', ce_specversion: '1.0' });
  });

  it('announces a custom input credential with a lifetime as expired at its expiry, once', async () => {
    const issued = tokenIssued({ mode: 'CUSTOM', lifetimeSeconds: 3, refreshable: false, refreshMarginSeconds: 0 });
    await publisher.publish(TokenIssued, issued);

    const [event] = await waitFor(() => announced(issued.connectionId).length > 0 && announced(issued.connectionId), {
      timeoutMs: 15_000,
      description: 'TokenExpired(expired)',
    });
    const lateMs = Date.parse(event!.detectedAt) - Date.parse(issued.expiresAt!);
    expect(event!.reason).toBe('expired');
    expect(lateMs).toBeGreaterThanOrEqual(-50);
    expect(lateMs).toBeLessThan(POLL_MS + 500);
    // Off the schedule: announced once, token-issuance decides (needs_reconnect).
    expect(await row(issued.connectionId)).toMatchObject({ due_at: null, attempts: 1, last_reason: 'expired' });
  });

  it('backs off exponentially with jitter while nothing answers, and a newer credential resets the lease', async () => {
    const issued = tokenIssued({ lifetimeSeconds: 2 });
    await publisher.publish(TokenIssued, issued);

    const events = await waitFor(() => announced(issued.connectionId).length >= 4 && announced(issued.connectionId), {
      timeoutMs: 30_000,
      description: 'four unanswered TokenExpired',
    });
    const times = events.map((e) => Date.parse(e.detectedAt));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Lease 1 s, then 2 s, then 4 s (the cap), each plus up to 25 % jitter and one poll interval.
    expect(gaps[0]).toBeGreaterThanOrEqual(1000);
    expect(gaps[0]).toBeLessThan(1250 + POLL_MS + 300);
    expect(gaps[1]).toBeGreaterThanOrEqual(2000);
    expect(gaps[1]).toBeLessThan(2500 + POLL_MS + 300);
    expect(gaps[2]).toBeGreaterThanOrEqual(4000);
    expect(gaps[2]).toBeLessThan(5000 + POLL_MS + 300);
    expect(events.map((e) => e.reason)).toEqual(['due', 'expired', 'expired', 'expired']);
    const leased = await row(issued.connectionId);
    expect(leased!.attempt_times).toHaveLength(leased!.attempts);

    // token-issuance refreshed: version 2 with a minute to live resets attempts and the due time.
    const refreshed = tokenIssued({ ...issued, reason: 'refresh', credentialVersion: 2, issuedAt: new Date().toISOString(), lifetimeSeconds: 60 });
    refreshed.expiresAt = new Date(Date.parse(refreshed.issuedAt) + 60_000).toISOString();
    await publisher.publish(TokenIssued, refreshed);
    const reset = await waitFor(async () => {
      const r = await row(issued.connectionId);
      return r?.credential_version === 2 && r;
    }, { description: 'schedule reset by version 2' });
    expect(reset.attempts).toBe(0);
    expect(reset.due_at!.getTime()).toBe(Date.parse(refreshed.issuedAt) + 30_000);

    // A late TokenIssued of version 1 changes nothing.
    await publisher.publish(TokenIssued, { ...issued, issuedAt: new Date().toISOString() });

    // needs_reconnect for version 1 (overtaken by version 2) is ignored; for version 2 it unschedules.
    const ref = { connectionId: issued.connectionId, workspaceId: issued.workspaceId, connectorId: issued.connectorId, endUserId: issued.endUserId };
    await publisher.publish(ConnectionStatusChanged, { ...ref, status: 'needs_reconnect', previousStatus: 'active', errorCode: 'invalid_grant', reason: 'refresh rejected', credentialVersion: 1, changedAt: new Date().toISOString() });
    await publisher.publish(ConnectionStatusChanged, { ...ref, status: 'needs_reconnect', previousStatus: 'active', errorCode: 'invalid_grant', reason: 'refresh rejected', credentialVersion: 2, changedAt: new Date().toISOString() });
    const paused = await waitFor(async () => {
      const r = await row(issued.connectionId);
      return r?.status === 'needs_reconnect' && r;
    }, { description: 'needs_reconnect applied' });
    expect(paused).toMatchObject({ due_at: null, credential_version: 2 });

    await publisher.publish(ConnectionStatusChanged, { ...ref, status: 'active', previousStatus: 'needs_reconnect', reason: 'reconnected', credentialVersion: 2, changedAt: new Date().toISOString() });
    const resumed = await waitFor(async () => {
      const r = await row(issued.connectionId);
      return r?.status === 'active' && r;
    }, { description: 'back on the schedule' });
    expect(resumed.due_at!.getTime()).toBe(Date.parse(refreshed.issuedAt) + 30_000);

    await publisher.publish(ConnectionDeleted, { ...ref, revocation: 'revoked', deletedAt: new Date().toISOString() });
    await waitFor(async () => (await row(issued.connectionId)) === undefined, { description: 'schedule row removed' });
  });

  it('two instances split the due connections and announce each exactly once', async () => {
    const second = await startTokenRefresh({
      ...system.envFor('token-refresh'),
      REFRESH_POLL_INTERVAL_MS: String(POLL_MS),
      REFRESH_LEASE_SECONDS: String(LEASE_SECONDS),
      REFRESH_BACKOFF_CAP_SECONDS: String(CAP_SECONDS),
      REFRESH_BATCH_SIZE: '5',
      PORT: String(await freePort()),
      INSTANCE_ID: uniqueName('token-refresh-2'),
      LOG_LEVEL: 'warn',
    });
    try {
      const before = [system.app('token-refresh'), second].map((app) => app.get(DueTokenScheduler).stats.emitted);
      const workspaceId = randomUUID();
      const count = 300;
      // Non-refreshable rows are announced once and leave the schedule, so any double claim shows.
      await withDatabase(system.databaseUrl, (c) =>
        c.query(
          `INSERT INTO token_refresh.refresh_schedule (connection_id, workspace_id, connector_id, end_user_id, mode, credential_version, issued_at, expires_at, refreshable, refresh_margin_seconds, due_at)
           SELECT gen_random_uuid(), $1, gen_random_uuid(), 'u' || n, 'CUSTOM', 1, now(), now() + interval '1 second', false, 0, now() + interval '1 second'
           FROM generate_series(1, $2) AS n`,
          [workspaceId, count],
        ),
      );
      const mine = () => expired.messages.map((m) => JSON.parse(m.value) as TokenExpiredPayload).filter((p) => p.workspaceId === workspaceId);
      await waitFor(() => mine().length >= count, { timeoutMs: 30_000, description: `${count} TokenExpired` });
      await waitFor(
        async () => Number((await withDatabase(system.databaseUrl, (c) => c.query(`SELECT count(*) FROM token_refresh.refresh_schedule WHERE workspace_id = $1 AND due_at IS NOT NULL`, [workspaceId]))).rows[0].count) === 0,
        { description: 'every row claimed' },
      );
      const perConnection = new Map<string, number>();
      for (const p of mine()) perConnection.set(p.connectionId, (perConnection.get(p.connectionId) ?? 0) + 1);
      expect(perConnection.size).toBe(count);
      expect([...perConnection.values()].every((n) => n === 1)).toBe(true);
      const byInstance = [system.app('token-refresh'), second].map((app, i) => app.get(DueTokenScheduler).stats.emitted - before[i]!);
      // Other tests' connections may fall due meanwhile, hence at least.
      expect(byInstance[0]! + byInstance[1]!).toBeGreaterThanOrEqual(count);
      expect(byInstance[0]).toBeGreaterThan(0);
      expect(byInstance[1]).toBeGreaterThan(0);
      process.stdout.write(`two instances announced ${byInstance.join(' + ')} of ${count} due connections\n`);
    } finally {
      await second.close();
    }
  });

  it('a refresh service stopped while connections fall due announces every one of them after restart', async () => {
    const batch = Array.from({ length: 10 }, () => tokenIssued({ lifetimeSeconds: 8 }));
    for (const issued of batch) await publisher.publish(TokenIssued, issued);
    await waitFor(async () => (await Promise.all(batch.map((i) => row(i.connectionId)))).every(Boolean), { description: 'all scheduled' });
    await system.stopService('token-refresh');
    const stoppedAt = Date.now();
    try {
      // Wait (by the database clock) until every one of them is overdue while nothing runs.
      await waitFor(
        async () =>
          (await withDatabase(system.databaseUrl, (c) => c.query(`SELECT bool_and(due_at < now() - interval '1 second') AS overdue FROM token_refresh.refresh_schedule WHERE connection_id = ANY($1)`, [batch.map((i) => i.connectionId)]))).rows[0].overdue === true,
        { timeoutMs: 15_000, description: 'all overdue while stopped' },
      );
      expect(batch.every((i) => announced(i.connectionId).every((e) => Date.parse(e.detectedAt) < stoppedAt))).toBe(true);
    } finally {
      await system.startService('token-refresh', { REFRESH_POLL_INTERVAL_MS: String(POLL_MS), REFRESH_LEASE_SECONDS: '30', REFRESH_BATCH_SIZE: '5' });
    }
    await waitFor(() => batch.every((i) => announced(i.connectionId).length >= 1), { timeoutMs: 15_000, description: 'all announced after restart' });
    for (const issued of batch) expect(announced(issued.connectionId)).toHaveLength(1);
  });

  it('claims due rows through the due_at index: a million scheduled connections cost nothing extra', async () => {
    await withDatabase(system.databaseUrl, async (c) => {
      await c.query('CREATE SCHEMA scale');
      // Same columns; the migration's own indexes are built after the bulk load (much faster).
      // Unlogged: the plan and the pages read are the same, without writing a few hundred MB of WAL
      // that the next test files would wait behind.
      await c.query('CREATE UNLOGGED TABLE scale.refresh_schedule (LIKE token_refresh.refresh_schedule INCLUDING DEFAULTS)');
      const started = Date.now();
      // 1,000,000 connections due over the next 30 days, 200 of them overdue, a third off the schedule,
      // and 333 announced once and unanswered (in their first lease), which the claim counts.
      await c.query(
        `INSERT INTO scale.refresh_schedule (connection_id, workspace_id, connector_id, end_user_id, mode, credential_version, issued_at, expires_at, refreshable, refresh_margin_seconds, due_at, attempts)
         SELECT md5(n::text)::uuid, '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', 'u', 'OAUTH2', 1, now(), now() + interval '1 hour', true, 300,
                CASE WHEN n <= 200 THEN now() - n * interval '1 second'
                     WHEN n % 3 = 0 THEN NULL
                     ELSE now() + (n % 2592000) * interval '1 second' END,
                CASE WHEN n > 200 AND n <= 700 AND n % 3 <> 0 THEN 1 ELSE 0 END
         FROM generate_series(1, 1000000) AS n`,
      );
      const { rows: indexes } = await c.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'token_refresh' AND tablename = 'refresh_schedule'`);
      expect(indexes.map((i) => i.indexdef).join('\n')).toContain('(due_at) WHERE (due_at IS NOT NULL)');
      for (const { indexdef } of indexes) await c.query(indexdef.replace('ON token_refresh.refresh_schedule', 'ON scale.refresh_schedule'));
      await c.query('ANALYZE scale.refresh_schedule');
      const loadedMs = Date.now() - started;
      await c.query('BEGIN');
      const { rows } = await c.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${claimDueQuery('scale.refresh_schedule')}`, [100, DEFAULT_MAX_UNANSWERED]);
      await c.query('ROLLBACK');
      const { Plan: plan, 'Execution Time': executionMs } = rows[0]!['QUERY PLAN'][0];
      const nodes = flatten(plan);
      const scans = nodes.filter((n) => n['Relation Name'] === 'refresh_schedule');
      const scan = scans.find((n) => n['Index Name'] === 'refresh_schedule_due');
      const unanswered = scans.find((n) => n['Index Name'] === 'refresh_schedule_first_lease');
      const buffers = nodes.reduce((max, n) => Math.max(max, (n['Shared Hit Blocks'] ?? 0) + (n['Shared Read Blocks'] ?? 0)), 0);
      process.stdout.write(
        `1M rows loaded in ${loadedMs} ms; claim of 100 due: ${scans.map((n) => `${n['Node Type']} on ${n['Index Name']} (${n['Actual Rows']} rows)`).join(', ')}, ${buffers} buffers, ${executionMs.toFixed(2)} ms\n`,
      );
      expect(scans).toHaveLength(2);
      expect(scan?.['Node Type']).toBe('Index Scan');
      expect(scan!['Actual Rows']).toBeLessThanOrEqual(100);
      expect(unanswered?.['Node Type']).toMatch(/^Index (Only )?Scan$/);
      expect(unanswered!['Actual Rows']).toBe(333);
      expect(nodes.find((n) => n['Node Type'] === 'Limit')?.['Actual Rows']).toBe(100);
      expect(buffers).toBeLessThan(500);
      expect(executionMs).toBeLessThan(50);
      await c.query('DROP SCHEMA scale CASCADE');
    });
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}
