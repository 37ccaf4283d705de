import { describe, expect, it } from '@jest/globals';
import { breakerAllows } from '@baton/vscode/core';
import { applyProbe, emptyResults, historyLength, parseEndpoints, type Endpoint, type Results } from '../src/core/index.js';

const [api] = parseEndpoints([{ source: 't', path: 'e', endpoints: [{ type: 'http', name: 'api', url: 'http://127.0.0.1:1/', failureThreshold: 2, intervalSeconds: 1 }] }]).endpoints as [Endpoint];
const up = { ok: true, latencyMs: 3, detail: 'HTTP 200' };
const down = { ok: false, latencyMs: 5, detail: 'HTTP 503' };

function run(steps: boolean[], start: Results = emptyResults, term = 1) {
  let results = start;
  const transitions: string[] = [];
  steps.forEach((ok, i) => {
    const applied = applyProbe(results, api, ok ? up : down, term, 1000 * (i + 1));
    results = applied.results;
    if (applied.transition) transitions.push(`${applied.transition.kind}@${1000 * (i + 1)}`);
  });
  return { results, transitions };
}

describe('applyProbe', () => {
  it('opens an incident only after failureThreshold consecutive failures, and closes it on the first success', () => {
    const { results, transitions } = run([true, false, true, false, false, false, true]);
    expect(transitions).toEqual(['down@5000', 'recovered@7000']);
    expect(results.incidents).toEqual([{ id: `${api.id}@5000`, endpoint: api.id, name: 'api', startedAt: 5000, endedAt: 7000, detail: 'HTTP 503' }]);
    expect(results.endpoints[api.id]).toMatchObject({ state: 'up', checks: 7, ups: 3, consecutiveFailures: 0, lastCheck: 7000 });
  });

  it('stays unknown until a first success or the threshold, and keeps a bounded history', () => {
    expect(run([false]).results.endpoints[api.id]!.state).toBe('unknown');
    const { results } = run(Array.from({ length: historyLength + 10 }, (_, i) => i % 2 === 0));
    expect(results.endpoints[api.id]!.history).toHaveLength(historyLength);
    expect(results.endpoints[api.id]!.history.at(-1)!.at).toBe(1000 * (historyLength + 10));
  });

  it('records the term of the leader that wrote', () => {
    expect(run([true], emptyResults, 7).results.term).toBe(7);
  });
});

describe('circuit breaker in the results', () => {
  it('lives in the results, so an open breaker skips the endpoint until its retry time', () => {
    const { results } = run([false, false, false, false, false]);
    const status = results.endpoints[api.id]!;
    expect(status.breaker).toMatchObject({ state: 'open', retryAt: 5000 + 60_000 });
    expect(breakerAllows(status.breaker, 6000)).toBe(false);
  });
});

describe('isDue', () => {
  it('takes endpoints due within a tenth of their interval (at most 1 s) into the same round', async () => {
    const { isDue } = await import('../src/core/results.js');
    const { results } = run([true]); // probed at 1000, interval 1000 ms
    const status = results.endpoints[api.id]!;
    expect(isDue(status, api, 1899)).toBe(false);
    expect(isDue(status, api, 1900)).toBe(true);
  });
});

describe('resultsSchema', () => {
  it('accepts the results the leader writes and refuses a damaged history, naming where', async () => {
    const { resultsSchema } = await import('../src/core/results.js');
    const { results } = run([true, false, true]);
    expect(resultsSchema.safeParse(JSON.parse(JSON.stringify(results))).success).toBe(true);
    const damaged = JSON.parse(JSON.stringify(results));
    damaged.endpoints[api.id].history[1].ok = 'yes';
    const parsed = resultsSchema.safeParse(damaged);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['endpoints', api.id, 'history'], message: 'expected a list of { at, ok, latencyMs }' });
  });
});
