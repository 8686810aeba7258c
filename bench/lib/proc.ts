/**
 * Per-process figures from /proc: CPU time (user + system, in seconds) and resident memory. A
 * scenario samples every process it cares about at its start and end; the difference, divided by
 * the scenario's wall time, is how many cores that process kept busy: the bottleneck is measured,
 * not guessed.
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux this runs on

export interface ProcTimes {
  /** utime + stime of the process itself, seconds. */
  self: number;
  /** cutime + cstime: children that exited and were reaped, seconds. */
  reapedChildren: number;
}

export function procTimes(pid: number): ProcTimes | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may contain spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const at = (n: number): number => Number(fields[n - 3] ?? 0); // field numbers as in proc(5)
  return { self: (at(14) + at(15)) / TICKS_PER_SECOND, reapedChildren: (at(16) + at(17)) / TICKS_PER_SECOND };
}

export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Resident set size in MiB (VmRSS), or undefined when the process is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Live children of a process (one level), from /proc. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (parentOf(Number(entry)) === pid) children.push(Number(entry));
  }
  return children;
}

/**
 * CPU seconds of a process tree rooted at `pid` (the PostgreSQL postmaster and its backends):
 * the root's own time, what its reaped children used, and each live child's time.
 */
export function treeCpuSeconds(pid: number): number | undefined {
  const root = procTimes(pid);
  if (!root) return undefined;
  let total = root.self + root.reapedChildren;
  for (const child of childrenOf(pid)) {
    const times = procTimes(child);
    if (times) total += times.self + times.reapedChildren;
  }
  return total;
}

/** What the kernel says a process is doing (state, wait channel, CPU ticks), for a process that stopped answering. */
export function processCondition(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8') || '-';
    return `state ${fields[0]}, waiting in ${wchan}, ${fields[11]} user and ${fields[12]} system ticks, ${fields[17]} threads`;
  } catch {
    return 'no longer in /proc';
  }
}
