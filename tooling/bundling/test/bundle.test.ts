// Baton as a VS Code extension ships it: every package bundled by esbuild into one file, CommonJS
// or ES module, with the OS-lock addon marked external and shipped in node_modules beside it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { killAllFixtures, makeTempDir, spawnFixture, startEtcdCluster, stopAllEtcdClusters, waitFor, type Fixture, type TempDir } from '@baton/test-utils';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const posix = process.platform !== 'win32';
let tmp: TempDir;

beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await killAllFixtures();
  await stopAllEtcdClusters();
  await tmp.cleanup();
});

/** Bundles a fixture into `<dir>/<name>.<cjs|mjs>`; the addon stays external, as the base README says. */
async function bundle(fixture: string, format: 'cjs' | 'esm', dir: string, external: string[] = []): Promise<string> {
  const outfile = join(dir, `${fixture}.${format === 'cjs' ? 'cjs' : 'mjs'}`);
  await build({
    entryPoints: [join(fixtures, `${fixture}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    external: ['fs-native-extensions', ...external],
    // An ES module bundle of CommonJS dependencies needs a require of its own.
    banner: format === 'esm' ? { js: "import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);" } : {},
    logLevel: 'error',
  });
  return outfile;
}

/**
 * Ships etcd3 beside the bundle (a link to the installed package, whose own dependencies resolve
 * from there): it reads its .proto files from its own directory at load, so it cannot be inlined.
 */
async function shipEtcd3(dir: string): Promise<void> {
  const installed = dirname(createRequire(import.meta.url).resolve('@baton/etcd/package.json'));
  const etcd3 = await realpath(join(installed, 'node_modules', 'etcd3'));
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await symlink(etcd3, join(dir, 'node_modules', 'etcd3'), 'dir');
}

/** Ships the addon beside the bundle: node_modules/fs-native-extensions (a link to the installed package here). */
async function shipAddon(dir: string): Promise<void> {
  const installed = dirname(createRequire(import.meta.url).resolve('@baton/base/package.json'));
  const addon = await realpath(join(installed, 'node_modules', 'fs-native-extensions'));
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await symlink(addon, join(dir, 'node_modules', 'fs-native-extensions'), 'dir');
}

const elected = (f: Fixture) => f.lines.some((l) => l.startsWith('role leader elected'));

for (const format of ['cjs', 'esm'] as const) {
  describe(`bundled as ${format}`, () => {
    (posix ? it : it.skip)('an election of real processes: one leader, and failover after SIGKILL of the leader', async () => {
      const dir = join(tmp.path, `election-${format}`);
      await mkdir(dir);
      await shipAddon(dir);
      const file = await bundle('election', format, dir);
      const lockDir = join(dir, 'coordination');
      const members: Fixture[] = [];
      for (const id of ['a', 'b', 'c']) {
        const member = spawnFixture(file, [lockDir, id], { cwd: dir });
        await member.waitForLine(/^role (leader|follower) (elected|joined)/, 20_000);
        members.push(member);
      }
      expect(members.filter(elected).map((m) => members.indexOf(m))).toEqual([0]);
      members[0]!.kill('SIGKILL');
      const next = await waitFor(() => members.slice(1).find(elected), { timeoutMs: 5000, what: 'a new leader' });
      expect(Number(next.lines.find((l) => l.startsWith('role leader elected'))!.split(' ')[3])).toBeGreaterThan(1);
      expect(members.slice(1).filter(elected)).toHaveLength(1);
    }, 60_000);

    it('every package works: base, lock, ipc, state, telemetry, supervisor, coordinator', async () => {
      const dir = join(tmp.path, `smoke-${format}`);
      await mkdir(dir);
      await shipAddon(dir);
      const run = spawnFixture(await bundle('smoke', format, dir), [dir], { cwd: dir });
      const { code } = await run.exited;
      expect(run.lines).toEqual(['ok base', 'ok lock', 'ok ipc', 'ok state', 'ok telemetry', 'ok supervisor', 'ok coordinator', 'done']);
      expect(code).toBe(0);
    }, 60_000);

    it('without the addon beside the bundle, start() fails at once naming the addon and the platform', async () => {
      const dir = join(tmp.path, `no-addon-${format}`);
      await mkdir(dir);
      await writeFile(join(dir, 'package.json'), '{}');
      const member = spawnFixture(await bundle('election', format, dir), [join(dir, 'coordination'), 'a'], { cwd: dir });
      const line = await member.waitForLine(/^failed /, 20_000);
      expect(line).toContain(`failed EOSLOCK Cannot load the OS-lock addon 'fs-native-extensions' on ${process.platform}-${process.arch}`);
      expect((await member.exited).code).toBe(1);
    }, 30_000);

    it('WebDevSync works bundled: relay, desktop agent and client in one file', async () => {
      const dir = join(tmp.path, `devsync-${format}`);
      await mkdir(dir);
      await shipAddon(dir);
      const run = spawnFixture(await bundle('devsync', format, dir), [dir], { cwd: dir, env: { BATON_LOG_LEVEL: 'warn' } });
      const { code } = await run.exited;
      expect(run.stderr()).toBe('');
      expect(run.lines).toEqual(['relay listening', 'desktop registered', 'browser paired', 'code update "let a = 2;\\n"', 'done']);
      expect(code).toBe(0);
    }, 60_000);

    it('@baton/etcd works with etcd3 external and shipped beside the bundle', async () => {
      const cluster = await startEtcdCluster(1);
      try {
        const dir = join(tmp.path, `etcd-${format}`);
        await mkdir(dir);
        await shipEtcd3(dir);
        const run = spawnFixture(await bundle('etcd', format, dir, ['etcd3']), [cluster.endpoints.join(',')], { cwd: dir });
        const { code } = await run.exited;
        expect(run.stderr()).toBe('');
        expect(run.lines).toEqual(['role leader', 'fenced ok', 'lock true', 'version 1', 'done']);
        expect(code).toBe(0);
      } finally {
        await cluster.stop();
      }
    }, 60_000);
  });
}
