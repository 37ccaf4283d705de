import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmod, chown, lstat, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@baton/test-utils';
import {
  InvalidArgumentError,
  UnsafePathError,
  checkSecureDirectory,
  coordinationPaths,
  ensureSecureDirectory,
  maxSocketPathBytes,
  toFileName,
} from '../src/index.js';

const posix = process.platform !== 'win32';
const isRoot = process.getuid?.() === 0;

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await tmp.cleanup();
});

describe('coordinationPaths', () => {
  it('places a scope under <root>/.baton/<scope> with named files', () => {
    const paths = coordinationPaths({ scope: 'workspace-1', root: tmp.path });
    expect(paths.dir).toBe(join(tmp.path, '.baton', 'workspace-1'));
    expect(paths.lockFile('leader')).toBe(join(paths.dir, 'leader.lock'));
    expect(paths.lockFile('task:42')).toBe(join(paths.dir, 'task%3A42.lock'));
    expect(paths.stateFile('probes')).toBe(join(paths.dir, 'probes.state.json'));
    expect(paths.tokenFile).toBe(join(paths.dir, 'auth.token'));
  });

  it('creates 0700 directories on ensure()', async () => {
    const paths = await coordinationPaths({ scope: 's', root: tmp.path }).ensure();
    if (posix) {
      expect((await lstat(paths.batonDir)).mode & 0o777).toBe(0o700);
      expect((await lstat(paths.dir)).mode & 0o777).toBe(0o700);
    }
  });

  it('uses the natural socket path when it fits', () => {
    const paths = coordinationPaths({ scope: 's', root: '/w', platform: 'linux' });
    expect(paths.socketPath('control')).toBe('/w/.baton/s/control.sock');
  });

  it('falls back to a short hashed socket name under the runtime dir when the path is too long', () => {
    const root = '/' + 'deep/'.repeat(20);
    for (const platform of ['linux', 'darwin'] as const) {
      const paths = coordinationPaths({ scope: 'workspace', root, platform, runtimeDir: '/run/user/1000' });
      const socket = paths.socketPath('control');
      expect(socket).toMatch(/^\/run\/user\/1000\/baton-[0-9a-f]{16}\.sock$/);
      expect(Buffer.byteLength(socket)).toBeLessThanOrEqual(maxSocketPathBytes(platform));
      // Stable and distinct per scope directory and name.
      expect(paths.socketPath('control')).toBe(socket);
      expect(paths.socketPath('other')).not.toBe(socket);
    }
  });

  it('respects the 104-byte macOS limit that Linux would accept', () => {
    // 105 bytes fits Linux (107) but not macOS (103).
    const root = '/' + 'x'.repeat(105 - '/.baton/s/c.sock'.length - 1);
    const linux = coordinationPaths({ scope: 's', root, platform: 'linux', runtimeDir: '/r' }).socketPath('c');
    const mac = coordinationPaths({ scope: 's', root, platform: 'darwin', runtimeDir: '/r' }).socketPath('c');
    expect(Buffer.byteLength(linux)).toBe(105);
    expect(mac.startsWith('/r/baton-')).toBe(true);
  });

  it('names Windows named pipes by hash', () => {
    const paths = coordinationPaths({ scope: 's', root: 'C:\\work', platform: 'win32' });
    expect(paths.socketPath('control')).toMatch(/^\\\\\.\\pipe\\baton-[0-9a-f]{16}$/);
  });

  it('rejects an empty or dot scope', () => {
    expect(() => coordinationPaths({ scope: '', root: tmp.path })).toThrow(InvalidArgumentError);
    expect(() => coordinationPaths({ scope: '..', root: tmp.path })).toThrow(/scope/);
  });

  for (const order of ['socketPath() then ensure()', 'ensure() then socketPath()']) {
    (posix ? it : it.skip)(`creates the runtime fallback directory 0700 when a socket needs it: ${order}`, async () => {
      const runtimeDir = join(tmp.path, 'runtime');
      const root = join(tmp.path, 'r'.repeat(120));
      const paths = coordinationPaths({ scope: 's', root, runtimeDir });
      if (order.startsWith('socketPath')) paths.socketPath('control');
      await paths.ensure();
      // The path handed out is usable at once: the directory exists, private.
      expect(paths.socketPath('control').startsWith(runtimeDir)).toBe(true);
      expect((await lstat(runtimeDir)).mode & 0o777).toBe(0o700);
    });
  }

  it('leaves the runtime directory alone when every socket fits under the scope directory', async () => {
    const runtimeDir = join(tmp.path, 'runtime');
    await coordinationPaths({ scope: 's', root: tmp.path, runtimeDir }).ensure();
    await expect(lstat(runtimeDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('toFileName', () => {
  it('keeps distinct names distinct and shortens long ones', () => {
    expect(toFileName('a/b')).toBe('a%2Fb');
    expect(toFileName('a%2Fb')).toBe('a%252Fb');
    expect(toFileName('ü')).toBe('%C3%BC');
    const long = toFileName('n'.repeat(500));
    expect(long.length).toBeLessThanOrEqual(80);
    expect(toFileName('n'.repeat(501))).not.toBe(long);
  });
});

describe('ensureSecureDirectory', () => {
  (posix ? it : it.skip)('refuses a directory writable by others, naming it and the fix', async () => {
    const dir = join(tmp.path, 'open');
    await mkdir(dir);
    await chmod(dir, 0o777);
    const err = await ensureSecureDirectory(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafePathError);
    expect((err as UnsafePathError).code).toBe('EUNSAFEPATH');
    expect((err as Error).message).toContain(dir);
    expect((err as Error).message).toContain('0777');
    expect((err as Error).message).toContain('chmod 700');
  });

  (posix ? it : it.skip)('refuses a directory writable by others for root as for anyone (checkSecureDirectory too)', async () => {
    // Root can write anywhere, but the other users who can write to a 0777 directory can plant
    // files there for root to trust: the rule does not depend on who runs.
    const dir = join(tmp.path, 'open');
    await mkdir(dir);
    await chmod(dir, 0o777);
    await expect(checkSecureDirectory(dir)).rejects.toMatchObject({ code: 'EUNSAFEPATH' });
    await chmod(dir, 0o1777);
    // The mode as ls shows it, sticky bit included (it read 0777).
    await expect(ensureSecureDirectory(dir)).rejects.toMatchObject({ code: 'EUNSAFEPATH', message: expect.stringContaining('mode 1777 lets group or others write') });
    await chmod(dir, 0o755);
    await expect(checkSecureDirectory(dir)).resolves.toBe(0o755);
  });

  (posix && isRoot ? it : it.skip)('refuses a directory owned by another user', async () => {
    const dir = join(tmp.path, 'theirs');
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, 65534, 65534);
    const err = await ensureSecureDirectory(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafePathError);
    expect((err as Error).message).toMatch(/owned by uid 65534/);
  });

  (posix && isRoot ? it : it.skip)('refuses a scope directory of another user through coordinationPaths.ensure()', async () => {
    const paths = coordinationPaths({ scope: 'ws', root: tmp.path });
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    await chown(paths.dir, 65534, 65534);
    await expect(paths.ensure()).rejects.toBeInstanceOf(UnsafePathError);
  });

  (posix ? it : it.skip)('refuses a symbolic link and a plain file', async () => {
    const real = join(tmp.path, 'real');
    await mkdir(real, { mode: 0o700 });
    const link = join(tmp.path, 'link');
    await symlink(real, link);
    await expect(ensureSecureDirectory(link)).rejects.toThrow(/symbolic link/);
    const file = join(tmp.path, 'file');
    await writeFile(file, '');
    await expect(ensureSecureDirectory(file)).rejects.toThrow();
  });

  (posix ? it : it.skip)('tightens a directory of ours that others can read', async () => {
    const dir = join(tmp.path, 'readable');
    await mkdir(dir);
    await chmod(dir, 0o755);
    await ensureSecureDirectory(dir);
    expect((await lstat(dir)).mode & 0o777).toBe(0o700);
  });
});
