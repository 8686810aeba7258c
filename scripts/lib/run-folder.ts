/**
 * A run's folder, .data/<prefix><pid>/, and its state.json: the record of what the run started,
 * written as soon as each pid is known, so that the run's end, or a later run after this one was
 * killed, stops exactly those processes.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR } from './paths';
import { processAlive } from './processes';

export function runDirFor(prefix: string, pid: number): string {
  return join(DATA_DIR, `${prefix}${pid}`);
}

/** This process's run folder, emptied, with the given subfolders. */
export function freshRunDir(prefix: string, subfolders: string[] = []): string {
  const runDir = runDirFor(prefix, process.pid);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  for (const folder of subfolders) mkdirSync(join(runDir, folder), { recursive: true });
  return runDir;
}

export function writeRunState(state: { runDir: string }): void {
  writeFileSync(join(state.runDir, 'state.json'), JSON.stringify(state, null, 2));
}

/** Undefined when the run recorded nothing; throws when state.json is not JSON. */
export function readRunState<T extends { runDir: string }>(runDir: string): T | undefined {
  const file = join(runDir, 'state.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

/** Folders of earlier runs whose process no longer exists: it was killed before it cleaned up. */
export function abandonedRunDirs(prefix: string): string[] {
  if (!existsSync(DATA_DIR)) return [];
  return readdirSync(DATA_DIR)
    .filter((name) => {
      const pid = Number(name.slice(prefix.length));
      return name.startsWith(prefix) && Number.isInteger(pid) && pid !== process.pid && !processAlive(pid);
    })
    .map((name) => join(DATA_DIR, name));
}
