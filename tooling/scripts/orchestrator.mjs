#!/usr/bin/env node
// `pnpm orchestrator <command>` from the repo root: builds what the orchestrator needs (turbo,
// cached, quiet unless it fails; skipped when the bundle is newer than its sources), then runs its CLI
// in this process, so signals reach it directly.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = join(root, 'apps', 'orchestrator', 'dist', 'orchestrator.mjs');
// Apps the demo's orchestrator.yaml runs from their builds (the WebDevSync relay): built along with it.
const demoApps = ['devsync-relay'];

/**
 * Whether the bundle is newer than every source it is built from (the app and the packages it
 * uses): a stat of a few hundred files, where asking turbo costs a process start and a hash of
 * every input. Anything newer, or no bundle, and turbo builds what changed.
 */
function bundleIsFresh() {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  const apps = ['orchestrator', ...demoApps].map((name) => join(root, 'apps', name));
  const packages = apps.flatMap((dir) =>
    Object.keys(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies ?? {})
      .filter((name) => name.startsWith('@baton/'))
      .map((name) => join(root, 'packages', name.slice('@baton/'.length))),
  );
  for (const dir of new Set([...apps, ...packages])) {
    for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) {
      if (existsSync(join(dir, file)) && statSync(join(dir, file)).mtimeMs > built) return false;
    }
    for (const entry of readdirSync(join(dir, 'src'), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > built) return false;
    }
  }
  return statSync(join(root, 'pnpm-lock.yaml')).mtimeMs <= built && statSync(join(root, 'tooling', 'scripts', 'bundle.mjs')).mtimeMs <= built;
}

let ok = true;
if (!bundleIsFresh()) {
  const build = spawnSync(turbo(), ['run', 'build', '--filter=@baton/orchestrator...', ...demoApps.map((name) => `--filter=@baton/${name}...`), '--output-logs=errors-only'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
    shell: process.platform === 'win32',
  });
  if (build.status !== 0) {
    process.stderr.write(`orchestrator: the build failed:\n${build.stdout}${build.stderr}`);
    process.exitCode = 1;
    ok = false;
  } else if (existsSync(bundle)) {
    // Turbo found the bundle current for these sources (built or restored): say so by its time, so
    // the next call need not ask again for a touched but unchanged file.
    const now = new Date();
    utimesSync(bundle, now, now);
  }
}
if (ok) await import(pathToFileURL(bundle).href);

function turbo() {
  return join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
}
