import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmod, lstat, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { coordinationPaths, socketPathIn } from '@baton/base';
import { getEventListeners } from 'node:events';
import { expectNoLeaks, makeTempDir, snapshotResources, type TempDir } from '@baton/test-utils';
import { connect, createServer } from '../src/index.js';
import { token } from './helpers.js';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await tmp.cleanup();
});

describe('createServer', () => {
  (process.platform === 'win32' ? it.skip : it)('creates a missing socket directory (0700) when paths were ensured before the socket path was asked for', async () => {
    // A workspace path too long for a Unix socket, and no runtime directory yet: the orchestrator's order of calls.
    const root = join(tmp.path, 'a-rather-long-workspace-folder-name'.repeat(3));
    const runtimeDir = join(tmp.path, 'runtime');
    const paths = await coordinationPaths({ scope: 'workspace', root, runtimeDir }).ensure();
    const path = paths.socketPath('control');
    expect(dirname(path)).toBe(runtimeDir);
    const server = await createServer({ path, auth: { token } });
    server.handle('ping', () => 'pong');
    const client = await connect({ path, auth: { token }, name: 'test', reconnect: false });
    try {
      expect(await client.request('ping')).toBe('pong');
      expect((await lstat(runtimeDir)).mode & 0o777).toBe(0o700);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('socket directories', () => {
  (process.platform === 'win32' ? it.skip : it)('a server refuses to listen, and a client to send its token, in a directory others can write to', async () => {
    const good = join(tmp.path, 'private');
    const path = join(good, 'control.sock');
    const server = await createServer({ path, auth: { token } });
    try {
      // Someone could have put their own server there: the client refuses before connecting.
      await chmod(good, 0o777);
      await expect(connect({ path, auth: { token }, name: 'test', reconnect: false })).rejects.toMatchObject({ code: 'EUNSAFEPATH' });
      await expect(createServer({ path: join(good, 'other.sock'), auth: { token } })).rejects.toMatchObject({ code: 'EUNSAFEPATH' });
      expect((await readdir(good)).filter((n) => n.startsWith('other'))).toEqual([]);
    } finally {
      await chmod(good, 0o700);
      await server.close();
    }
  });
});

describe('dispose()', () => {
  it('a server and a client release what close() releases: no socket, timer, descriptor or listener left', async () => {
    const path = socketPathIn(tmp.path, 'disposed');
    const before = snapshotResources();
    const controller = new AbortController();
    const server = await createServer({ path, auth: { token }, signal: controller.signal });
    server.handle('ping', () => 'pong');
    const client = await connect({ path, auth: { token }, name: 'test', signal: controller.signal });
    expect(await client.request('ping')).toBe('pong');
    client.dispose();
    server.dispose();
    await expectNoLeaks(before, 3000);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // The socket file and its lock are gone: a new server takes the path at once.
    const next = await createServer({ path, auth: { token } });
    await next.close();
  });
});
