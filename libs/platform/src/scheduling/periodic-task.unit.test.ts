import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs on each interval, never two runs at once, and stop waits for the run under way', async () => {
    let release: () => void = () => undefined;
    let runs = 0;
    const task = new PeriodicTask(
      () => {
        runs += 1;
        return new Promise<void>((resolve) => (release = resolve));
      },
      100,
      () => undefined,
    );
    task.start();
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(300);
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    await jest.advanceTimersByTimeAsync(500);
    expect(runs).toBe(1);
  });

  it('starts at once when asked, and hands a failed run to onError without stopping', async () => {
    const errors: string[] = [];
    let runs = 0;
    const task = new PeriodicTask(
      () => {
        runs += 1;
        return runs === 1 ? Promise.reject(new Error('database away')) : Promise.resolve();
      },
      100,
      (error) => errors.push(error.message),
    );
    task.start({ now: true });
    await jest.advanceTimersByTimeAsync(0);
    expect(errors).toEqual(['database away']);
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    await task.stop();
  });
});
