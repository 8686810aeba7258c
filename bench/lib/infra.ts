/**
 * The benchmark's own Kafka broker and PostgreSQL cluster, started through scripts/infra/*.sh on
 * free ports with data in .data/bench-<pid>/, and everything the run starts recorded in
 * state.json so that the run's end (or the next run, after a crash) stops exactly those processes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { commandLine, processAlive } from './proc';

export const ROOT = resolve(__dirname, '../..');
export const DATA = join(ROOT, '.data');
const RUN_PREFIX = 'bench-run-';

export interface RunState {
  ownerPid: number;
  runDir: string;
  kafka?: { pid: number; dataDir: string; port: number; controllerPort: number };
  postgres?: { pid: number; dataDir: string; port: number };
  /** Node processes the run spawned (services, sandbox, floor servers): pid and a marker in their command line. */
  children: Array<{ name: string; pid: number; marker: string }>;
  /** Set when everything was stopped and the folder was kept on purpose (logs, profiles). */
  finished?: boolean;
}

export function say(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export function writeState(state: RunState): void {
  writeFileSync(join(state.runDir, 'state.json'), JSON.stringify(state, null, 2));
}

export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<ReturnType<typeof createServer>>((ok, fail) => {
        const server = createServer();
        server.once('error', fail);
        server.listen(0, '127.0.0.1', () => ok(server));
      }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

/** Runs scripts/infra/<script>; stderr is kept in `log`, stdout returned. DATABASE_URL is never passed on. */
export function runScript(script: string, args: string[], env: Record<string, string>, log: string[] = []): Promise<string> {
  return new Promise((ok, fail) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.DATABASE_URL;
    delete childEnv.KAFKA_BROKERS;
    const child = spawn('bash', [join(ROOT, 'scripts/infra', script), ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => (code === 0 ? ok(out.trim()) : fail(new Error(`scripts/infra/${script} ${args.join(' ')} exited with ${code}: ${log.join('').slice(-2000)}`))));
  });
}

function kafkaEnv(k: NonNullable<RunState['kafka']>): Record<string, string> {
  return { KAFKA_PORT: String(k.port), KAFKA_CONTROLLER_PORT: String(k.controllerPort), KAFKA_DATA_DIR: k.dataDir };
}

function postgresEnv(p: NonNullable<RunState['postgres']>, extraOpts: string): Record<string, string> {
  return { PG_PORT: String(p.port), PG_DATA_DIR: p.dataDir, PG_EXTRA_OPTS: extraOpts };
}

export interface Infrastructure {
  state: RunState;
  kafkaBrokers: string;
  /** Admin URL (database `postgres`). */
  adminUrl: string;
}

export function newRunState(): RunState {
  const runDir = join(DATA, `${RUN_PREFIX}${process.pid}`);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(join(runDir, 'logs'), { recursive: true });
  const state: RunState = { ownerPid: process.pid, runDir, children: [] };
  writeState(state);
  return state;
}

export async function startInfrastructure(state: RunState, pgOptions: string): Promise<Infrastructure> {
  const [kafkaPort, controllerPort, pgPort] = (await freePorts(3)) as [number, number, number];
  const kafka = { pid: 0, dataDir: join(state.runDir, 'kafka'), port: kafkaPort, controllerPort };
  const postgres = { pid: 0, dataDir: join(state.runDir, 'postgres'), port: pgPort };
  state.kafka = kafka;
  state.postgres = postgres;
  writeState(state);
  const [kafkaStarted, postgresStarted] = await Promise.allSettled([
    runScript('kafka.sh', ['start'], kafkaEnv(kafka)).then(() => {
      kafka.pid = Number(readFileSync(join(kafka.dataDir, 'kafka.pid'), 'utf8').trim());
      writeState(state);
    }),
    runScript('postgres.sh', ['start'], postgresEnv(postgres, pgOptions)).then((url) => {
      postgres.pid = Number(readFileSync(join(postgres.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      writeState(state);
      return url;
    }),
  ]);
  if (kafkaStarted.status === 'rejected') throw kafkaStarted.reason;
  if (postgresStarted.status === 'rejected') throw postgresStarted.reason;
  return { state, kafkaBrokers: `127.0.0.1:${kafkaPort}`, adminUrl: postgresStarted.value };
}

function killIfOurs(pid: number, marker: string, signal: NodeJS.Signals): boolean {
  if (pid <= 0 || !processAlive(pid)) return false;
  if (!commandLine(pid).includes(marker)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(processAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

/** Stops the recorded children (SIGTERM, then SIGKILL), then Kafka and PostgreSQL through their scripts. */
export async function stopEverything(state: RunState, keepRunDir: boolean): Promise<void> {
  const children = state.children.filter((c) => killIfOurs(c.pid, c.marker, 'SIGTERM'));
  await waitGone(children.map((c) => c.pid), 10_000);
  for (const child of children) killIfOurs(child.pid, child.marker, 'SIGKILL');
  const { kafka, postgres } = state;
  await Promise.all([
    kafka && runScript('kafka.sh', ['stop'], kafkaEnv(kafka)).catch((e: Error) => say(e.message)),
    postgres && runScript('postgres.sh', ['stop'], postgresEnv(postgres, '')).catch((e: Error) => say(e.message)),
  ]);
  if (kafka) killIfOurs(kafka.pid, kafka.dataDir, 'SIGKILL');
  if (postgres) killIfOurs(postgres.pid, postgres.dataDir, 'SIGKILL');
  if (keepRunDir) {
    rmSync(join(state.runDir, 'kafka'), { recursive: true, force: true });
    rmSync(join(state.runDir, 'postgres'), { recursive: true, force: true });
    state.finished = true;
    writeState(state);
  } else {
    rmSync(state.runDir, { recursive: true, force: true });
  }
}

/** Runs whose owner died without cleaning up (killed with SIGKILL): stop what they recorded. */
export async function cleanStaleRuns(): Promise<void> {
  if (!existsSync(DATA)) return;
  for (const entry of readdirSync(DATA)) {
    if (!entry.startsWith(RUN_PREFIX)) continue;
    const runDir = join(DATA, entry);
    const file = join(runDir, 'state.json');
    if (!existsSync(file)) continue;
    let state: RunState;
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as RunState;
    } catch {
      continue;
    }
    if (state.finished || state.ownerPid === process.pid || processAlive(state.ownerPid)) continue;
    say(`cleaning up a stale run in ${runDir} (owner ${state.ownerPid} is gone)`);
    await stopEverything(state, false);
    rmSync(runDir, { recursive: true, force: true });
  }
}
