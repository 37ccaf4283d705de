// The WebDevSync commands as users install them: each app packed into its tarball (`pnpm pack`), installed
// with `npm install -g --prefix <dir>` (the workspace's packages are bundled inside; its npm dependencies come from
// the registry), and run from the prefix's bin directory.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { killAllFixtures, makeTempDir, spawnFixture, type TempDir } from '@baton/test-utils';

const run = promisify(execFile);
const apps = fileURLToPath(new URL('../../../apps/', import.meta.url));
const posix = process.platform !== 'win32';

(posix ? describe : describe.skip)('installed from their packed tarballs', () => {
  // Inside the block: on Windows, where it is skipped, nothing is packed or installed.
  let tmp: TempDir;
  let bin: string;
  beforeAll(async () => {
    tmp = await makeTempDir('baton-pack-');
    for (const app of ['devsync-relay', 'devsync-desktop']) await run('pnpm', ['pack', '--pack-destination', tmp.path], { cwd: join(apps, app) });
    const tarballs = (await readdir(tmp.path)).filter((f) => f.endsWith('.tgz')).map((f) => join(tmp.path, f));
    expect(tarballs).toHaveLength(2);
    const prefix = join(tmp.path, 'prefix');
    // Its own cache: nothing from this machine's npm setup decides the outcome.
    await run('npm', ['install', '--global', '--prefix', prefix, '--cache', join(tmp.path, 'npm-cache'), '--no-audit', '--no-fund', ...tarballs], { timeout: 240_000 });
    bin = join(prefix, 'bin');
  }, 300_000);
  afterAll(async () => {
    await killAllFixtures();
    await tmp?.cleanup();
  });

  it('devsync-relay and devsync-desktop are commands: they answer --help', async () => {
    expect((await run(join(bin, 'devsync-relay'), ['--help'])).stdout).toMatch(/^usage: devsync-relay/);
    expect((await run(join(bin, 'devsync-desktop'), ['--help'])).stdout).toMatch(/^usage: devsync-desktop/);
  });

  it('the relay serves its page and browser library, and the agent registers with it and prints a pairing token', async () => {
    const relay = spawnFixture(join(bin, 'devsync-relay'), ['--port', '0'], { env: { DEVSYNC_DATA_DIR: join(tmp.path, 'relay-data') }, cwd: tmp.path });
    const url = (await relay.waitForLine(/^devsync-relay listening on /, 20_000)).replace('devsync-relay listening on ', '').replace(/\/$/, '');
    expect((await fetch(`${url}/status`)).status).toBe(200);
    expect(await (await fetch(`${url}/`)).text()).toContain('Edit externally');
    expect(await (await fetch(`${url}/webdevsync.js`)).text()).toContain('web-dev-sync');
    const agent = spawnFixture(join(bin, 'devsync-desktop'), ['--relay', url.replace(/\/web-dev-sync$/, ''), '--dir', join(tmp.path, 'edits'), '--credentials', join(tmp.path, 'credentials.json'), '--editor', 'true'], {
      env: { XDG_CONFIG_HOME: join(tmp.path, 'config') },
    });
    expect(await agent.waitForLine(/^pairing token: [A-Z2-9]{4}-[A-Z2-9]{4}/, 20_000)).toBeTruthy();
  }, 60_000);
});
