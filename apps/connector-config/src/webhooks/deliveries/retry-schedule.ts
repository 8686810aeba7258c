const MAX_TOTAL_MS = 24 * 60 * 60 * 1000;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `WEBHOOK_RETRY_SCHEDULE`: the waits between attempts, e.g. `5s,5m,30m,2h,5h,8h,8h` (about 23.6 hours
 * in all, within the 24 hours promised). Units ms, s, m, h; at most 24 hours in total.
 */
export function parseRetrySchedule(text: string): number[] {
  const waits = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (waits.length === 0) throw new Error('give at least one wait, e.g. 5s,5m,30m');
  const parsed = waits.map((wait) => {
    const match = /^(\d+)(ms|s|m|h)$/.exec(wait);
    if (!match) throw new Error(`"${wait}" is not a duration such as 500ms, 5s, 5m or 2h`);
    return Number(match[1]) * (UNITS[match[2] as string] as number);
  });
  if (parsed.reduce((sum, wait) => sum + wait, 0) > MAX_TOTAL_MS) throw new Error('the waits add up to more than 24 hours');
  return parsed;
}

/**
 * The wait before the next attempt after `failedAttempts` failed ones (counted since the delivery was
 * made or last replayed), or `undefined` when the schedule is used up. Full jitter on the upper
 * half (each wait lands between 75% and 125% of the scheduled one), so endpoints that failed together
 * are not retried together.
 */
export function nextRetryDelay(schedule: readonly number[], failedAttempts: number, random: () => number = Math.random): number | undefined {
  const wait = schedule[failedAttempts - 1];
  if (wait === undefined) return undefined;
  return Math.round(wait * (0.75 + random() * 0.5));
}
