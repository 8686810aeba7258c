/**
 * The metric catalogue against what depends on it: its own rules (names, bounded labels, modest
 * buckets), docs/OPERATIONS.md, which must describe every metric, and the Grafana dashboard and
 * the documented alerts, whose PromQL may name only metrics that exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORBIDDEN_LABELS, METRIC_CATALOG, ServiceMetrics } from '@cb/platform';

const ROOT = join(__dirname, '../..');
const operations = readFileSync(join(ROOT, 'docs/OPERATIONS.md'), 'utf8');
const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs/grafana-dashboard.json'), 'utf8')) as Dashboard;

interface Target {
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  gridPos?: { h: number; w: number; x: number; y: number };
}
interface Dashboard {
  title: string;
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query?: unknown }> };
}

/** Node's process metrics, as prom-client's collectDefaultMetrics names them in a fresh registry. */
const processMetrics = new ServiceMetrics('catalogue-test').registry.getMetricsAsArray().map((metric) => ({ name: metric.name, type: String(metric.type) }));

/** Every series name a query may use: counters and gauges as named, histograms by their three series. */
function seriesNames(): Set<string> {
  const names = new Set<string>(['up']);
  for (const { name, type } of [...METRIC_CATALOG, ...processMetrics]) {
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    else names.add(name);
  }
  return names;
}

const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'topk', 'bottomk', 'quantile', 'rate', 'irate', 'increase', 'delta', 'deriv',
  'histogram_quantile', 'abs', 'clamp_min', 'clamp_max', 'absent', 'by', 'without', 'and', 'or', 'unless', 'on', 'ignoring',
  'group_left', 'group_right', 'bool', 'offset', 'label_values', 'vector', 'scalar', 'time',
]);

/** The metric names a PromQL expression reads: what is left once strings, matchers, groupings, ranges and functions are taken out. */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b\d[\d.]*(ms|s|m|h|d|w|y)?\b/g, ' ');
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((word) => !PROMQL_WORDS.has(word));
}

describe('the metric catalogue', () => {
  it('names every metric once, in Prometheus form, counters ending in _total', () => {
    const names = METRIC_CATALOG.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const metric of METRIC_CATALOG) {
      expect(metric.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(metric.help.length).toBeGreaterThan(10);
      if (metric.type === 'counter') expect(metric.name).toMatch(/_total$/);
      else expect(metric.name).not.toMatch(/_total$/);
    }
  });

  it('labels no metric with an id of a connection, user, workspace or session, a path or a secret, nor with service (every series has it already)', () => {
    for (const metric of METRIC_CATALOG) {
      for (const label of metric.labelNames) {
        expect({ metric: metric.name, label, forbidden: (FORBIDDEN_LABELS as readonly string[]).includes(label) || /(^|_)(connection|user|workspace|session|path|url|token|secret|key)(_|$)/.test(label) }).toEqual({
          metric: metric.name,
          label,
          forbidden: false,
        });
        expect(label).not.toBe('service');
        expect(label).toMatch(/^[a-z][a-z0-9_]*$/);
      }
    }
  });

  it('gives histograms a modest, increasing bucket list', () => {
    for (const metric of METRIC_CATALOG.filter((m) => m.type === 'histogram')) {
      const buckets = metric.buckets ?? [];
      expect(buckets.length).toBeGreaterThan(3);
      expect(buckets.length).toBeLessThanOrEqual(15);
      expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    }
  });
});

describe('docs/OPERATIONS.md', () => {
  it('describes every metric of the catalogue', () => {
    const undocumented = METRIC_CATALOG.map((m) => m.name).filter((name) => !operations.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });

  it('has a Metrics and an Alerts section, and its alerts query only metrics that exist', () => {
    expect(operations).toMatch(/^## Metrics$/m);
    expect(operations).toMatch(/^## Alerts$/m);
    const alerts = operations.slice(operations.indexOf('## Alerts'));
    const expressions = [...alerts.matchAll(/^\| [^|]+ \| `(.+?)` \| /gm)].map((m) => (m[1] as string).replace(/\\\|/g, '|'));
    expect(expressions.length).toBeGreaterThanOrEqual(8);
    const known = seriesNames();
    const unknown = expressions.flatMap(metricNamesIn).filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });
});

describe('docs/grafana-dashboard.json', () => {
  const queryPanels = dashboard.panels.filter((panel) => panel.type !== 'row');

  it('is an importable dashboard: a title, a uid, a Prometheus data source variable, panels on the grid', () => {
    expect(dashboard.title).toBe('Credential Broker');
    expect(dashboard.uid).toMatch(/^[a-z0-9-]+$/);
    expect(dashboard.templating.list).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' })]));
    expect(queryPanels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos).toEqual({ h: expect.any(Number), w: expect.any(Number), x: expect.any(Number), y: expect.any(Number) });
      expect((panel.gridPos?.x ?? 0) + (panel.gridPos?.w ?? 0)).toBeLessThanOrEqual(24);
    }
  });

  it('queries through the chosen data source, every panel and every target', () => {
    for (const panel of queryPanels) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid: expect.stringMatching(/^\$\{?datasource\}?$/) });
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid).toMatch(/^\$\{?datasource\}?$/);
        expect(target.expr?.trim()).toBeTruthy();
      }
    }
  });

  it('names only metrics of the catalogue or Node process metrics, and covers the catalogue', () => {
    const known = seriesNames();
    const used = queryPanels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => metricNamesIn(target.expr ?? '')));
    expect(used.filter((name) => !known.has(name))).toEqual([]);
    const shown = new Set(used.map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    expect(METRIC_CATALOG.map((m) => m.name).filter((name) => !shown.has(name))).toEqual([]);
  });
});

describe('metricNamesIn', () => {
  it('finds the metrics of an expression and nothing else', () => {
    expect(metricNamesIn('histogram_quantile(0.99, sum by (service, le) (rate(http_server_request_duration_seconds_bucket{route="/v1/x", status_class=~"5xx|4xx"}[$__rate_interval]))) / on(service) up offset 1d > 0.5')).toEqual([
      'http_server_request_duration_seconds_bucket',
      'up',
    ]);
  });
});
