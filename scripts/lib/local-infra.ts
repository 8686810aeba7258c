/**
 * The project's own Kafka broker and PostgreSQL cluster for one run, started and stopped through
 * scripts/infra/*.sh on free ports, with their data in the run's folder. Their ports, folders and
 * pids go into the run's state.json as soon as each is known.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths';
import { freePorts } from './ports';
import { signalIfOurs } from './processes';
import { writeRunState } from './run-folder';

export interface KafkaRecord {
  pid: number;
  dataDir: string;
  port: number;
  controllerPort: number;
}

export interface PostgresRecord {
  pid: number;
  dataDir: string;
  port: number;
}

/** What a run's state.json records of its infrastructure (pid 0 until the process is up). */
export interface InfraState {
  runDir: string;
  kafka?: KafkaRecord;
  postgres?: PostgresRecord;
}

/** A script's stderr: shown as it comes, or kept and quoted in the error should the script fail. */
export type ScriptStderr = 'inherit' | 'quote-on-failure';

export interface InfraOutput {
  stderr: ScriptStderr;
  log(message: string): void;
}

/**
 * Runs scripts/infra/<script> and resolves with its stdout. The caller's DATABASE_URL and
 * KAFKA_BROKERS are never passed on: with DATABASE_URL set, postgres.sh would manage nothing.
 */
export function runInfraScript(script: string, args: string[], env: Record<string, string | undefined>, stderr: ScriptStderr = 'inherit'): Promise<string> {
  return new Promise((ok, fail) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.DATABASE_URL;
    delete childEnv.KAFKA_BROKERS;
    const child = spawn('bash', [join(ROOT, 'scripts/infra', script), ...args], { env: childEnv, stdio: ['ignore', 'pipe', stderr === 'inherit' ? 'inherit' : 'pipe'] });
    let out = '';
    const kept: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => kept.push(chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => {
      if (code === 0) return ok(out.trim());
      const quoted = kept.length ? `: ${kept.join('').slice(-2000)}` : '';
      fail(new Error(`scripts/infra/${script} ${args.join(' ')} exited with ${code}${quoted}`));
    });
  });
}

function kafkaEnv(kafka: KafkaRecord): Record<string, string> {
  return { KAFKA_PORT: String(kafka.port), KAFKA_CONTROLLER_PORT: String(kafka.controllerPort), KAFKA_DATA_DIR: kafka.dataDir };
}

function postgresEnv(postgres: PostgresRecord): Record<string, string> {
  return { PG_PORT: String(postgres.port), PG_DATA_DIR: postgres.dataDir };
}

/**
 * Starts both at once in `state.runDir` (kafka/, postgres/), recording them in `state`.
 * `postgresOptions` are extra server settings (PG_EXTRA_OPTS, e.g. 'fsync=off'); '' keeps the
 * script's durable defaults. On failure, what did start is in `state` for the caller to stop.
 */
export async function startKafkaAndPostgres(state: InfraState, postgresOptions: string, output: InfraOutput): Promise<{ kafkaBrokers: string; databaseUrl: string }> {
  const [kafkaPort, controllerPort, pgPort] = (await freePorts(3)) as [number, number, number];
  const kafka: KafkaRecord = { pid: 0, dataDir: join(state.runDir, 'kafka'), port: kafkaPort, controllerPort };
  const postgres: PostgresRecord = { pid: 0, dataDir: join(state.runDir, 'postgres'), port: pgPort };
  state.kafka = kafka;
  state.postgres = postgres;
  writeRunState(state);
  output.log(`Kafka on 127.0.0.1:${kafkaPort}, PostgreSQL on 127.0.0.1:${pgPort}, in ${state.runDir}`);
  const [kafkaStarted, postgresStarted] = await Promise.allSettled([
    runInfraScript('kafka.sh', ['start'], kafkaEnv(kafka), output.stderr).then(() => {
      kafka.pid = Number(readFileSync(join(kafka.dataDir, 'kafka.pid'), 'utf8').trim());
      writeRunState(state);
    }),
    runInfraScript('postgres.sh', ['start'], { ...postgresEnv(postgres), PG_EXTRA_OPTS: postgresOptions }, output.stderr).then((url) => {
      postgres.pid = Number(readFileSync(join(postgres.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      writeRunState(state);
      return url;
    }),
  ]);
  if (kafkaStarted.status === 'rejected') throw kafkaStarted.reason;
  if (postgresStarted.status === 'rejected') throw postgresStarted.reason;
  return { kafkaBrokers: `127.0.0.1:${kafkaPort}`, databaseUrl: postgresStarted.value };
}

/** Stops what `state` records through the scripts, then SIGKILLs a recorded pid that survived. */
export async function stopKafkaAndPostgres(state: InfraState, output: InfraOutput): Promise<void> {
  const { kafka, postgres } = state;
  await Promise.all([
    kafka && runInfraScript('kafka.sh', ['stop'], kafkaEnv(kafka), output.stderr).catch((e: Error) => output.log(e.message)),
    postgres && runInfraScript('postgres.sh', ['stop'], postgresEnv(postgres), output.stderr).catch((e: Error) => output.log(e.message)),
  ]);
  for (const [what, record] of [['Kafka', kafka], ['PostgreSQL', postgres]] as const) {
    if (record && signalIfOurs(record.pid, record.dataDir, 'SIGKILL')) output.log(`${what} pid ${record.pid} still alive after stop: SIGKILL`);
  }
}
