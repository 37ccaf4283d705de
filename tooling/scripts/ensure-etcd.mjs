#!/usr/bin/env node
// Makes sure the etcd binary is on PATH for @baton/etcd's tests and benchmarks: installs it when
// missing and the machine allows (Debian/Ubuntu apt as root or with password-less sudo; Homebrew
// on macOS), and otherwise fails with a sentence saying what to install. Never skips.
import { spawnSync } from 'node:child_process';

const has = (command, args = ['--version']) => {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return !result.error && result.status === 0;
};
const run = (command, args) => spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;

if (has('etcd')) process.exit(0);

let installed = false;
if (process.platform === 'linux' && has('apt-get', ['--version'])) {
  const root = process.getuid?.() === 0;
  const prefix = root ? [] : has('sudo', ['-n', 'true']) ? ['sudo', '-n'] : undefined;
  if (prefix) {
    process.stderr.write('etcd is missing: installing Debian\'s etcd-server with apt-get\n');
    const apt = (...args) => (prefix.length ? run(prefix[0], [...prefix.slice(1), 'apt-get', ...args]) : run('apt-get', args));
    installed = apt('update', '-qq') && apt('install', '-y', '-qq', 'etcd-server') && has('etcd');
  }
} else if (process.platform === 'darwin' && has('brew')) {
  process.stderr.write('etcd is missing: installing it with Homebrew\n');
  installed = run('brew', ['install', 'etcd']) && has('etcd');
}

if (!installed) {
  process.stderr.write(
    "error: @baton/etcd's tests need the etcd binary and it could not be installed here; install it (Debian/Ubuntu: 'sudo apt-get install etcd-server', macOS: 'brew install etcd', Windows: the etcd release zip on PATH) and run again\n",
  );
  process.exit(1);
}
