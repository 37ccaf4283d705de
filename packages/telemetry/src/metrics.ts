import { Counter, Gauge, Registry, Summary } from 'prom-client';

/** A metrics registry: counters, gauges and histograms, rendered as Prometheus text. */
export interface Metrics {
  /** A monotonically increasing count (for example leadership changes). */
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  /** A gauge: a value that goes up and down. */
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  /** Observations with p50/p90/p99 (a sliding-window summary; for example sync latency in ms). */
  histogram(name: string, help: string, options?: { labelNames?: readonly string[]; maxAgeSeconds?: number }): Summary;
  /** Everything in Prometheus text format. */
  render(): Promise<string>;
  /** Current values as JSON (prom-client's format). */
  snapshot(): Promise<unknown>;
  readonly registry: Registry;
}

/** Counters, gauges and percentile histograms on a private prom-client registry. */
export function createMetrics(options: { prefix?: string; defaultLabels?: Record<string, string> } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  const prefix = options.prefix ?? 'baton_';
  const existing = <T>(name: string) => registry.getSingleMetric(prefix + name) as T | undefined;
  return {
    registry,
    counter(name, help, labelNames = []) {
      return existing<Counter>(name) ?? new Counter({ name: prefix + name, help, labelNames, registers: [registry] });
    },
    gauge(name, help, labelNames = []) {
      return existing<Gauge>(name) ?? new Gauge({ name: prefix + name, help, labelNames, registers: [registry] });
    },
    histogram(name, help, histogramOptions = {}) {
      return (
        existing<Summary>(name) ??
        new Summary({
          name: prefix + name,
          help,
          labelNames: histogramOptions.labelNames ?? [],
          percentiles: [0.5, 0.9, 0.99],
          maxAgeSeconds: histogramOptions.maxAgeSeconds ?? 600,
          ageBuckets: 5,
          registers: [registry],
        })
      );
    },
    render: () => registry.metrics(),
    snapshot: () => registry.getMetricsAsJSON(),
  };
}
