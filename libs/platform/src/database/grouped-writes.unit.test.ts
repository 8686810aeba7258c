import { GroupedWrites } from './grouped-writes';

/** A write that stays under way until `finish` is called, recording each group it was given. */
function controlledWriter(): { groups: number[][]; finish: (error?: Error) => void; write: (items: number[]) => Promise<void> } {
  const groups: number[][] = [];
  const pending: Array<(error?: Error) => void> = [];
  return {
    groups,
    finish: (error) => pending.shift()?.(error),
    write: (items) =>
      new Promise<void>((resolve, reject) => {
        groups.push(items);
        pending.push((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const settled = (promise: Promise<void>): Promise<string> => promise.then(() => 'written', (error: Error) => error.message);
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('GroupedWrites', () => {
  it('writes an item alone at once, and the items that come meanwhile together next', async () => {
    const writer = controlledWriter();
    const writes = new GroupedWrites(writer.write);
    const first = writes.add(1);
    expect(writer.groups).toEqual([[1]]);
    const later = [writes.add(2), writes.add(3), writes.add(4)];
    expect(writer.groups).toEqual([[1]]);
    writer.finish();
    await first;
    await flush();
    expect(writer.groups).toEqual([[1], [2, 3, 4]]);
    writer.finish();
    await Promise.all(later);
    await writes.drained();
  });

  it("tells each caller its own group's outcome", async () => {
    const writer = controlledWriter();
    const writes = new GroupedWrites(writer.write);
    const first = settled(writes.add(1));
    const second = settled(writes.add(2));
    writer.finish(new Error('database away'));
    await flush();
    writer.finish();
    expect([await first, await second]).toEqual(['database away', 'written']);
  });

  it('keeps a group within its bound', async () => {
    const writer = controlledWriter();
    const writes = new GroupedWrites(writer.write, 2);
    const all = [1, 2, 3, 4, 5].map((n) => writes.add(n));
    for (let i = 0; i < 3; i++) {
      writer.finish();
      await flush();
    }
    await Promise.all(all);
    expect(writer.groups).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('drains: settles once everything added so far is written', async () => {
    const writer = controlledWriter();
    const writes = new GroupedWrites(writer.write);
    void writes.add(1);
    void writes.add(2);
    let drained = false;
    const draining = writes.drained().then(() => (drained = true));
    writer.finish();
    await flush();
    expect(drained).toBe(false);
    writer.finish();
    await draining;
    expect(writer.groups).toEqual([[1], [2]]);
  });
});
