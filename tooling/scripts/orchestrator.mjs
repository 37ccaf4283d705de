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

/** What each build must be newer than: the app's sources and those of the packages it uses. */
const builds = [
  { output: bundle, app: 'orchestrator' },
  ...demoApps.map((app) => ({ output: join(root, 'apps', app, 'dist', `${app}.mjs`), app })),
];

/**
 * Whether every build (the orchestrator's bundle, each demo app's dist) is newer than every source it is built from:
 * a stat of a few hundred files, where asking turbo costs a process start and a hash of every input. Anything newer,
 * or a build missing, and turbo builds what changed.
 */
function buildsAreFresh() {
  return builds.every(({ output, app }) => {
    let built;
    try {
      built = statSync(output).mtimeMs;
    } catch {
      return false;
    }
    const appDir = join(root, 'apps', app);
    const packages = Object.keys(JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')).dependencies ?? {})
      .filter((name) => name.startsWith('@baton/'))
      .map((name) => join(root, 'packages', name.slice('@baton/'.length)));
    for (const dir of [appDir, ...packages]) {
      for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) {
        if (existsSync(join(dir, file)) && statSync(join(dir, file)).mtimeMs > built) return false;
      }
      for (const entry of readdirSync(join(dir, 'src'), { recursive: true, withFileTypes: true })) {
        if (entry.isFile() && statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs > built) return false;
      }
    }
    return statSync(join(root, 'pnpm-lock.yaml')).mtimeMs <= built && statSync(join(root, 'tooling', 'scripts', 'bundle.mjs')).mtimeMs <= built;
  });
}

let ok = true;
if (!buildsAreFresh()) {
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
  } else {
    // Turbo found the builds current for these sources (built or restored): say so by their times, so
    // the next call need not ask again for a touched but unchanged file.
    const now = new Date();
    for (const { output } of builds) if (existsSync(output)) utimesSync(output, now, now);
  }
}
if (ok) await import(pathToFileURL(bundle).href);

function turbo() {
  return join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
}
