/**
 * Reads `a.b.c` from parsed JSON, following own properties only (so `__proto__` or
 * `constructor` never resolve to anything inherited). Numeric segments index arrays.
 */
export function readPath(source: unknown, path: string): unknown {
  let current: unknown = source;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
