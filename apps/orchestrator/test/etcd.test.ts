// The single-instance election on etcd (`instance.etcd`): two workspaces on different "hosts"
// (here two directories, each with its own coordination directory) naming the same election
// cannot both run the stack.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { isAlive, killAllFixtures, makeTempDir, startEtcdCluster, waitFor, type EtcdCluster, type TempDir } from '@baton/test-utils';
import type { StatusSnapshot } from '../src/index.js';
import { parseConfig } from '../src/index.js';
import { bundlePath, cli, service, startOrchestrator, writeConfig } from './helpers.js';

let cluster: EtcdCluster;
const dirs: TempDir[] = [];

beforeAll(async () => {
  cluster = await startEtcdCluster(1);
}, 60_000);
afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    await cli(dir.path, ['stop']).catch(() => {});
    await dir.cleanup();
  }
  await killAllFixtures();
});
afterAll(async () => {
  await killAllFixtures();
  await cluster?.stop();
});

const instance = (hosts: string, name = 'shared-stack') => `instance:\n  etcd:\n    hosts: "${hosts}"\n    name: ${name}\n    ttlMs: 2000\n`;

describe('instance.etcd', () => {
  it('parses hosts as a list or a comma-separated string, and names a bad field', () => {
    const services = 'services:\n  a:\n    command: node\n';
    const parsed = parseConfig(`instance:\n  etcd:\n    hosts: \${ETCD_HOSTS}\n${services}`, { ETCD_HOSTS: 'http://10.0.0.1:2379, http://10.0.0.2:2379' });
    expect('config' in parsed && parsed.config.instance.etcd).toEqual({ hosts: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'], name: undefined, ttlMs: 5000 });
    const local = parseConfig(services);
    expect('config' in local && local.config.instance).toEqual({ etcd: undefined });
    const bad = parseConfig(`instance:\n  etcd:\n    hosts: [http://a:2379]\n    ttlMs: 10\n${services}`);
    expect('issues' in bad && bad.issues.map((i) => i.path)).toEqual(['instance.etcd.ttlMs']);
  });

  (process.platform === 'win32' ? it.skip : it)('a second workspace naming the same etcd election refuses to start, naming the running one; it starts once that one stops', async () => {
    const [one, two] = [await makeTempDir(), await makeTempDir()];
    dirs.push(one, two);
    const top = instance(cluster.endpoints.join(','));
    await writeConfig(one.path, { a: service('log', 'one') }, top);
    await writeConfig(two.path, { b: service('log', 'two') }, top);
    // The first from the shipped bundle, where the etcd client is a chunk loaded only for a config like this one.
    const first = await startOrchestrator(one.path, bundlePath);
    const second = await cli(two.path, ['start']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`already running .*pid ${first.pid}`));
    expect((await cli(one.path, ['stop'])).code).toBe(0);
    await first.exited;
    const again = await startOrchestrator(two.path);
    expect(again.lines.join('\n')).toContain('"to":"running"');
  }, 90_000);

  (process.platform === 'win32' ? it.skip : it)('an unreachable etcd is named as the cause, not reported as another instance running', async () => {
    const dir = await makeTempDir();
    dirs.push(dir);
    await writeConfig(dir.path, { a: service('log', 'x') }, instance('http://127.0.0.1:9'));
    const result = await cli(dir.path, ['start']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cannot take the workspace lock etcd election 'orchestrator\/shared-stack' at http:\/\/127\.0\.0\.1:9/);
    expect(result.stderr).not.toMatch(/already running/);
  }, 60_000);

  (process.platform === 'win32' ? it.skip : it)('an instance cut off from etcd past its lease stops its services and exits', async () => {
    const dir = await makeTempDir();
    dirs.push(dir);
    await writeConfig(dir.path, { a: service('log', 'x') }, instance(cluster.endpoints.join(','), 'cut-off'));
    const orchestrator = await startOrchestrator(dir.path);
    const status = await cli(dir.path, ['status', '--json']);
    const [pid] = (JSON.parse(status.stdout) as StatusSnapshot).services.map((s) => s.pid!);
    expect(isAlive(pid!)).toBe(true);
    const member = cluster.members[0]!;
    await cluster.kill(member);
    try {
      await orchestrator.waitForLine(/lost the workspace/, 15_000);
      await orchestrator.exited;
      await waitFor(() => !isAlive(pid!), { timeoutMs: 10_000, what: 'the service stopped' });
    } finally {
      await cluster.restart(member);
    }
  }, 60_000);
});
