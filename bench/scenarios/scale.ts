/**
 * 4. Scale: the token-refresh schedule with a small and a large number of stored connections
 * (rows made with generate_series, due over the next day so the live scheduler leaves them alone).
 * At each size: the scheduler's own claim query (claimDueQuery from apps/token-refresh, FOR UPDATE
 * SKIP LOCKED, LIMIT = its batch size, less the connections announced and unanswered beyond its
 * default bound) finding a batch of due rows, timed from the client inside a
 * transaction that added the due batch and is rolled back; the live scheduler picking up a
 * committed batch; and every process's resident memory. The "floor" is the small table.
 */
import { randomUUID } from 'node:crypto';
import { claimDueQuery } from '../../apps/token-refresh/src/schedule/refresh-schedule.repository';
import { DEFAULT_MAX_UNANSWERED } from '../../apps/token-refresh/src/token-refresh.config';
import type { BenchContext } from '../lib/context';
import { figure, progress, ScenarioResult, scenarioResult } from '../lib/report';
import { CpuReport, CpuSampler, memoryOf } from '../lib/sampler';
import { median, percentile } from '../lib/stats';

const TABLE = '"token_refresh".refresh_schedule';
const CHUNK = 100_000;

interface SizeFigures {
  rows: number;
  claimMs: number[];
  explain: { executionMs: number; plan: string; sharedHit: number; sharedRead: number };
  pickupMs: number;
  rss: Record<string, number>;
  cpu: CpuReport;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function scale(ctx: BenchContext): Promise<ScenarioResult> {
  const workspaceId = randomUUID();
  const connectorId = randomUUID();
  const batch = ctx.settings.schedulerBatchSize;
  let stored = 0;

  const grow = async (target: number): Promise<void> => {
    while (stored < target) {
      const rows = Math.min(CHUNK, target - stored);
      await ctx.db.query(
        `INSERT INTO ${TABLE} (connection_id, workspace_id, connector_id, end_user_id, mode, credential_version, issued_at, expires_at,
                               refreshable, refresh_margin_seconds, status, due_at)
         SELECT gen_random_uuid(), $1, $2, 'scale-' || g, 'OAUTH2', 1, now(), due + interval '300 seconds', true, 300, 'active', due
         FROM (SELECT g, now() + interval '1 hour' + (g % 86400) * interval '1 second' AS due FROM generate_series($3::int, $4::int) g) r`,
        [workspaceId, connectorId, stored + 1, stored + rows],
      );
      stored += rows;
      progress(`4 scale: ${stored.toLocaleString('en-US')}/${target.toLocaleString('en-US')} schedule rows stored`);
    }
    await ctx.db.query(`ANALYZE ${TABLE}`);
  };

  const dueBatchSql = `INSERT INTO ${TABLE} (connection_id, workspace_id, connector_id, end_user_id, mode, credential_version, issued_at, expires_at,
                                             refreshable, refresh_margin_seconds, status, due_at)
                       SELECT gen_random_uuid(), $1, $2, 'scale-due-' || g, 'OAUTH2', 1, now(), now() + interval '1 hour', true, 300, 'active', now() - interval '1 second'
                       FROM generate_series(1, $3::int) g`;

  const measure = async (rows: number): Promise<SizeFigures> => {
    const sampler = new CpuSampler(() => ctx.watched(), ctx.infra.adminUrl);
    await sampler.start();
    const claimMs: number[] = [];
    const client = await ctx.db.connect();
    let explain: SizeFigures['explain'];
    try {
      for (let i = 0; i < ctx.settings.scaleQueryRepeats; i++) {
        await client.query('BEGIN');
        await client.query(dueBatchSql, [workspaceId, connectorId, batch]);
        const t0 = performance.now();
        const claimed = await client.query(claimDueQuery(TABLE), [batch, DEFAULT_MAX_UNANSWERED]);
        claimMs.push(performance.now() - t0);
        await client.query('ROLLBACK');
        if (claimed.rowCount !== batch) throw new Error(`claim query found ${claimed.rowCount} rows, expected ${batch}`);
        progress(`4 scale: ${rows.toLocaleString('en-US')} rows, claim query ${i + 1}/${ctx.settings.scaleQueryRepeats}`);
      }
      await client.query('BEGIN');
      await client.query(dueBatchSql, [workspaceId, connectorId, batch]);
      const { rows: planRows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode; 'Execution Time': number }> }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${claimDueQuery(TABLE)}`,
        [batch, DEFAULT_MAX_UNANSWERED],
      );
      await client.query('ROLLBACK');
      const top = planRows[0]!['QUERY PLAN'][0]!;
      explain = { executionMs: top['Execution Time'], plan: describePlan(top.Plan), sharedHit: sumBuffers(top.Plan, 'Shared Hit Blocks'), sharedRead: sumBuffers(top.Plan, 'Shared Read Blocks') };
    } finally {
      client.release();
    }
    // The live scheduler: commit one batch of due rows and time until it has leased all of them.
    const marker = `pickup-${randomUUID()}`;
    const t0 = performance.now();
    await ctx.db.query(dueBatchSql.replace("'scale-due-' || g", `'${marker}'`), [workspaceId, connectorId, batch]);
    for (;;) {
      const { rows: left } = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE} WHERE end_user_id = $1 AND attempts = 0`, [marker]);
      if (left[0]!.n === 0) break;
      if (performance.now() - t0 > 60_000) throw new Error('the scheduler did not pick up the due batch within 60 s');
      await delay(10);
    }
    const pickupMs = performance.now() - t0;
    await ctx.db.query(`DELETE FROM ${TABLE} WHERE end_user_id = $1`, [marker]);
    await delay(1000); // let every service settle before reading memory
    const rss = memoryOf(ctx.watched());
    const cpu = await sampler.stop();
    return { rows, claimMs, explain, pickupMs, rss, cpu };
  };

  try {
    await grow(ctx.settings.scaleSmallRows);
    const small = await measure(stored);
    await grow(ctx.settings.scaleLargeRows);
    await delay(2000); // a few scheduler ticks over the large table
    const large = await measure(stored);

    const services = ['gateway', 'connector-config', 'oauth-authorization', 'token-issuance', 'token-refresh'];
    const totalRss = (r: Record<string, number>): number => services.reduce((sum, s) => sum + (r[s] ?? 0), 0);
    const sortedLarge = [...large.claimMs].sort((a, b) => a - b);
    const sortedSmall = [...small.claimMs].sort((a, b) => a - b);
    const label = (n: number): string => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));
    return scenarioResult({
      id: 'scale',
      title: `4 scale ${label(large.rows)} vs ${label(small.rows)}`,
      measures:
        `The scheduler's claim query (LIMIT ${batch}, FOR UPDATE SKIP LOCKED) over the refresh schedule with ${large.rows.toLocaleString('en-US')} rows, against the same with ${small.rows.toLocaleString('en-US')} rows (the floor). ` +
        'Claim: client-side time of the query alone, inside a transaction that inserted one due batch, then rolled back. Pickup: from committing a due batch until the live scheduler has leased all of it (includes its poll interval). RSS: resident memory of each process after the measurements.',
      figures: [
        figure('claim query p50', 'ms', median(large.claimMs), median(small.claimMs), 'lower'),
        figure('claim query p99', 'ms', percentile(sortedLarge, 99), percentile(sortedSmall, 99), 'lower'),
        figure('claim query in the server (EXPLAIN ANALYZE)', 'ms', large.explain.executionMs, small.explain.executionMs, 'lower'),
        figure('live scheduler picks up a due batch', 'ms', large.pickupMs, small.pickupMs, 'lower'),
        figure('RSS of the five services', 'MiB', totalRss(large.rss), totalRss(small.rss), 'lower'),
        ...services.map((s) => figure(`RSS ${s}`, 'MiB', large.rss[s] ?? Number.NaN, small.rss[s] ?? Number.NaN, 'lower')),
      ],
      details: {
        small: { rows: small.rows, explain: small.explain, rss: small.rss, claimMs: sortedSmall.map((v) => Math.round(v * 100) / 100) },
        large: { rows: large.rows, explain: large.explain, rss: large.rss, claimMs: sortedLarge.map((v) => Math.round(v * 100) / 100) },
        batch,
      },
      cpu: large.cpu,
      floorCpu: small.cpu,
      checks: { indexUsed: /Index/.test(large.explain.plan) },
    });
  } finally {
    progress('4 scale: removing the generated rows', true);
    await ctx.db.query(`DELETE FROM ${TABLE} WHERE workspace_id = $1`, [workspaceId]);
    await ctx.db.query(`VACUUM ANALYZE ${TABLE}`);
  }
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

function describePlan(node: PlanNode): string {
  const here = node['Index Name'] ? `${node['Node Type']} using ${node['Index Name']}` : node['Node Type'];
  const below = (node.Plans ?? []).map(describePlan);
  return below.length ? `${here} <- ${below.join(', ')}` : here;
}

function sumBuffers(node: PlanNode, key: string): number {
  const own = typeof node[key] === 'number' ? (node[key]) : 0;
  return node.Plans?.length ? Math.max(own, ...node.Plans.map((p) => sumBuffers(p, key))) : own;
}
