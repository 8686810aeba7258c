import { EventEmitter } from 'node:events';
import type { Consumer, TopicPartitionOffset } from 'kafkajs';
import { OffsetCommitter } from './offset-committer';

type FakeConsumer = Consumer & { commits: TopicPartitionOffset[][]; emitEvent(name: string, payload: object): void; failWith?: Error; hang?: boolean };

/** The part of a kafkajs consumer the committer uses: commitOffsets and the GROUP_JOIN event. */
function fakeConsumer(): FakeConsumer {
  const emitter = new EventEmitter();
  const consumer = {
    commits: [] as TopicPartitionOffset[][],
    failWith: undefined as Error | undefined,
    hang: false,
    events: { GROUP_JOIN: 'consumer.group_join' },
    on: (name: string, listener: (event: { payload: object }) => void) => emitter.on(name, listener),
    emitEvent: (name: string, payload: object) => emitter.emit(name, { payload }),
    commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
      if (consumer.hang) return new Promise(() => undefined);
      consumer.commits.push(offsets);
      return consumer.failWith ? Promise.reject(consumer.failWith) : Promise.resolve();
    },
  };
  return consumer as unknown as FakeConsumer;
}

describe('OffsetCommitter', () => {
  it('commits the offset after the last handled event of each partition, in one request, and nothing when nothing is new', async () => {
    const consumer = fakeConsumer();
    const committer = new OffsetCommitter(consumer, 60_000);
    committer.handled('t', 0, '4');
    committer.handled('t', 0, '5');
    committer.handled('t', 2, '9');
    await committer.commit();
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 0, offset: '6' }, { topic: 't', partition: 2, offset: '10' }]]);
    await committer.commit();
    expect(consumer.commits).toHaveLength(1);
  });

  it('keeps what a failed commit carried for the next one', async () => {
    const consumer = fakeConsumer();
    const committer = new OffsetCommitter(consumer, 60_000);
    committer.handled('t', 1, '3');
    consumer.failWith = new Error('The coordinator is loading');
    await committer.commit();
    consumer.failWith = undefined;
    await committer.commit();
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 1, offset: '4' }], [{ topic: 't', partition: 1, offset: '4' }]]);
  });

  it('forgets partitions a rebalance moved to another member', async () => {
    const consumer = fakeConsumer();
    const committer = new OffsetCommitter(consumer, 60_000);
    committer.start();
    committer.handled('t', 0, '1');
    committer.handled('t', 1, '1');
    consumer.emitEvent(consumer.events.GROUP_JOIN, { memberAssignment: { t: [1] } });
    await committer.stop();
    expect(consumer.commits).toEqual([[{ topic: 't', partition: 1, offset: '2' }]]);
  });

  it('stops without waiting longer than it was told for a commit the broker does not answer', async () => {
    const consumer = fakeConsumer();
    const committer = new OffsetCommitter(consumer, 60_000);
    committer.handled('t', 0, '1');
    consumer.hang = true;
    const started = Date.now();
    await committer.stop(50);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
