// replicas: N copies of a service, each told its index; `scale` on a running stack.
import { describe, expect, it } from '@jest/globals';
import { waitFor } from '@baton/test-utils';
import { parseConfig } from '../src/config.js';
import type { StatusSnapshot } from '../src/index.js';
import { cli, orchestratorDirPerTest, startOrchestrator, worker, writeConfig } from './helpers.js';

describe('replicas in the config', () => {
  it('expands into named copies with their index in env and in {{replica}}; dependsOn names every copy', () => {
    const result = parseConfig(
      [
        'services:',
        '  db: { command: db }',
        '  api:',
        '    command: api',
        '    args: ["--port", "300{{replica}}"]',
        '    replicas: 3',
        '    dependsOn: [db]',
        '    readiness: { type: tcp, port: "300{{replica}}" }',
        '  web: { command: web, dependsOn: [api] }',
      ].join('\n'),
    );
    if ('issues' in result) throw new Error(JSON.stringify(result.issues));
    const { services, replicas } = result.config;
    expect(replicas).toEqual({ api: ['api-1', 'api-2', 'api-3'] });
    expect(services.map((s) => s.name)).toEqual(['db', 'api-1', 'api-2', 'api-3', 'web']);
    const api2 = services.find((s) => s.name === 'api-2')!;
    expect(api2.args).toEqual(['--port', '3002']);
    expect(api2.env).toMatchObject({ BATON_REPLICA: '2', BATON_REPLICAS: '3' });
    expect(api2.readiness).toMatchObject({ type: 'tcp', port: 3002 });
    expect(services.find((s) => s.name === 'web')!.dependsOn).toEqual(['api-1', 'api-2', 'api-3']);
    // A scale overrides the file's count.
    const scaled = parseConfig('services:\n  api: { command: api, replicas: 3 }\n', {}, { api: 1 });
    expect('config' in scaled && scaled.config.services.map((s) => s.name)).toEqual(['api-1']);
  });

  it('refuses a bad count and a copy named like another service, naming where', () => {
    const bad = parseConfig('services:\n  api: { command: api, replicas: 0 }\n  web: { command: web, replicas: many }\n');
    expect('issues' in bad && bad.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'services.api.replicas: expected a whole number from 1 to 100, got 0',
      'services.web.replicas: expected a whole number from 1 to 100, got "many"',
    ]);
    const clash = parseConfig('services:\n  api: { command: api, replicas: 2 }\n  api-2: { command: other }\n');
    expect('issues' in clash && clash.issues[0]!.message).toBe("its copy 'api-2' has the name of another service; rename one of them");
  });
});

describe('replicas in a running stack', () => {
  const tmp = orchestratorDirPerTest();
  const status = async () => JSON.parse((await cli(tmp.path, ['status', '--json'])).stdout) as StatusSnapshot;
  const running = async () => (await status()).services.filter((s) => s.state === 'ready').map((s) => s.name).sort();

  it('runs the copies, each with its index; scale adds and removes copies, status and logs show them', async () => {
    await writeConfig(tmp.path, { api: `    command: ${process.execPath}\n    args: [${worker}, env, BATON_REPLICA]\n    replicas: 2\n    readiness: { type: log, pattern: "env BATON_REPLICA" }\n` });
    await startOrchestrator(tmp.path);
    expect(await running()).toEqual(['api-1', 'api-2']);
    expect((await status()).replicas).toEqual({ api: ['api-1', 'api-2'] });
    const logs = (await cli(tmp.path, ['logs', 'api-2', '-n', '1000'])).stdout;
    expect(logs).toContain('api-2 | env BATON_REPLICA=2');

    const up = await cli(tmp.path, ['scale', 'api', '3']);
    expect(up).toMatchObject({ code: 0, stdout: 'api: 3 copies (api-1, api-2, api-3)' });
    await waitFor(async () => (await running()).length === 3, { what: 'three copies' });
    expect((await cli(tmp.path, ['logs', 'api-3', '-n', '1000'])).stdout).toContain('env BATON_REPLICA=3');

    const down = await cli(tmp.path, ['scale', 'api', '1']);
    expect(down).toMatchObject({ code: 0, stdout: 'api: 1 copy (api-1)' });
    expect((await status()).services.map((s) => s.name)).toEqual(['api-1']);

    // A reload keeps the scaled count; errors are named.
    expect((await cli(tmp.path, ['reload'])).code).toBe(0);
    expect((await status()).services.map((s) => s.name)).toEqual(['api-1']);
    const notScalable = await cli(tmp.path, ['scale', 'nope', '2']);
    expect(notScalable.code).toBe(1);
    expect(notScalable.stderr).toContain("'nope' has no replicas");
    expect((await cli(tmp.path, ['scale', 'api', '0'])).stderr).toContain('replicas must be a whole number from 1 to 100');
    expect((await cli(tmp.path, ['scale', 'api'])).code).toBe(2);
  }, 90_000);
});
