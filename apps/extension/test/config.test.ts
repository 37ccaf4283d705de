import { describe, expect, it } from '@jest/globals';
import { formatIssue, parseEndpoints, parseWorkspaceFile, type ConfigSource } from '../src/core/index.js';

const settings = (endpoints: unknown): ConfigSource => ({ source: 'settings', path: 'healthWatch.endpoints', endpoints });

describe('parseEndpoints', () => {
  it('normalizes the three kinds with their defaults, in milliseconds', () => {
    const { endpoints, issues } = parseEndpoints([
      settings([
        { type: 'http', name: 'api', url: 'http://127.0.0.1:3000/health' },
        { type: 'tcp', name: 'db', port: 5432, intervalSeconds: 10, failureThreshold: 3 },
        { type: 'command', name: 'disk', command: 'test', args: ['-d', '/data'], timeoutSeconds: 0.5 },
      ]),
    ]);
    expect(issues).toEqual([]);
    expect(endpoints).toEqual([
      { type: 'http', name: 'api', id: 'http:api:http://127.0.0.1:3000/health', url: 'http://127.0.0.1:3000/health', expectStatus: undefined, bodyMatch: undefined, intervalMs: 30_000, timeoutMs: 5000, failureThreshold: 1 },
      { type: 'tcp', name: 'db', id: 'tcp:db:127.0.0.1:5432', host: '127.0.0.1', port: 5432, intervalMs: 10_000, timeoutMs: 5000, failureThreshold: 3 },
      { type: 'command', name: 'disk', id: 'command:disk:["test","-d","/data",""]', command: 'test', args: ['-d', '/data'], cwd: undefined, expectExitCode: 0, intervalMs: 30_000, timeoutMs: 500, failureThreshold: 1 },
    ]);
  });

  it('names every problem by source, index and field, and keeps the good endpoints', () => {
    const { endpoints, issues } = parseEndpoints([
      settings([
        { type: 'http', name: 'bad-url', url: 'not a url' },
        { type: 'tcp', name: 'no-port' },
        { type: 'http', name: 'ok', url: 'https://example.invalid/', expectStatus: [200, 204] },
        { type: 'smtp', name: 'kind' },
        { type: 'http', name: 'regex', url: 'http://x.invalid/', bodyMatch: '(' },
        { type: 'tcp', name: 'extra', port: 1, colour: 'red' },
        { type: 'http', name: 'ftp', url: 'ftp://x.invalid/' },
      ]),
      { source: '/ws/.healthwatch.json', path: 'endpoints', endpoints: [{ type: 'tcp', name: 'ok', port: 80 }] },
    ]);
    expect(endpoints.map((e) => e.name)).toEqual(['ok']);
    const text = issues.map(formatIssue);
    expect(text).toEqual([
      expect.stringMatching(/^settings healthWatch\.endpoints\[0\]\.url: /),
      expect.stringMatching(/^settings healthWatch\.endpoints\[1\]\.port: /),
      expect.stringMatching(/^settings healthWatch\.endpoints\[3\]\.type: /),
      'settings healthWatch.endpoints[4].bodyMatch: not a valid regular expression',
      expect.stringMatching(/^settings healthWatch\.endpoints\[5\]: .*colour/),
      expect.stringMatching(/^settings healthWatch\.endpoints\[6\]\.url: /),
      "/ws/.healthwatch.json endpoints[0].name: 'ok' is already the name of an endpoint in settings; names must be unique",
    ]);
  });

  it('refuses a list that is not a list, and ignores an absent one', () => {
    const { endpoints, issues } = parseEndpoints([settings({ api: 'http://x' }), { source: 'f', path: 'endpoints', endpoints: undefined }]);
    expect(endpoints).toEqual([]);
    expect(issues).toEqual([{ source: 'settings', path: 'healthWatch.endpoints', message: 'expected a list of endpoints, got an object' }]);
  });

  it('gives the same endpoint the same id in every window, and a different target a different id', () => {
    const one = parseEndpoints([settings([{ type: 'http', name: 'api', url: 'http://127.0.0.1:1/' }])]).endpoints[0]!;
    const again = parseEndpoints([settings([{ type: 'http', name: 'api', url: 'http://127.0.0.1:1/', intervalSeconds: 5 }])]).endpoints[0]!;
    const other = parseEndpoints([settings([{ type: 'http', name: 'api', url: 'http://127.0.0.1:2/' }])]).endpoints[0]!;
    expect(again.id).toBe(one.id);
    expect(other.id).not.toBe(one.id);
  });
});

describe('parseWorkspaceFile', () => {
  it('reads { endpoints } and names the file in its problems', () => {
    expect(parseWorkspaceFile('/ws/.healthwatch.json', '{"endpoints": []}')).toEqual({ source: '/ws/.healthwatch.json', path: 'endpoints', endpoints: [] });
    expect(parseWorkspaceFile('/ws/.healthwatch.json', '{"endpoints": [')).toMatchObject({ source: '/ws/.healthwatch.json', path: '(file)', message: expect.stringMatching(/^not valid JSON: /) });
    expect(parseWorkspaceFile('/ws/.healthwatch.json', '[]')).toMatchObject({ path: '(file)', message: 'expected an object with an "endpoints" list, got a list' });
    expect(parseWorkspaceFile('/ws/.healthwatch.json', '{"endpoint": []}')).toMatchObject({ path: 'endpoint', message: 'unknown key; the file has only "endpoints"' });
  });
});
