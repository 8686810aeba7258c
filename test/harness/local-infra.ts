/**
 * Local infrastructure for one test run: a fresh Kafka broker and PostgreSQL cluster
 * (scripts/lib/local-infra.ts) in .data/test-run-<pid>/, recorded in its state.json so that teardown
 * (or a later run, after a crash) stops exactly those pids.
 */
import { rmSync } from 'node:fs';
import { InfraOutput, InfraState, startKafkaAndPostgres, stopKafkaAndPostgres } from '../../scripts/lib/local-infra';
import { abandonedRunDirs, freshRunDir, readRunState, runDirFor } from '../../scripts/lib/run-folder';

const RUN_PREFIX = 'test-run-';

export interface LocalState extends InfraState {
  mode: 'local';
}

export function progress(message: string): void {
  process.stderr.write(`[harness] ${message}\n`);
}

const INFRA_OUTPUT: InfraOutput = { stderr: 'inherit', log: progress };

export function testRunDirFor(pid: number): string {
  return runDirFor(RUN_PREFIX, pid);
}

export function readState(runDir: string): LocalState | undefined {
  return readRunState<LocalState>(runDir);
}

export async function startLocal(): Promise<{ state: LocalState; kafkaBrokers: string; databaseUrl: string }> {
  const state: LocalState = { mode: 'local', runDir: freshRunDir(RUN_PREFIX) };
  const started = await startKafkaAndPostgres(state, 'fsync=off synchronous_commit=off full_page_writes=off', INFRA_OUTPUT).catch(async (error: unknown) => {
    await stopLocal(state); // Jest runs no teardown when setup throws
    throw error;
  });
  return { state, ...started };
}

/** Stops the processes recorded in the state (by their scripts, then by pid) and removes the run folder. */
export async function stopLocal(state: LocalState): Promise<void> {
  await stopKafkaAndPostgres(state, INFRA_OUTPUT);
  rmSync(state.runDir, { recursive: true, force: true });
}

/** Stops and removes the run folders of earlier test runs whose Jest process no longer exists. */
export async function cleanStaleRuns(): Promise<void> {
  for (const runDir of abandonedRunDirs(RUN_PREFIX)) {
    progress(`cleaning up after an earlier run that did not tear down: ${runDir}`);
    await stopLocal(readState(runDir) ?? { mode: 'local', runDir });
  }
}
