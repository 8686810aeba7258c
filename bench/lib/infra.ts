/**
 * The benchmark's run: its own Kafka broker and PostgreSQL cluster (scripts/lib/local-infra.ts)
 * with data in .data/bench-run-<pid>/, and everything the run starts recorded in state.json so that
 * the run's end (or the next run, after a crash) stops exactly those processes.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { InfraOutput, InfraState, startKafkaAndPostgres, stopKafkaAndPostgres } from '../../scripts/lib/local-infra';
import { signalIfOurs, waitUntilGone } from '../../scripts/lib/processes';
import { abandonedRunDirs, freshRunDir, readRunState, writeRunState } from '../../scripts/lib/run-folder';

export { ROOT } from '../../scripts/lib/paths';

const RUN_PREFIX = 'bench-run-';

export interface RunState extends InfraState {
  ownerPid: number;
  /** Node processes the run spawned (services, sandbox, floor servers): pid and a marker in their command line. */
  children: Array<{ name: string; pid: number; marker: string }>;
  /** Set when everything was stopped and the folder was kept on purpose (logs, profiles). */
  finished?: boolean;
}

export function say(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// Quiet scripts: their stderr is quoted only when one fails.
const INFRA_OUTPUT: InfraOutput = { stderr: 'quote-on-failure', log: say };

export interface Infrastructure {
  state: RunState;
  kafkaBrokers: string;
  /** Admin URL (database `postgres`). */
  adminUrl: string;
}

export function newRunState(): RunState {
  const state: RunState = { ownerPid: process.pid, runDir: freshRunDir(RUN_PREFIX, ['logs']), children: [] };
  writeRunState(state);
  return state;
}

export async function startInfrastructure(state: RunState, pgOptions: string): Promise<Infrastructure> {
  const { kafkaBrokers, databaseUrl } = await startKafkaAndPostgres(state, pgOptions, INFRA_OUTPUT);
  return { state, kafkaBrokers, adminUrl: databaseUrl };
}

/** Stops the recorded children (SIGTERM, then SIGKILL), then Kafka and PostgreSQL through their scripts. */
export async function stopEverything(state: RunState, keepRunDir: boolean): Promise<void> {
  const children = state.children.filter((c) => signalIfOurs(c.pid, c.marker, 'SIGTERM'));
  await waitUntilGone(children.map((c) => c.pid), 10_000);
  for (const child of children) signalIfOurs(child.pid, child.marker, 'SIGKILL');
  await stopKafkaAndPostgres(state, INFRA_OUTPUT);
  if (keepRunDir) {
    rmSync(join(state.runDir, 'kafka'), { recursive: true, force: true });
    rmSync(join(state.runDir, 'postgres'), { recursive: true, force: true });
    state.finished = true;
    writeRunState(state);
  } else {
    rmSync(state.runDir, { recursive: true, force: true });
  }
}

/** Runs whose owner died without cleaning up (killed with SIGKILL): stop what they recorded. */
export async function cleanStaleRuns(): Promise<void> {
  for (const runDir of abandonedRunDirs(RUN_PREFIX)) {
    let state: RunState | undefined;
    try {
      state = readRunState<RunState>(runDir);
    } catch {
      continue;
    }
    if (!state || state.finished) continue;
    say(`cleaning up a stale run in ${runDir} (owner ${state.ownerPid} is gone)`);
    await stopEverything(state, false);
    rmSync(runDir, { recursive: true, force: true });
  }
}
