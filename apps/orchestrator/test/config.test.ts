import { describe, expect, it } from '@jest/globals';
import { interpolate, parseConfig } from '../src/index.js';

describe('parseConfig', () => {
  it('parses YAML with defaults and validated services', () => {
    const result = parseConfig('services:\n  api:\n    command: node api.js\n    readiness: { type: tcp, port: 3000 }\n');
    expect('config' in result).toBe(true);
    const { config } = result as { config: { reload: unknown; services: { name: string }[] } };
    expect(config.reload).toEqual({ debounceMs: 300, maxPerMinute: 10 });
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

  it('reports YAML syntax errors with the line', () => {
    const result = parseConfig('services:\n  api:\n    command: [unclosed\n') as { issues: { path: string }[] };
    expect(result.issues[0]!.path).toMatch(/^line \d+$/);
  });

  it('interpolates ${VAR:-default} before parsing, so numbers stay numbers', () => {
    const text = 'services:\n  api:\n    command: node\n    readiness: { type: tcp, port: ${PORT:-3000} }\n';
    const withDefault = parseConfig(text, {}) as { config: { services: { readiness: { port: number } }[] } };
    expect(withDefault.config.services[0]!.readiness.port).toBe(3000);
    const fromEnv = parseConfig(text, { PORT: '4000' }) as { config: { services: { readiness: { port: number } }[] } };
    expect(fromEnv.config.services[0]!.readiness.port).toBe(4000);
  });

  it('names an unset variable without a default, and keeps $${ literal', () => {
    expect(interpolate('a: ${NOPE}\n', {}).issues).toEqual([{ path: 'line 1', message: '${NOPE} is not set; set it or give a default: ${NOPE:-value}' }]);
    expect(interpolate('a: $${HOME}', { HOME: '/h' }).text).toBe('a: ${HOME}');
  });
});
