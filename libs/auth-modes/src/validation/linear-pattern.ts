import { WrappedRE2 } from 're2-wasm/build/wasm/re2';

/** Compiled patterns kept; each holds WASM memory, so the cache is bounded and frees what it evicts. */
const MAX_CACHED = 256;
const cache = new Map<string, WrappedRE2>();

/**
 * Patterns that connector admins write run on end users' input when a session opens. JavaScript's
 * backtracking engine takes exponential time on patterns such as `(a+)+` and would stall every
 * workspace on the same process, so they run on RE2 instead: linear in the input, whatever the
 * pattern. RE2 has no lookaround and no backreferences; those patterns are refused when saved.
 *
 * @see https://github.com/google/re2/wiki/Syntax
 */
export function linearPatternProblem(source: string): string | undefined {
  const compiled = new WrappedRE2(wholly(source), false, false, false);
  try {
    return compiled.ok() ? undefined : compiled.error();
  } finally {
    compiled.delete();
  }
}

/**
 * True when `value` matches `source` in full. A pattern RE2 cannot compile (saved before patterns
 * were checked with RE2) matches nothing.
 */
export function matchesWholly(source: string, value: string): boolean {
  const compiled = compile(source);
  return compiled !== undefined && compiled.match(value, 0, true).index === 0;
}

function compile(source: string): WrappedRE2 | undefined {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  const compiled = new WrappedRE2(wholly(source), false, false, false);
  if (!compiled.ok()) {
    compiled.delete();
    return undefined;
  }
  if (cache.size >= MAX_CACHED) evictOldest();
  cache.set(source, compiled);
  return compiled;
}

function evictOldest(): void {
  const [oldest] = cache;
  if (oldest === undefined) return;
  cache.delete(oldest[0]);
  oldest[1].delete();
}

function wholly(source: string): string {
  return `^(?:${source})$`;
}
