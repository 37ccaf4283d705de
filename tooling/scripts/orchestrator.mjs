#!/usr/bin/env node
// `pnpm orchestrator <command>` from the repo root: builds what the orchestrator needs (turbo,
// cached, quiet unless it fails), then runs its CLI in this process, so signals reach it directly.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const turbo = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
const build = spawnSync(turbo, ['run', 'build', '--filter=@baton/orchestrator...', '--output-logs=errors-only'], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
  shell: process.platform === 'win32',
});
if (build.status !== 0) {
  process.stderr.write(`orchestrator: the build failed:\n${build.stdout}${build.stderr}`);
  process.exitCode = 1;
} else {
  await import(pathToFileURL(join(root, 'apps', 'orchestrator', 'dist', 'orchestrator.mjs')).href);
}
