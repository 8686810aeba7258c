import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CounterDefinition, GaugeDefinition, HistogramDefinition } from './metrics.catalog';

/**
 * One service's metrics: its own registry (never prom-client's global one: tests run the five
 * services in one process), Node's process metrics, and the label `service` on every series.
 * Instruments are made from the catalogue's definitions, once per registry: asking twice for the
 * same definition returns the same instrument, so two classes of a service may record one metric.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  constructor(readonly serviceName: string) {
    this.registry.setDefaultLabels({ service: serviceName });
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(definition: CounterDefinition<L>): Counter<L> {
    return this.existing<Counter<L>>(definition.name) ?? new Counter<L>({ name: definition.name, help: definition.help, labelNames: definition.labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(definition: HistogramDefinition<L>): Histogram<L> {
    return (
      this.existing<Histogram<L>>(definition.name) ??
      new Histogram<L>({ name: definition.name, help: definition.help, labelNames: definition.labelNames, buckets: [...definition.buckets], registers: [this.registry] })
    );
  }

  /** `collect` runs at scrape time (e.g. a pool's counts, one query); the first caller's is kept. */
  gauge<L extends string>(definition: GaugeDefinition<L>, collect?: (gauge: Gauge<L>) => void | Promise<void>): Gauge<L> {
    const existing = this.existing<Gauge<L>>(definition.name);
    if (existing) return existing;
    return new Gauge<L>({
      name: definition.name,
      help: definition.help,
      labelNames: definition.labelNames,
      registers: [this.registry],
      ...(collect ? { collect(this: Gauge<L>) { return collect(this); } } : {}),
    });
  }

  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  private existing<M>(name: string): M | undefined {
    return this.registry.getSingleMetric(name) as M | undefined;
  }
}
