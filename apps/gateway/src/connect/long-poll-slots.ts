/**
 * How many long polls of one workspace may wait at once on this gateway instance. Each waiting poll
 * costs oauth-authorization a query every 200 ms; past the cap a poll is answered at once (as with
 * `waitSeconds=0`), which a polling client handles like a wait that ended early.
 */
export class LongPollSlots {
  private readonly waiting = new Map<string, number>();

  constructor(private readonly perWorkspace: number) {}

  /** Runs `wait` when the workspace has a free slot, else `now`. */
  async run<T>(workspaceId: string, wait: () => Promise<T>, now: () => Promise<T>): Promise<T> {
    const count = this.waiting.get(workspaceId) ?? 0;
    if (count >= this.perWorkspace) return now();
    this.waiting.set(workspaceId, count + 1);
    try {
      return await wait();
    } finally {
      const left = (this.waiting.get(workspaceId) ?? 1) - 1;
      if (left === 0) this.waiting.delete(workspaceId);
      else this.waiting.set(workspaceId, left);
    }
  }
}
