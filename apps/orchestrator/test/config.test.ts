import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { interpolate, parseConfig } from '../src/index.js';
import type { OrchestratorConfig } from '../src/config.js';

describe('parseConfig', () => {
  it('parses YAML with defaults and validated services', () => {
    const result = parseConfig('services:\n  api:\n    command: node api.js\n    readiness: { type: tcp, port: 3000 }\n');
    expect('config' in result).toBe(true);
    const { config } = result as { config: { reload: unknown; services: { name: string }[] } };
    expect(config.reload).toEqual({ debounceMs: 300, maxPerMinute: 10, windowMs: 60_000 });
    expect(config.services.map((s) => s.name)).toEqual(['api']);
  });

  it('accepts JSON', () => {
    expect('config' in parseConfig('{"services": {"a": {"command": "x"}}}')).toBe(true);
  });

  it('names every error with its path', () => {
    const result = parseConfig('reload: { debounceMs: -1 }\nservices:\n  api:\n    command: node\n    readiness: { type: tcp, port: eighty }\n  web: {}\n') as { issues: { path: string; message: string }[] };
    const text = result.issues.map((i) => `${i.path}: ${i.message}`);
    expect(text).toEqual(expect.arrayContaining([expect.stringMatching(/^reload\.debounceMs: /), expect.stringMatching(/^services\.api\.readiness\.port: .*expected number/), expect.stringMatching(/^services\.web\.command: /)]));
  });

  it('reports every YAML syntax error with its line and column, and no dangling colon', () => {
    const result = parseConfig('services:\n  api:\n    command: [unclosed\n') as { issues: { path: string; message: string }[] };
    expect(result.issues[0]!.path).toMatch(/^line \d+, column \d+$/);
    // Two errors in one file: both reported, each ending in words, not in the colon that announced a snippet.
    const two = parseConfig('services:\n  a:\n    command: node\n   bad: 1\n  b:\n    command: "node\n') as { issues: { path: string; message: string }[] };
    expect(two.issues.length).toBeGreaterThanOrEqual(2);
    for (const issue of two.issues) {
      expect(issue.path).toMatch(/^line \d+, column \d+$/);
      expect(issue.message).not.toMatch(/:\s*$/);
      expect(issue.message).not.toMatch(/at line \d+/);
    }
  });

  it('substitutes ${VAR:-default}, and a number stays a number, in a flow mapping too', () => {
    const text = 'services:\n  api:\n    command: node\n    readiness: { type: tcp, port: ${PORT:-3000} }\n';
    const withDefault = parseConfig(text, {}) as { config: { services: { readiness: { port: number } }[] } };
    expect(withDefault.config.services[0]!.readiness.port).toBe(3000);
    const fromEnv = parseConfig(text, { PORT: '4000' }) as { config: { services: { readiness: { port: number } }[] } };
    expect(fromEnv.config.services[0]!.readiness.port).toBe(4000);
  });

  it('names an unset variable without a default by its field, and keeps $${ literal', () => {
    expect(interpolate('services:\n  api:\n    env: { TOKEN: "${NOPE}" }\n', {}).issues).toEqual([{ path: 'services.api.env.TOKEN', message: '${NOPE} is not set; set it or give a default: ${NOPE:-value}' }]);
    expect(interpolate('list: [a, "${NOPE}"]', {}).issues[0]!.path).toBe('list.1');
    expect(interpolate('a: $${HOME}', { HOME: '/h' }).value).toEqual({ a: '${HOME}' });
  });

  it('substitutes in parsed values: a value cannot add YAML structure, and comments are left alone', () => {
    const injected = interpolate('services:\n  api:\n    command: ${CMD}\n', { CMD: 'node\n  evil:\n    command: rm' });
    expect(injected).toEqual({ value: { services: { api: { command: 'node\n  evil:\n    command: rm' } } }, issues: [] });
    expect(interpolate('a: ${V}', { V: '{ b: 1 }' }).value).toEqual({ a: '{ b: 1 }' });
    expect(interpolate('a: ${V}', { V: '[1, 2]' }).value).toEqual({ a: '[1, 2]' });
    // An unset variable in a comment is not an error, and is not substituted.
    expect(interpolate('# set ${NOT_SET} to change the port\na: 1 # ${ALSO_NOT_SET}\n', {})).toEqual({ value: { a: 1 }, issues: [] });
  });

  it('a plain value that is one reference takes its YAML type when it is a number, boolean or null; quoted stays a string', () => {
    expect(interpolate('a: ${N}\nb: "${N}"\nc: ${B}\nd: x-${N}\ne: ${S}', { N: '42', B: 'true', S: 'hello' }).value).toEqual({ a: 42, b: '42', c: true, d: 'x-42', e: 'hello' });
    expect(interpolate('{ type: tcp, port: ${PORT:-3000} }', {}).value).toEqual({ type: 'tcp', port: 3000 });
  });
});

describe('the README', () => {
  it('its config example is a valid config, every key in it checked', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('## Config'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const result = parseConfig(example, { ETCD_HOSTS: 'http://10.0.0.5:2379,http://10.0.0.6:2379' });
    expect('issues' in result ? result.issues : []).toEqual([]);
    const { config } = result as { config: OrchestratorConfig };
    expect(config.services.map((s) => s.name)).toEqual(['db', 'migrate', 'api', 'worker', 'web-1', 'web-2', 'web-3']);
    expect(config.services.find((s) => s.name === 'web-2')).toMatchObject({ args: ['web.js', '--port', '802'], readiness: { type: 'tcp', port: 802 }, env: { BATON_REPLICA: '2', BATON_REPLICAS: '3' } });
    expect(config.instance.etcd?.hosts).toEqual(['http://10.0.0.5:2379', 'http://10.0.0.6:2379']);
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.services.find((s) => s.name === 'api')!.liveness).toMatchObject({ type: 'http', failureThreshold: 3 });
  });
});
