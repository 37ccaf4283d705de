// `metrics: { listen }`: Prometheus text from the running orchestrator.
import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { freePort } from '@baton/test-utils';
import { parseConfig } from '../src/index.js';
import { cli, service, startOrchestrator, writeConfig, orchestratorDirPerTest } from './helpers.js';

const tmp = orchestratorDirPerTest();

describe('metrics', () => {
  it('validates metrics.listen, naming the field', () => {
    const services = 'services:\n  a:\n    command: node\n';
    const ok = parseConfig(`metrics: { listen: "127.0.0.1:9464" }\n${services}`);
    expect('config' in ok && ok.config.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    const portOnly = parseConfig(`metrics: { listen: 9464 }\n${services}`);
    expect('config' in portOnly && portOnly.config.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    const off = parseConfig(services);
    expect('config' in off && off.config.metrics).toBeUndefined();
    for (const bad of ['"localhost"', '"127.0.0.1:99999"']) {
      const result = parseConfig(`metrics: { listen: ${bad} }\n${services}`);
      expect('issues' in result && result.issues.map((i) => i.path)).toEqual(['metrics.listen']);
    }
  });

  (process.platform === 'win32' ? it.skip : it)('serves per-service state, restarts, uptime and readiness time, and reloads by outcome', async () => {
    const port = await freePort();
    const top = `metrics: { listen: "127.0.0.1:${port}" }\nreload: { debounceMs: 100000 }\n`;
    await writeConfig(tmp.path, { a: service('log', 'a'), b: service('log', 'b', '    tier: 1\n') }, top);
    await startOrchestrator(tmp.path);
    const scrape = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      return response.text();
    };
    let text = await scrape();
    expect(text).toContain('baton_orchestrator_service_up{service="a"} 1');
    expect(text).toContain('baton_orchestrator_service_state{service="b",state="ready"} 1');
    expect(text).toContain('baton_orchestrator_service_restarts{service="a"} 0');
    expect(text).toMatch(/baton_orchestrator_service_uptime_seconds\{service="a"\} \d/);
    expect(text).toMatch(/baton_orchestrator_service_readiness_seconds\{service="b"\} 0\.\d+/);
    expect(text).toContain('baton_orchestrator_reloads_total{outcome="applied"} 0');
    await writeConfig(tmp.path, { a: service('log', 'a'), b: service('log', 'b2', '    tier: 1\n') }, top);
    expect((await cli(tmp.path, ['reload'])).code).toBe(0);
    await cli(tmp.path, ['stop', 'a']);
    text = await scrape();
    expect(text).toContain('baton_orchestrator_reloads_total{outcome="applied"} 1');
    expect(text).toContain('baton_orchestrator_service_up{service="a"} 0');
    expect(text).toContain('baton_orchestrator_service_state{service="a",state="stopped"} 1');
    expect(text).toContain('baton_orchestrator_service_degraded{service="b"} 1');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  }, 60_000);

  (process.platform === 'win32' ? it.skip : it)('a metrics port that is taken fails the start, naming it', async () => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    try {
      await writeConfig(tmp.path, { a: service('log', 'a') }, `metrics: { listen: "127.0.0.1:${port}" }\n`);
      const result = await cli(tmp.path, ['start']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`metrics.listen 127.0.0.1:${port}: cannot listen: listen EADDRINUSE`);
    } finally {
      taken.close();
    }
  }, 30_000);
});
