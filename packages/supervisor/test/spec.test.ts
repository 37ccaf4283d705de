import { describe, expect, it } from '@jest/globals';
import { SpecError, computeTiers, parseServices, validateServices } from '../src/index.js';

describe('service specs', () => {
  it('reports every invalid field with the service and the path', () => {
    const result = parseServices({
      api: { command: 'node', readiness: { type: 'tcp', port: 'eighty' } },
      worker: { command: '', restart: { policy: 'sometimes' } },
      'bad name!': { command: 'x' },
    });
    expect('issues' in result).toBe(true);
    const paths = (result as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['services.api.readiness.port', 'services.worker.command', 'services.worker.restart.policy', 'services.bad name!']));
    // Messages say what was expected, in English (not zod's bare 'Invalid input').
    const messages = Object.fromEntries((result as { issues: { path: string; message: string }[] }).issues.map((i) => [i.path, i.message]));
    expect(messages['services.api.readiness.port']).toBe('Invalid input: expected number, received string');
    expect(messages['services.worker.command']).toBe('Too small: expected string to have >=1 characters');
    expect(messages['services.worker.restart.policy']).toContain('expected one of "always"|"on-failure"|"never"');
  });

  it('fills defaults', () => {
    const [spec] = validateServices({ a: { command: 'x' } });
    expect(spec).toMatchObject({
      name: 'a',
      restart: { policy: 'on-failure', maxRestarts: 5, windowMs: 60_000, backoff: { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0.2 }, onGiveUp: 'stay-failed' },
      stop: { signal: 'SIGTERM', timeoutMs: 10_000 },
    });
  });

  it('layers dependsOn into tiers and names a cycle', () => {
    const specs = validateServices({ db: { command: 'x' }, api: { command: 'y', dependsOn: ['db'] }, web: { command: 'z', dependsOn: ['api', 'db'] }, cache: { command: 'c' } });
    expect(computeTiers(specs).map((t) => t.map((s) => s.name))).toEqual([['db', 'cache'], ['api'], ['web']]);
    const err = (() => {
      try {
        validateServices({ a: { command: 'x', dependsOn: ['b'] }, b: { command: 'y', dependsOn: ['a'] } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toContain('dependency cycle: a -> b -> a');
  });

  it('rejects unknown dependencies and tier together with dependsOn', () => {
    const result = parseServices({ a: { command: 'x', dependsOn: ['ghost'] }, b: { command: 'y', tier: 1, dependsOn: ['a'] } }) as { issues: { path: string; message: string }[] };
    expect(result.issues).toEqual(expect.arrayContaining([
      { path: 'services.a.dependsOn', message: "unknown service 'ghost'" },
      { path: 'services.b.dependsOn', message: 'use either tier or dependsOn, not both' },
    ]));
  });
});
