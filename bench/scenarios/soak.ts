/**
 * 7. Soak: a steady mixed load kept up for a long time (full: 10 minutes), watching whether any of
 * the five services grows. Concurrently: paced credential reads on the gateway by a few keep-alive
 * clients; the soak's connections made due again and again (one UPDATE of the refresh schedule per
 * round, each round waited until every connection is refreshed and rescheduled); and connect flows
 * one after another (the real OAuth flow against the sandbox, as scenario 1, waited until the
 * connection is active). The same load runs first as a warm-up, so lazy initialisation (pools,
 * compiled code, caches filling) is not counted as growth. Every service's RSS is sampled at the
 * start, periodically and at the end. There is no floor: the "floor" column holds the RSS at the
 * start (and the issue's 660 MiB target on the line of the most the five services held).
 */
import { ServiceName, SERVICES } from '../lib/system';
import type { BenchContext } from '../lib/context';
import { LoadResult, runLoad } from '../lib/load';
import { figure, progress, ScenarioResult, scenarioResult } from '../lib/report';
import { CpuReport, CpuSampler, memoryOf, round } from '../lib/sampler';
import { seedConnections } from '../lib/seed';
import { summarize } from '../lib/stats';
import { openConnectFlow } from './connect-latency';

/** Issue 11's memory target for the five services together on this machine. */
const FIVE_SERVICES_TARGET_MIB = 660;
const REFRESH_ROUND_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 30_000;
const KEPT_ERROR_MESSAGES = 10;

interface RssSample {
  seconds: number;
  rss: Record<ServiceName, number>;
}

interface Counters {
  refreshes: number;
  refreshRounds: number;
  connects: number;
  errors: string[];
}

const delay = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

export async function soak(ctx: BenchContext): Promise<ScenarioResult> {
  const s = ctx.settings;
  const seeded = await seedConnections(ctx.system, ctx.workspace, s.soakConnections, s.seedConcurrency, 'soak', '7 soak: seeding');
  const ids = seeded.connectionIds;
  await waitUntilScheduled(ctx, ids);

  const counters: Counters = { refreshes: 0, refreshRounds: 0, connects: 0, errors: [] };
  const connectMs: number[] = [];
  const stopping = { now: false };
  const loops = [refreshLoop(ctx, ids, counters, stopping), connectLoop(ctx, counters, connectMs, stopping)];

  const samples: RssSample[] = [];
  const sampler = new CpuSampler(() => ctx.watched(), ctx.infra.adminUrl);
  let measuredFrom = 0;
  const snapshot = (): { refreshes: number; refreshRounds: number; connects: number; connectTimes: number } => ({
    refreshes: counters.refreshes,
    refreshRounds: counters.refreshRounds,
    connects: counters.connects,
    connectTimes: connectMs.length,
  });
  let atStart = snapshot();
  let atEnd = atStart;
  let cpu: CpuReport;
  let sampling: NodeJS.Timeout | undefined;
  const sampleRss = (): void => {
    samples.push({ seconds: round((performance.now() - measuredFrom) / 1000, 1), rss: servicesRss(ctx) });
  };
  let reads: LoadResult;
  try {
    reads = await runLoad({
      concurrency: s.soakReadClients,
      warmupSeconds: s.soakWarmupSeconds,
      seconds: s.soakSeconds,
      paceMs: (1000 * s.soakReadClients) / s.soakReadsPerSecond,
      next: (w, i) => ({
        url: new URL(`${ctx.system.urls.gateway}/v1/connections/${ids[(w + i) % ids.length]}/credential`),
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.workspace.apiKey}`, 'content-type': 'application/json' },
        body: '{}',
      }),
      onMeasureStart: async () => {
        await sampler.start();
        measuredFrom = performance.now();
        atStart = snapshot();
        sampleRss();
        sampling = setInterval(sampleRss, s.soakSampleSeconds * 1000);
      },
      onTick: (done, phase) => progress(`7 soak: ${phase}, ${done} reads, ${counters.refreshes} refreshes, ${counters.connects} connects${samples.length ? `, ${fiveServices(samples.at(-1)?.rss)} MiB in the five services` : ''}`),
    });
    clearInterval(sampling);
    if (performance.now() - measuredFrom - samples.at(-1)!.seconds * 1000 > 1000) sampleRss();
    cpu = await sampler.stop();
    atEnd = snapshot();
  } finally {
    clearInterval(sampling);
    stopping.now = true;
    await Promise.all(loops);
  }
  const done = { refreshes: atEnd.refreshes - atStart.refreshes, refreshRounds: atEnd.refreshRounds - atStart.refreshRounds, connects: atEnd.connects - atStart.connects };
  const notActive = await connectionsNotActive(ctx, ids);
  if (notActive > 0) counters.errors.push(`${notActive} soak connections are no longer active (a grant revoked)`);
  if (reads.errors > 0) counters.errors.push(`${reads.errors} credential reads were not answered 200: ${JSON.stringify(reads.statuses)}`);
  if (counters.errors.length > 0) throw new Error(`7 soak: ${counters.errors.length} errors: ${counters.errors.slice(0, KEPT_ERROR_MESSAGES).join('; ')}`);

  const start = samples[0]!;
  const end = samples.at(-1)!;
  const growth = SERVICES.map((name) => growthOf(name, samples));
  const growing = growth.filter((g) => g.growing).map((g) => g.service);
  const mostOfFive = Math.max(...samples.map((x) => fiveServices(x.rss)));
  return scenarioResult({
    id: 'soak',
    title: `7 soak ${s.soakSeconds} s`,
    measures:
      `${s.soakSeconds} s (after ${s.soakWarmupSeconds} s of the same load as a warm-up) of, at once: credential reads on the gateway by ${s.soakReadClients} keep-alive clients paced to ${s.soakReadsPerSecond}/s in all; ` +
      `the ${ids.length} soak connections made due in one UPDATE of the refresh schedule at most every ${s.soakRefreshEverySeconds} s, each round waited until all are refreshed and rescheduled; ` +
      `one connect flow (connect session, login and consent at the sandbox, the callback, until the connection is active) at most every ${s.soakConnectEverySeconds} s. ` +
      `RSS of each service sampled every ${s.soakSampleSeconds} s. Broker column: RSS at the end; "floor" column: RSS at the start (on the line of the most the five held: the issue's ${FIVE_SERVICES_TARGET_MIB} MiB target).`,
    figures: [
      figure('RSS of the five services, end (broker) vs start (floor)', 'MiB', fiveServices(end.rss), fiveServices(start.rss), 'lower'),
      figure(`most RSS of the five services during the soak vs the ${FIVE_SERVICES_TARGET_MIB} MiB target`, 'MiB', mostOfFive, FIVE_SERVICES_TARGET_MIB, 'lower'),
      ...SERVICES.map((name) => figure(`RSS ${name}, end vs start`, 'MiB', end.rss[name], start.rss[name], 'lower')),
    ],
    details: {
      seconds: round(reads.seconds, 1),
      operations: { reads: reads.requests, ...done },
      readsPerSecond: round(reads.rps, 1),
      readLatencyMs: reads.latencyMs,
      connectMs: summarize(connectMs.slice(atStart.connectTimes, atEnd.connectTimes)),
      growth,
      servicesGrowing: growing,
      rssSamples: samples,
      seedSeconds: round(seeded.seconds, 1),
    },
    cpu,
    checks: { reads: reads.requests, refreshes: done.refreshes, connects: done.connects, errors: counters.errors.length, servicesGrowing: growing.length, fiveServicesRssMiB: round(mostOfFive, 1) },
  });
}

function servicesRss(ctx: BenchContext): Record<ServiceName, number> {
  const all = memoryOf(ctx.watched());
  return Object.fromEntries(SERVICES.map((name) => [name, all[name] ?? Number.NaN])) as Record<ServiceName, number>;
}

function fiveServices(rss: Record<ServiceName, number> | undefined): number {
  return rss ? round(SERVICES.reduce((sum, name) => sum + rss[name], 0), 1) : Number.NaN;
}

/**
 * A service grows when its RSS at the end is above its RSS at the start by more than
 * max(10 %, 16 MiB) AND it was still rising over the second half of the soak (least-squares slope
 * of the samples above zero). One comparison of two samples of a garbage-collected heap is noise:
 * V8 grows its heap in steps and gives memory back only after a major GC, so a service can sit
 * 10-20 MiB higher at any one instant without holding anything more. The margin is above that step;
 * the trend tells a heap that grew early and levelled off (no leak) from one that keeps climbing.
 */
function growthOf(service: ServiceName, samples: RssSample[]): { service: ServiceName; startMiB: number; endMiB: number; secondHalfMiBPerMinute: number; growing: boolean } {
  const startMiB = samples[0]!.rss[service];
  const endMiB = samples.at(-1)!.rss[service];
  const lastSecond = samples.at(-1)!.seconds;
  const secondHalf = samples.filter((x) => x.seconds >= lastSecond / 2);
  const slope = slopePerSecond(secondHalf.map((x) => [x.seconds, x.rss[service]] as const));
  const tolerance = Math.max(0.1 * startMiB, 16);
  return { service, startMiB, endMiB, secondHalfMiBPerMinute: round(slope * 60, 2), growing: endMiB - startMiB > tolerance && slope > 0 };
}

function slopePerSecond(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return 0;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return variance > 0 ? covariance / variance : 0;
}

async function waitUntilScheduled(ctx: BenchContext, ids: string[]): Promise<void> {
  await waitFor(
    async () => (await count(ctx, 'SELECT count(*)::int AS n FROM token_refresh.refresh_schedule WHERE connection_id = ANY($1) AND due_at IS NOT NULL', [ids])) === ids.length,
    REFRESH_ROUND_TIMEOUT_MS,
    'the soak connections did not all reach the refresh schedule',
  );
}

/** Rounds of refreshes until stopped: all connections due in one UPDATE, then waited until each is refreshed and rescheduled (a newer credential version, no attempt pending). */
async function refreshLoop(ctx: BenchContext, ids: string[], counters: Counters, stopping: { now: boolean }): Promise<void> {
  while (!stopping.now) {
    const roundStarted = performance.now();
    try {
      const { rows } = await ctx.db.query<{ connection_id: string; credential_version: number }>(
        'UPDATE token_refresh.refresh_schedule SET due_at = now() WHERE connection_id = ANY($1) RETURNING connection_id, credential_version',
        [ids],
      );
      const versions = [rows.map((r) => r.connection_id), rows.map((r) => r.credential_version)];
      const rescheduled = (): Promise<number> =>
        count(
          ctx,
          `SELECT count(*)::int AS n FROM token_refresh.refresh_schedule s JOIN unnest($1::uuid[], $2::int[]) AS due(id, version) ON s.connection_id = due.id
           WHERE s.credential_version > due.version AND s.attempts = 0`,
          versions,
        );
      await waitFor(async () => (await rescheduled()) === rows.length, REFRESH_ROUND_TIMEOUT_MS, `a refresh round of ${rows.length} connections did not complete`);
      counters.refreshes += rows.length;
      counters.refreshRounds++;
    } catch (error) {
      counters.errors.push(`refresh: ${(error as Error).message}`);
    }
    await delay(roundStarted + ctx.settings.soakRefreshEverySeconds * 1000 - performance.now());
  }
}

/** Connect flows one after another until stopped, each from the connect session until the connection is active in token-issuance. */
async function connectLoop(ctx: BenchContext, counters: Counters, connectMs: number[], stopping: { now: boolean }): Promise<void> {
  for (let i = 0; !stopping.now; i++) {
    const flowStarted = performance.now();
    try {
      const { connectionId, callbackUrl } = await openConnectFlow(ctx.system.urls.gateway, ctx.workspace, `soak-connect-${i}`);
      const t0 = performance.now();
      const callback = await fetch(callbackUrl, { redirect: 'manual' });
      await callback.text();
      if (callback.status !== 200) throw new Error(`callback answered ${callback.status}`);
      await waitFor(
        async () => (await count(ctx, `SELECT count(*)::int AS n FROM token_issuance.connections WHERE id = $1 AND status = 'active'`, [connectionId])) === 1,
        CONNECT_TIMEOUT_MS,
        `connection ${connectionId} not active`,
      );
      connectMs.push(performance.now() - t0);
      counters.connects++;
    } catch (error) {
      counters.errors.push(`connect: ${(error as Error).message}`);
    }
    await delay(flowStarted + ctx.settings.soakConnectEverySeconds * 1000 - performance.now());
  }
}

async function connectionsNotActive(ctx: BenchContext, ids: string[]): Promise<number> {
  return count(ctx, `SELECT count(*)::int AS n FROM token_issuance.connections WHERE id = ANY($1) AND status <> 'active'`, [ids]);
}

async function count(ctx: BenchContext, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await ctx.db.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, failure: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`${failure} within ${timeoutMs / 1000} s`);
    await delay(50);
  }
}
