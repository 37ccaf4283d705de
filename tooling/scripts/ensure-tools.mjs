#!/usr/bin/env node
// Makes sure the programs a package's tests start are on PATH, installing what is missing when the
// machine allows (Debian/Ubuntu apt as root or with password-less sudo; Homebrew on macOS), and
// otherwise failing with a sentence saying what to install. Never skips.
//   node tooling/scripts/ensure-tools.mjs <binary>=<debian package>[=<brew formula>] ...
// For example `etcd=etcd-server=etcd` (@baton/etcd) or `redis-server=redis-server=redis nginx=nginx`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Exit status 0 only: `sudo -n true` answers 1 when a password would be needed.
const has = (command, args = ['--version']) => {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return !result.error && result.status === 0;
};
const onPath = (binary) => {
  const result = spawnSync(process.platform === 'win32' ? 'where' : 'sh', process.platform === 'win32' ? [binary] : ['-c', `command -v ${binary}`], { stdio: 'ignore' });
  return result.status === 0;
};
const run = (command, args) => spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;

const wanted = process.argv.slice(2).map((arg) => {
  const [binary, debian = binary, brew = debian] = arg.split('=');
  return { binary, debian, brew };
});
let missing = wanted.filter((tool) => !onPath(tool.binary));
if (missing.length === 0) process.exit(0);

// Package tests run two at a time: one install at a time (apt holds one lock), and the second
// finds what the first installed. The lock is a directory; one older than 10 minutes is stale.
const lock = join(tmpdir(), 'baton-ensure-tools.lock');
for (;;) {
  try {
    mkdirSync(lock);
    break;
  } catch {
    try {
      if (Date.now() - statSync(lock).mtimeMs > 600_000) rmSync(lock, { recursive: true, force: true });
    } catch {
      // Removed meanwhile.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
process.on('exit', () => rmSync(lock, { recursive: true, force: true }));
missing = missing.filter((tool) => !onPath(tool.binary));
if (missing.length === 0) process.exit(0);

const names = missing.map((t) => t.binary).join(', ');
let installed = false;
if (process.platform === 'linux' && has('apt-get', ['--version'])) {
  const root = process.getuid?.() === 0;
  const prefix = root ? [] : has('sudo', ['-n', 'true']) ? ['sudo', '-n'] : undefined;
  if (prefix) {
    process.stderr.write(`missing ${names}: installing ${missing.map((t) => t.debian).join(' ')} with apt-get\n`);
    const apt = (...args) => (prefix.length ? run(prefix[0], [...prefix.slice(1), 'apt-get', ...args]) : run('apt-get', args));
    installed = apt('update', '-qq') && apt('install', '-y', '-qq', ...missing.map((t) => t.debian));
  }
} else if (process.platform === 'darwin' && has('brew')) {
  process.stderr.write(`missing ${names}: installing ${missing.map((t) => t.brew).join(' ')} with Homebrew\n`);
  installed = run('brew', ['install', ...missing.map((t) => t.brew)]);
}

const still = missing.filter((tool) => !onPath(tool.binary));
if (!installed || still.length > 0) {
  process.stderr.write(
    `error: these tests need ${still.map((t) => t.binary).join(', ') || names} and they could not be installed here; install ${(still.length ? still : missing)
      .map((t) => `'${t.binary}' (Debian/Ubuntu: 'sudo apt-get install ${t.debian}', macOS: 'brew install ${t.brew}')`)
      .join(', ')} and run again\n`,
  );
  process.exit(1);
}
