import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { ServiceMetrics } from '@cb/platform';
import { InboxMetrics } from './inbox.metrics';

/** The part of a kafkajs consumer the lag follows: its instrumentation events. */
function fakeConsumer(): Consumer & { emitEvent(name: string, payload: object): void } {
  const emitter = new EventEmitter();
  const events = { END_BATCH_PROCESS: 'consumer.end_batch_process', GROUP_JOIN: 'consumer.group_join' };
  return {
    events,
    on: (name: string, listener: (event: { payload: object }) => void) => emitter.on(name, listener),
    emitEvent: (name: string, payload: object) => emitter.emit(name, { payload }),
  } as unknown as Consumer & { emitEvent(name: string, payload: object): void };
}

async function lagSeries(metrics: ServiceMetrics): Promise<Array<{ labels: object; value: number }>> {
  const lag = await metrics.registry.getSingleMetric('credential_broker_kafka_consumer_lag')?.get();
  return (lag?.values ?? []).map(({ labels, value }) => ({ labels, value }));
}

/** One series' value; `series` picks a histogram's `_count` or `_sum`. */
async function sampleOf(metrics: ServiceMetrics, name: string, labels: Record<string, string>, series = ''): Promise<number | undefined> {
  const values = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  const matches = (sample: { labels: object; metricName?: string }): boolean =>
    (sample.metricName ?? name) === `${name}${series}` && Object.entries(labels).every(([key, value]) => (sample.labels as Record<string, unknown>)[key] === value);
  return values.find(matches)?.value;
}

describe('InboxMetrics', () => {
  it('reports each partition’s lag after a batch, by topic without the prefix, and drops partitions a rebalance moved away', async () => {
    const metrics = new ServiceMetrics('svc');
    const inbox = new InboxMetrics(metrics, 'deploy1.');
    const consumer = fakeConsumer();
    inbox.followLag(consumer);

    consumer.emitEvent(consumer.events.END_BATCH_PROCESS, { topic: 'deploy1.credential-broker.token-issued.v1', partition: 0, offsetLag: '7' });
    consumer.emitEvent(consumer.events.END_BATCH_PROCESS, { topic: 'deploy1.credential-broker.token-issued.v1', partition: 2, offsetLag: '0' });
    expect(await lagSeries(metrics)).toEqual([
      { labels: { topic: 'credential-broker.token-issued.v1', partition: '0' }, value: 7 },
      { labels: { topic: 'credential-broker.token-issued.v1', partition: '2' }, value: 0 },
    ]);

    consumer.emitEvent(consumer.events.GROUP_JOIN, { memberAssignment: { 'deploy1.credential-broker.token-issued.v1': [2] } });
    expect(await lagSeries(metrics)).toEqual([{ labels: { topic: 'credential-broker.token-issued.v1', partition: '2' }, value: 0 }]);
  });

  it('counts handled events and duplicates apart, and times every attempt by outcome', async () => {
    const metrics = new ServiceMetrics('svc');
    const inbox = new InboxMetrics(metrics, '');
    const started = performance.now();
    inbox.handled('credential-broker.code-received.v1', 'handled', started);
    inbox.handled('credential-broker.code-received.v1', 'duplicate', started);
    inbox.failed('credential-broker.code-received.v1', started);
    const topic = 'credential-broker.code-received.v1';
    expect(await sampleOf(metrics, 'credential_broker_inbox_events_handled_total', { topic })).toBe(1);
    expect(await sampleOf(metrics, 'credential_broker_inbox_duplicates_skipped_total', { topic })).toBe(1);
    expect(await sampleOf(metrics, 'credential_broker_inbox_handler_duration_seconds', { topic, outcome: 'ok' }, '_count')).toBe(2);
    expect(await sampleOf(metrics, 'credential_broker_inbox_handler_duration_seconds', { topic, outcome: 'failed' }, '_count')).toBe(1);
  });
});
