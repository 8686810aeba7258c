/**
 * Processes as Linux's /proc sees them. A pid recorded by a run may belong to another process by
 * the time it is stopped, so it is signalled only while its command line still names what was
 * started (a data folder, a run folder).
 */
import { readFileSync } from 'node:fs';

/** False once the process has exited, even while it waits to be reaped (a zombie). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Its arguments joined by spaces; '' when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Sends `signal` only if the process is alive and its command line contains `marker`; true when sent. */
export function signalIfOurs(pid: number, marker: string, signal: NodeJS.Signals): boolean {
  if (pid <= 0 || !processAlive(pid)) return false;
  if (!commandLine(pid).includes(marker)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once none of the processes is alive, or after `timeoutMs`. */
export async function waitUntilGone(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(processAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * Polls `url` until it answers with a 2xx status, the process serving it stops running, or
 * `timeoutMs` passes; the caller names the failure with what it knows (log file, stderr).
 */
export async function waitUntilAnswering(url: string, running: () => boolean, timeoutMs: number): Promise<'answering' | 'exited' | 'timed out'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running()) return 'exited';
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return 'answering';
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return 'timed out';
}
