#!/usr/bin/env node
// `pnpm --filter @baton/extension package`: builds dist/baton-health-watch-<version>.vsix.
//
// vsce collects dependencies with npm, which cannot read pnpm's linked node_modules, so the
// package is staged in dist/vsix: the manifest (this package.json under the extension's own
// name, without the workspace's fields), the bundle, and in node_modules the one thing the bundle
// does not contain, the OS-lock addon with its dependencies, copied from this install.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const name = 'baton-health-watch';
const stage = join(root, 'dist', 'vsix');
const out = join(root, 'dist', `${name}-${manifest.version}.vsix`);

function fail(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(1);
}

for (const file of ['extension.cjs', 'window.cjs']) {
  try {
    statSync(join(root, 'dist', file));
  } catch {
    fail(`dist/${file} is missing: run \`pnpm --filter @baton/extension build\` first`);
  }
}
// The end-to-end tests' build carries their hooks (scripts/bundle.mjs --e2e): never shipped by mistake.
const e2eBuild = readFileSync(join(root, 'dist', 'window.cjs'), 'utf8').includes('BATON_HEALTHWATCH_E2E');
if (e2eBuild && !process.argv.includes('--e2e')) fail('dist/window.cjs is the end-to-end tests\' build (with their hooks): run `pnpm --filter @baton/extension build` before packaging a release');
if (!e2eBuild && process.argv.includes('--e2e')) fail('--e2e: dist/window.cjs has no test hooks: run `node scripts/bundle.mjs --e2e` first');

/**
 * The directory of `pkg` as Node finds it from `fromDir` (the nearest node_modules/<pkg> up the
 * tree; not require.resolve, which a package's `exports` may refuse), pnpm's link resolved.
 */
function packageDir(pkg, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    try {
      return realpathSync(join(dir, 'node_modules', pkg));
    } catch {
      if (dirname(dir) === dir) fail(`${pkg} is not installed (looked up from ${fromDir}): run pnpm install`);
    }
  }
}

/** `pkg` and everything it depends on, each once, by name -> directory. */
function closure(pkg, fromDir, found = new Map()) {
  if (found.has(pkg)) return found;
  const dir = packageDir(pkg, fromDir);
  found.set(pkg, dir);
  const deps = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies ?? {};
  for (const dep of Object.keys(deps)) closure(dep, dir, found);
  return found;
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, 'dist'), { recursive: true });
const shipped = closure('fs-native-extensions', root);
const dependencies = { 'fs-native-extensions': manifest.dependencies['fs-native-extensions'] };
for (const [pkg, dir] of shipped) cpSync(dir, join(stage, 'node_modules', pkg), { recursive: true, dereference: true });

const vsixManifest = {
  name,
  displayName: manifest.displayName,
  description: manifest.description,
  version: manifest.version,
  publisher: manifest.publisher,
  license: manifest.license,
  engines: { vscode: manifest.engines.vscode },
  main: manifest.main,
  activationEvents: manifest.activationEvents,
  contributes: manifest.contributes,
  categories: ['Other'],
  dependencies,
};
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(vsixManifest, null, 2)}\n`);
for (const file of ['extension.cjs', 'window.cjs']) cpSync(join(root, 'dist', file), join(stage, 'dist', file));
cpSync(join(root, 'schemas'), join(stage, 'schemas'), { recursive: true });
// The README's links into the monorepo mean nothing inside the .vsix: keep their text only.
const readme = readFileSync(join(root, 'README.md'), 'utf8').replace(/\[([^\]]+)\]\((?!https?:)[^)]+\)/g, '$1');
writeFileSync(join(stage, 'README.md'), readme);
writeFileSync(join(stage, '.vscodeignore'), '**/*.map\n**/*.c\n**/*.h\n**/CMakeLists.txt\nnode_modules/fs-native-extensions/src/**\nnode_modules/fs-native-extensions/include/**\n');

const vsce = join(dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');
try {
  execFileSync(process.execPath, [vsce, 'package', '--allow-missing-repository', '--skip-license', '--out', out], { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] });
} catch {
  fail('vsce package failed (its message is above)');
}
process.stdout.write(`${out}: ${Math.round(statSync(out).size / 1024)} KiB\n`);
