import { nextRetryDelay, parseRetrySchedule } from './retry-schedule';

describe('the webhook retry schedule', () => {
  it('reads durations with units', () => {
    expect(parseRetrySchedule('500ms, 5s,5m,2h')).toEqual([500, 5000, 300_000, 7_200_000]);
  });

  it('refuses a duration without a unit, an empty list, and more than 24 hours in all', () => {
    expect(() => parseRetrySchedule('5')).toThrow('"5" is not a duration');
    expect(() => parseRetrySchedule(' , ')).toThrow('at least one wait');
    expect(() => parseRetrySchedule('20h,5h')).toThrow('more than 24 hours');
  });

  it('the default schedule stays within 24 hours', () => {
    const total = parseRetrySchedule('5s,5m,30m,2h,5h,8h,8h').reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it('jitters each wait between 75% and 125% and ends when the schedule is used up', () => {
    const schedule = [1000, 60_000];
    expect(nextRetryDelay(schedule, 1, () => 0)).toBe(750);
    expect(nextRetryDelay(schedule, 1, () => 1)).toBe(1250);
    expect(nextRetryDelay(schedule, 2, () => 0.5)).toBe(60_000);
    expect(nextRetryDelay(schedule, 3)).toBeUndefined();
  });
});
