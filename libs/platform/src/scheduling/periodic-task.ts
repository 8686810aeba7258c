/**
 * Runs `work` every `intervalMs`, one run at a time (a run that overlaps the next tick skips it),
 * the timer not keeping the process alive. `stop()` waits for the run under way, so a service stops
 * its tasks before its database connections close. A failed run goes to `onError`; the next one
 * comes on schedule.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** With `now`, the first run starts at once rather than after one interval. */
  start(options: { now?: boolean } = {}): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs).unref();
    if (options.now === true) void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running !== undefined || this.stopped) return;
    this.running = this.work().catch((error: unknown) => this.onError(error as Error));
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }
}
