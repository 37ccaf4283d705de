#!/usr/bin/env node
// `pnpm test`: runs every workspace package's tests through turbo, then prints one closing
// line counted from each package's jest results: `tests: N passed, N failed[, N skipped]`.
// Extra arguments go to turbo (for example `pnpm test --filter @baton/lock`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const groups = ['packages', 'apps', 'tooling'];

function workspacePackages() {
  const found = [];
  for (const group of groups) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const manifest = join(dir, entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      if (pkg.scripts?.test) found.push({ name: pkg.name, dir: join(dir, entry.name) });
    }
  }
  return found;
}

const packages = workspacePackages();
// Stale results must not be counted; turbo restores them from its cache when a run is a hit.
for (const pkg of packages) rmSync(join(pkg.dir, '.test-results'), { recursive: true, force: true });

const turboBin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
// Two packages at a time: their tests run real processes, and timing bounds stay meaningful on
// a 2-core machine when the suites do not all compete at once.
const run = spawnSync(turboBin, ['run', 'test', '--continue', '--concurrency=2', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  shell: process.platform === 'win32',
});

const filtered = process.argv.slice(2).some((arg) => arg.startsWith('--filter'));
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const pkg of packages) {
  const file = join(pkg.dir, '.test-results', 'summary.json');
  if (!existsSync(file)) {
    if (!filtered) missing.push(pkg.name);
    continue;
  }
  const summary = JSON.parse(readFileSync(file, 'utf8'));
  passed += summary.passed;
  failed += summary.failed + summary.failedSuites;
  skipped += summary.skipped;
}
// A package whose tests did not report (a build error, a crash of jest) counts as one failure.
if (missing.length > 0) {
  process.stderr.write(`no test results from: ${missing.join(', ')}\n`);
  failed += missing.length;
}

const turboFailed = run.status !== 0;
if (turboFailed && failed === 0) failed = 1;
process.stdout.write(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || turboFailed ? 1 : 0);
