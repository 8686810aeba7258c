/**
 * `npm run bench -- [--quick] [--only 5,4,3,1,2,6,7] [--out file.json] [--service-env svc:NAME=value]
 *                  [--node-option svc:--cpu-prof] [--keep-logs] [--refresh-connections N] [--connect-flows N] [--read-seconds N]
 *                  [--soak-seconds N]`
 *
 * Starts the real system on this machine (its own Kafka and PostgreSQL through scripts/infra on
 * private ports under .data/bench-run-<pid>/, the five services from a compiled build as separate
 * processes, the sandbox OAuth provider), runs each scenario with its floor measured in the same
 * run, prints a table and writes a JSON report (bench-results/ by default). Everything it started
 * is stopped at the end, on Ctrl-C, and by the next run if this one was killed.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createKafka } from '@cb/messaging';
import { ensureBuild } from './lib/build';
import type { BenchContext, Settings } from './lib/context';
import { cleanStaleRuns, newRunState, ROOT, RunState, say, startInfrastructure, stopEverything } from './lib/infra';
import { endProgress, ScenarioResult, table, writeJson } from './lib/report';
import { CpuSampler, Watched } from './lib/sampler';
import { createWorkspace, waitForProjections } from './lib/seed';
import { ServiceName, SERVICES, startSystem } from './lib/system';
import { connectLatency } from './scenarios/connect-latency';
import { credentialReads } from './scenarios/credential-reads';
import { eventRelay } from './scenarios/event-relay';
import { proxyCalls } from './scenarios/proxy-calls';
import { refreshThroughput } from './scenarios/refresh-throughput';
import { scale } from './scenarios/scale';
import { soak } from './scenarios/soak';

const SCENARIOS: Array<{ key: string; name: string; run: (ctx: BenchContext) => Promise<ScenarioResult> }> = [
  { key: '5', name: 'event relay', run: eventRelay },
  { key: '4', name: 'scale', run: scale },
  { key: '3', name: 'credential reads', run: credentialReads },
  { key: '1', name: 'connect latency', run: connectLatency },
  { key: '2', name: 'refresh throughput', run: refreshThroughput },
  { key: '6', name: 'proxied calls', run: proxyCalls },
  { key: '7', name: 'soak', run: soak },
];

interface Args {
  quick: boolean;
  only: string[];
  out: string | undefined;
  serviceEnv: Partial<Record<ServiceName, Record<string, string>>>;
  nodeOptions: Partial<Record<ServiceName, string[]>>;
  keepLogs: boolean;
  overrides: Partial<Settings>;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: SCENARIOS.map((s) => s.key), out: undefined, serviceEnv: {}, nodeOptions: {}, keepLogs: false, overrides: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') args.quick = true;
    else if (arg === '--full') args.quick = false;
    else if (arg === '--only') args.only = value().split(',').map((s) => s.trim());
    else if (arg === '--out') args.out = value();
    else if (arg === '--keep-logs') args.keepLogs = true;
    else if (arg === '--service-env') {
      const match = /^([a-z-]+):([A-Z0-9_]+)=(.*)$/.exec(value());
      if (!match || !SERVICES.includes(match[1] as ServiceName)) throw new Error('--service-env takes <service>:<NAME>=<value>');
      const service = match[1] as ServiceName;
      args.serviceEnv[service] = { ...args.serviceEnv[service], [match[2] as string]: match[3] as string };
    } else if (arg === '--refresh-connections') args.overrides.refreshConnections = Number(value());
    else if (arg === '--connect-flows') args.overrides.connectFlows = Number(value());
    else if (arg === '--read-seconds') args.overrides.readSeconds = Number(value());
    else if (arg === '--soak-seconds') args.overrides.soakSeconds = Number(value());
    else if (arg === '--node-option') {
      const match = /^([a-z-]+):(--.+)$/.exec(value());
      if (!match || !SERVICES.includes(match[1] as ServiceName)) throw new Error('--node-option takes <service>:--<option>, e.g. token-issuance:--cpu-prof');
      const service = match[1] as ServiceName;
      args.nodeOptions[service] = [...(args.nodeOptions[service] ?? []), match[2] as string];
      args.keepLogs = true;
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${readFileSync(__filename, 'utf8').split('*/')[0]}*/\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return args;
}

function settingsFor(args: Args): Settings {
  const quick = args.quick;
  return {
    mode: quick ? 'quick' : 'full',
    connectFlows: quick ? 30 : 200,
    refreshConnections: quick ? 300 : 10_000,
    seedConcurrency: 4,
    refreshFloorRounds: 6,
    readConcurrency: 16,
    readWarmupSeconds: quick ? 2 : 5,
    readSeconds: quick ? 6 : 20,
    readConnections: 16,
    scaleSmallRows: 1000,
    scaleLargeRows: quick ? 100_000 : 1_000_000,
    scaleQueryRepeats: quick ? 20 : 50,
    relayEvents: quick ? 5000 : 50_000,
    relaySingleEvents: quick ? 20 : 100,
    relayBatchSize: 500,
    soakSeconds: quick ? 20 : 600,
    soakWarmupSeconds: quick ? 4 : 30,
    soakSampleSeconds: quick ? 2 : 10,
    soakConnections: quick ? 12 : 40,
    soakReadClients: 4,
    soakReadsPerSecond: 40,
    soakRefreshEverySeconds: quick ? 3 : 5,
    soakConnectEverySeconds: quick ? 1 : 2,
    schedulerBatchSize: 100,
    sandboxAccessTokenTtlSeconds: 3600,
    // The script's default: a durable cluster (fsync and synchronous_commit on), as in production.
    postgresOptions: '',
    scenarios: args.only,
    ...args.overrides,
  };
}

function kafkaVersion(): string {
  return /KAFKA_VERSION=([\w.]+)/.exec(readFileSync(join(ROOT, 'scripts/infra/kafka.sh'), 'utf8'))?.[1] ?? 'unknown';
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const settings = settingsFor(args);
  const startedAt = new Date();
  const loadBefore = loadavg();
  await cleanStaleRuns();
  ensureBuild();
  const state: RunState = newRunState();
  let stopping: Promise<void> | undefined;
  let failed = false;
  const cleanup = (): Promise<void> => (stopping ??= stopEverything(state, failed || args.keepLogs));
  const onSignal = (signal: NodeJS.Signals): void => {
    say(`${signal}: stopping everything the benchmark started`);
    failed = true;
    void cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: ScenarioResult[] = [];
  const errors: Array<{ scenario: string; error: string }> = [];
  let report: Record<string, unknown> = {};
  let pool: Pool | undefined;
  try {
    say(`${settings.mode} run; run folder ${state.runDir}`);
    const infra = await startInfrastructure(state, settings.postgresOptions);
    const system = await startSystem(state, infra, { serviceEnv: args.serviceEnv, nodeOptions: args.nodeOptions, sandboxAccessTokenTtlSeconds: settings.sandboxAccessTokenTtlSeconds });
    pool = new Pool({ connectionString: system.databaseUrl, max: 8, application_name: 'bench-driver' });
    const workspace = await createWorkspace(system);
    await waitForProjections(pool, workspace.connectorId);
    const kafka = createKafka('bench-driver', system.kafkaBrokers);
    const extraWatched: Watched[] = [];
    let counter = 0;
    const ctx: BenchContext = {
      settings,
      state,
      infra,
      system,
      db: pool,
      kafka,
      workspace,
      extraWatched,
      unique: (prefix) => `${prefix}-${process.pid}-${++counter}`,
      watched: () => [
        ...SERVICES.map((name) => ({ name, pid: system.pids[name] })),
        { name: 'sandbox-provider', pid: system.sandbox.pid },
        { name: 'kafka', pid: state.kafka?.pid ?? 0 },
        { name: 'postgres', pid: state.postgres?.pid ?? 0, tree: true },
        { name: 'benchmark driver', pid: process.pid },
        ...extraWatched,
      ],
    };
    const { rows } = await pool.query<{ version: string }>('SELECT version()');
    const machine = {
      cpuModel: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      freeMemoryGiBAtStart: Math.round((freemem() / 2 ** 30) * 10) / 10,
      os: `${osType()} ${release()}`,
      node: process.version,
      kafka: kafkaVersion(),
      postgres: rows[0]?.version ?? 'unknown',
      loadAverageAtStart: loadBefore.map((v) => Math.round(v * 100) / 100),
    };
    report = { startedAt: startedAt.toISOString(), machine, settings, serviceEnv: args.serviceEnv, results, errors };
    // What the system costs doing nothing: scheduler ticks, relay safety polls, consumers' fetches.
    const idle = new CpuSampler(() => ctx.watched(), infra.adminUrl);
    await idle.start();
    await new Promise((r) => setTimeout(r, (args.quick ? 3 : 10) * 1000));
    report.idleCpu = await idle.stop();

    for (const scenario of SCENARIOS.filter((s) => args.only.includes(s.key))) {
      say(`scenario ${scenario.key}: ${scenario.name}`);
      const t0 = performance.now();
      try {
        const result = await scenario.run(ctx);
        endProgress();
        results.push(result);
        say(`scenario ${scenario.key} done in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${result.figures[0]?.name} ${result.figure} ${result.unit} vs floor ${result.floor} (${result.ratio}x)`);
      } catch (error) {
        endProgress();
        failed = true;
        errors.push({ scenario: scenario.name, error: (error as Error).stack ?? String(error) });
        say(`scenario ${scenario.key} failed: ${(error as Error).message}`);
      }
    }
    report.finishedAt = new Date().toISOString();
    (report.machine as Record<string, unknown>).loadAverageAtEnd = loadavg().map((v) => Math.round(v * 100) / 100);
  } catch (error) {
    failed = true;
    errors.push({ scenario: 'setup', error: (error as Error).stack ?? String(error) });
    say(`failed: ${(error as Error).message}`);
  } finally {
    await pool?.end().catch(() => undefined);
    say('stopping the services, Kafka and PostgreSQL');
    await cleanup();
    report.stoppedPids = state.children.map((c) => c.pid).concat(state.kafka?.pid ?? [], state.postgres?.pid ?? []);
  }
  const out = args.out ?? join(ROOT, 'bench-results', `${startedAt.toISOString().replace(/[:.]/g, '-')}-${settings.mode}.json`);
  writeJson(out, { ...report, results, errors });
  process.stdout.write(`\n${table(results)}\n\nratio: how many times the floor's cost the broker pays (time/time, or floor rate/broker rate); above 1 is slower.\n`);
  for (const r of results) process.stdout.write(`${r.title}: busiest during the broker's part: ${r.bottleneck}\n`);
  process.stdout.write(`\nreport: ${out}\n`);
  if (errors.length) process.stdout.write(`\n${errors.length} scenario(s) failed; logs kept in ${state.runDir}/logs\n`);
  return errors.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
