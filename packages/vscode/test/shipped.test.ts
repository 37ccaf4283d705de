// @baton/vscode as an extension ships it: the example bundled by esbuild, and by webpack (CommonJS), staged as vsce packs it,
// the OS-lock addon in its node_modules with the prebuilt binaries for every desktop platform, and the bundle run
// by two "extension hosts" (plain Node processes with a fake `vscode` module): they form one group. CI runs this on
// Linux, macOS and Windows.
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllFixtures, makeTempDir, spawnFixture, waitFor, type Fixture, type TempDir } from '@baton/test-utils';

const root = fileURLToPath(new URL('..', import.meta.url));
const stage = join(root, 'example', 'dist', 'vsix');
const hostScript = join(root, 'test', 'fixtures', 'host.cjs');
/** The platforms VS Code desktop runs on, each needing the addon's prebuilt binary in the .vsix. */
const platforms = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];

let tmp: TempDir | undefined;
beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts', 'example.mjs')], { cwd: root, stdio: 'pipe' });
}, 120_000);
afterEach(async () => {
  killAllFixtures();
  await tmp?.cleanup();
  tmp = undefined;
});

const status = (f: Fixture) => f.lines.filter((line) => line.startsWith('status ')).at(-1) ?? '';

describe('the example extension as shipped', () => {
  it('carries the OS-lock addon with a prebuilt binary for every desktop platform', () => {
    const missing = platforms.filter((platform) => !existsSync(join(stage, 'node_modules', 'fs-native-extensions', 'prebuilds', platform, 'fs-native-extensions.node')));
    expect(missing).toEqual([]);
  });

  for (const bundler of ['esbuild', 'webpack'] as const) {
    it(`${bundler}: two extension hosts running the bundle form one group: one leads, a click in one shows in the other`, async () => {
      tmp = await makeTempDir('baton-vscode-shipped-');
      const extension = join(tmp.path, 'extension');
      cpSync(stage, extension, { recursive: true });
      if (bundler === 'webpack') {
        execFileSync(process.execPath, [join(root, 'scripts', 'webpack-example.mjs'), join(tmp.path, 'webpack')], { cwd: root, stdio: 'pipe' });
        cpSync(join(tmp.path, 'webpack', 'extension.cjs'), join(extension, 'dist', 'extension.cjs'));
      }
      mkdirSync(join(extension, 'node_modules', 'vscode'));
      cpSync(join(root, 'test', 'fixtures', 'vscode.cjs'), join(extension, 'node_modules', 'vscode', 'index.js'));
      const storage = join(tmp.path, 'globalStorage');
      const hosts = [spawnFixture(hostScript, [extension, storage]), spawnFixture(hostScript, [extension, storage])];
      await Promise.all(hosts.map((h) => h.waitForLine('activated', 30_000)));
      await waitFor(() => hosts.every((h) => status(h).endsWith(', 2 windows')), { timeoutMs: 15_000, what: 'both hosts to see two windows' });
      expect(hosts.filter((h) => status(h).includes(', leader,'))).toHaveLength(1);
      hosts[1]!.send('run batonExample.click');
      await waitFor(() => status(hosts[0]!).startsWith('status Baton Example: 1 clicks'), { timeoutMs: 10_000, what: "the click in the other host's status" });
      // The leader leaves: the other leads. deactivate() resolves once the group is left: the leader task, aborted,
      // ends at once (close() waits for it).
      const leader = hosts.find((h) => status(h).includes(', leader,'))!;
      const other = hosts.find((h) => h !== leader)!;
      const leaving = performance.now();
      leader.send('deactivate');
      await leader.waitForLine('deactivated', 10_000);
      expect(performance.now() - leaving).toBeLessThan(3000);
      await waitFor(() => status(other) === 'status Baton Example: 1 clicks, leader, 1 window', { timeoutMs: 10_000, what: 'the other host to lead alone' });
    }, 90_000);
  }
});
