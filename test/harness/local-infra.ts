/**
 * Local infrastructure for one test run: a fresh Kafka broker and a fresh PostgreSQL cluster on free
 * ports in .data/test-run-<pid>/, started and stopped through scripts/infra/*.sh. What was started is
 * recorded in state.json so that teardown (or a later run, after a crash) stops exactly those pids.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
const DATA = join(ROOT, '.data');
const RUN_PREFIX = 'test-run-';

export interface LocalState {
  mode: 'local';
  runDir: string;
  kafka?: { pid: number; dataDir: string; port: number; controllerPort: number };
  postgres?: { pid: number; dataDir: string; port: number };
}

export function progress(message: string): void {
  process.stderr.write(`[harness] ${message}\n`);
}

export function runDirFor(pid: number): string {
  return join(DATA, `${RUN_PREFIX}${pid}`);
}

export function readState(runDir: string): LocalState | undefined {
  const file = join(runDir, 'state.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LocalState) : undefined;
}

function writeState(state: LocalState): void {
  writeFileSync(join(state.runDir, 'state.json'), JSON.stringify(state, null, 2));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie has exited
  } catch {
    return true;
  }
}

/** Free TCP ports on 127.0.0.1, all held open together so that they are distinct. */
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

/** Runs scripts/infra/<script> with extra env; stderr passes through, stdout is returned. */
export function runScript(script: string, args: string[], env: Record<string, string | undefined>): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn('bash', [join(ROOT, 'scripts/infra', script), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) =>
      code === 0 ? ok(out.trim()) : fail(new Error(`scripts/infra/${script} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

function kafkaEnv(k: NonNullable<LocalState['kafka']>): Record<string, string> {
  return { KAFKA_PORT: String(k.port), KAFKA_CONTROLLER_PORT: String(k.controllerPort), KAFKA_DATA_DIR: k.dataDir };
}

function postgresEnv(p: NonNullable<LocalState['postgres']>): Record<string, string | undefined> {
  return { PG_PORT: String(p.port), PG_DATA_DIR: p.dataDir, DATABASE_URL: undefined };
}

export async function startLocal(): Promise<{ state: LocalState; kafkaBrokers: string; databaseUrl: string }> {
  const runDir = runDirFor(process.pid);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const [kafkaPort, controllerPort, pgPort] = (await freePorts(3)) as [number, number, number];
  const kafka = { pid: 0, dataDir: join(runDir, 'kafka'), port: kafkaPort, controllerPort };
  const postgres = { pid: 0, dataDir: join(runDir, 'postgres'), port: pgPort };
  const state: LocalState = { mode: 'local', runDir, kafka, postgres };
  writeState(state);
  progress(`local mode: Kafka on 127.0.0.1:${kafkaPort}, PostgreSQL on 127.0.0.1:${pgPort}, in ${runDir}`);
  const [kafkaStarted, postgresStarted] = await Promise.allSettled([
    runScript('kafka.sh', ['start'], kafkaEnv(kafka)).then(() => {
      kafka.pid = Number(readFileSync(join(kafka.dataDir, 'kafka.pid'), 'utf8').trim());
      writeState(state);
    }),
    runScript('postgres.sh', ['start'], {
      ...postgresEnv(postgres),
      PG_EXTRA_OPTS: 'fsync=off synchronous_commit=off full_page_writes=off',
    }).then((url) => {
      postgres.pid = Number(readFileSync(join(postgres.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      writeState(state);
      return url;
    }),
  ]);
  if (kafkaStarted.status === 'rejected' || postgresStarted.status === 'rejected') {
    await stopLocal(state); // Jest runs no teardown when setup throws
    throw kafkaStarted.status === 'rejected' ? kafkaStarted.reason : (postgresStarted as PromiseRejectedResult).reason;
  }
  return { state, kafkaBrokers: `127.0.0.1:${kafkaPort}`, databaseUrl: postgresStarted.value };
}

/** SIGKILL a recorded pid that survived its stop, if it still is our process (its command line names dataDir). */
function killIfOurs(pid: number, dataDir: string, what: string): void {
  if (pid <= 0 || !isAlive(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmdline.includes(dataDir)) return;
  progress(`${what} pid ${pid} still alive after stop: SIGKILL`);
  process.kill(pid, 'SIGKILL');
}

/** Stops the processes recorded in the state (by their scripts, then by pid) and removes the run folder. */
export async function stopLocal(state: LocalState): Promise<void> {
  const { kafka, postgres } = state;
  await Promise.all([
    kafka && runScript('kafka.sh', ['stop'], kafkaEnv(kafka)).catch((e: Error) => progress(e.message)),
    postgres && runScript('postgres.sh', ['stop'], postgresEnv(postgres)).catch((e: Error) => progress(e.message)),
  ]);
  if (kafka) killIfOurs(kafka.pid, kafka.dataDir, 'Kafka');
  if (postgres) killIfOurs(postgres.pid, postgres.dataDir, 'PostgreSQL');
  rmSync(state.runDir, { recursive: true, force: true });
}

/** Stops and removes the run folders of earlier test runs whose Jest process no longer exists. */
export async function cleanStaleRuns(): Promise<void> {
  if (!existsSync(DATA)) return;
  for (const name of readdirSync(DATA)) {
    const pid = Number(name.slice(RUN_PREFIX.length));
    if (!name.startsWith(RUN_PREFIX) || !Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    const runDir = join(DATA, name);
    progress(`cleaning up after an earlier run that did not tear down: ${runDir}`);
    await stopLocal(readState(runDir) ?? { mode: 'local', runDir });
  }
}
