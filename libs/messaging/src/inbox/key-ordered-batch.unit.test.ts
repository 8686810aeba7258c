import type { KafkaMessage } from 'kafkajs';
import { handleInKeyOrder } from './key-ordered-batch';

function messages(keys: Array<string | null>): KafkaMessage[] {
  return keys.map((key, i) => ({ key: key === null ? null : Buffer.from(key), value: Buffer.from(''), offset: String(100 + i), timestamp: '0', attributes: 0, headers: {} }));
}

/** A handler whose calls finish only when the test says so, recording starts and ends. */
function gatedHandler() {
  const events: string[] = [];
  const gates = new Map<string, () => void>();
  let running = 0;
  let mostAtOnce = 0;
  const handle = (message: KafkaMessage): Promise<void> => {
    events.push(`start ${message.offset}`);
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    return new Promise((resolve) =>
      gates.set(message.offset, () => {
        running--;
        events.push(`end ${message.offset}`);
        resolve();
      }),
    );
  };
  const finish = async (offset: string): Promise<void> => {
    for (let i = 0; i < 100 && !gates.has(offset); i++) await new Promise((resolve) => setImmediate(resolve));
    const gate = gates.get(offset);
    if (!gate) throw new Error(`message ${offset} never started`);
    gates.delete(offset);
    gate();
  };
  return { events, handle, finish, mostAtOnce: () => mostAtOnce, started: () => [...gates.keys()] };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('handling a batch in key order', () => {
  it('overlaps different keys and starts a key\'s next message only after its previous one ended', async () => {
    const h = gatedHandler();
    const run = handleInKeyOrder(messages(['a', 'b', 'a', 'c']), 4, h.handle);
    await settle();
    expect(h.started().sort()).toEqual(['100', '101', '103']);
    await h.finish('101');
    await h.finish('103');
    await settle();
    expect(h.started()).toEqual(['100']);
    await h.finish('100');
    await h.finish('102');
    expect(await run).toEqual({ handledThrough: '103', failure: undefined });
    expect(h.events.indexOf('start 102')).toBeGreaterThan(h.events.indexOf('end 100'));
  });

  it('handles no more keys at once than asked', async () => {
    const h = gatedHandler();
    const batch = messages(['a', 'b', 'c', 'd', 'e', null, null]);
    const run = handleInKeyOrder(batch, 2, h.handle);
    for (const message of batch) await h.finish(message.offset);
    await run;
    expect(h.mostAtOnce()).toBe(2);
  });

  it('treats messages without a key as independent of each other', async () => {
    const h = gatedHandler();
    const run = handleInKeyOrder(messages([null, null, null]), 3, h.handle);
    await settle();
    expect(h.started().sort()).toEqual(['100', '101', '102']);
    for (const offset of ['102', '101', '100']) await h.finish(offset);
    expect((await run).handledThrough).toBe('102');
  });

  it('reports only the unbroken handled prefix when a handler fails, and starts nothing after the failure', async () => {
    const handled: string[] = [];
    const boom = new Error('dead-letter producer down');
    const run = await handleInKeyOrder(messages(['a', 'b', 'a', 'c']), 1, (message) => {
      if (message.offset === '101') return Promise.reject(boom);
      handled.push(message.offset);
      return Promise.resolve();
    });
    expect(run).toEqual({ handledThrough: '100', failure: boom });
    expect(handled).toEqual(['100', '102']);
  });

  it('stops before the next message when the consumer stops running', async () => {
    let running = true;
    const handled: string[] = [];
    const run = await handleInKeyOrder(
      messages(['a', 'a', 'a']),
      2,
      (message) => {
        handled.push(message.offset);
        running = false;
        return Promise.resolve();
      },
      () => running,
    );
    expect(handled).toEqual(['100']);
    expect(run.handledThrough).toBe('100');
  });
});
