import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { makeTempDir } from '@baton/test-utils';
import { createLogger, createMetrics } from '../src/index.js';

describe('createMetrics', () => {
  it('computes histogram percentiles of known data', async () => {
    const metrics = createMetrics();
    const latency = metrics.histogram('sync_latency_ms', 'state sync latency');
    for (let i = 1; i <= 1000; i++) latency.observe(i);
    const [snapshot] = (await metrics.snapshot()) as { name: string; values: { labels: { quantile?: number }; value: number }[] }[];
    const q = (quantile: number) => snapshot!.values.find((v) => v.labels.quantile === quantile)!.value;
    expect(q(0.5)).toBeCloseTo(500, -1);
    expect(q(0.9)).toBeCloseTo(900, -1);
    expect(q(0.99)).toBeCloseTo(990, -1);
  });

  it('renders counters and gauges in Prometheus text format', async () => {
    const metrics = createMetrics({ defaultLabels: { workspace: 'w1' } });
    metrics.counter('leadership_changes_total', 'leadership changes').inc(3);
    metrics.gauge('services_ready', 'ready services').set(5);
    // Asking again returns the same metric.
    metrics.counter('leadership_changes_total', 'leadership changes').inc();
    const text = await metrics.render();
    expect(text).toContain('# TYPE baton_leadership_changes_total counter');
    expect(text).toContain('baton_leadership_changes_total{workspace="w1"} 4');
    expect(text).toContain('baton_services_ready{workspace="w1"} 5');
  });
});

describe('createLogger', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().trim().split('\n')) lines.push(JSON.parse(line));
        done();
      },
    });
    return { lines, stream };
  }

  it('writes JSON with child bindings, errors under err, and secrets redacted', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ name: 'baton', destination: stream, pretty: false });
    const child = logger.child({ pkg: 'lock', component: 'election' });
    child.warn({ err: new Error('disk full'), auth: { token: 'secret-token' }, token: 'another' }, 'could not renew');
    expect(lines[0]).toMatchObject({
      name: 'baton',
      pkg: 'lock',
      component: 'election',
      msg: 'could not renew',
      auth: { token: '[redacted]' },
      token: '[redacted]',
      err: { type: 'Error', message: 'disk full' },
    });
    expect(JSON.stringify(lines)).not.toContain('secret-token');
  });

  it('honours the level', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ name: 'b', destination: stream, level: 'warn', pretty: false });
    logger.info({}, 'hidden');
    logger.error({}, 'shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });

  it('writes pretty lines when asked (pino-pretty, loaded only then), secrets still redacted', async () => {
    const dir = await makeTempDir('telemetry-pretty-');
    try {
      const file = join(dir.path, 'pretty.log');
      const logger = createLogger({ name: 'baton', destination: file, pretty: true });
      logger.warn({ token: 'secret-token', pkg: 'lock' }, 'could not renew');
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(/WARN.*could not renew/);
      expect(text).toContain('[redacted]');
      expect(text).not.toContain('secret-token');
      expect(text.trimStart().startsWith('{')).toBe(false);
    } finally {
      await dir.cleanup();
    }
  });
});
