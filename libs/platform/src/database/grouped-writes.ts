interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Items written in groups with no timer: alone, an item is written at once; an item that comes
 * while a group is being written waits for the next group, which starts as soon as that one ends.
 * Under load one statement and one commit serve many items. Each caller learns its own group's
 * outcome, so a caller that must not answer before its row is durable still awaits it.
 */
export class GroupedWrites<T> {
  private waiting: Array<Waiting<T>> = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxGroup = 500,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /** Settles once everything added so far is written (or has failed). */
  async drained(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.maxGroup);
      try {
        await this.write(group.map((w) => w.item));
        for (const w of group) w.resolve();
      } catch (error) {
        for (const w of group) w.reject(error);
      }
    }
    this.writing = undefined;
  }
}
