import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { coordinationPaths } from '@baton/base';
import { makeTempDir, type TempDir } from '@baton/test-utils';
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
