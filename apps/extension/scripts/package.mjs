#!/usr/bin/env node
// `pnpm --filter @baton/extension package`: builds dist/baton-health-watch-<version>.vsix.
//
// Staged in dist/vsix (tooling/scripts/vsix.mjs): the manifest (this package.json under the extension's own name,
// without the workspace's fields), the bundle, the schemas, and the OS-lock addon.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packVsix } from '@baton/bundling/vsix';

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
};
// The README's links into the monorepo mean nothing inside the .vsix: keep their text only.
const readme = readFileSync(join(root, 'README.md'), 'utf8').replace(/\[([^\]]+)\]\((?!https?:)[^)]+\)/g, '$1');
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', 'README.vsix.md'), readme);
try {
  const { kib } = packVsix({
    root,
    stage,
    manifest: vsixManifest,
    out,
    files: [
      ...['extension.cjs', 'window.cjs'].map((file) => [join(root, 'dist', file), join('dist', file)]),
      [join(root, 'schemas'), 'schemas'],
      [join(root, 'dist', 'README.vsix.md'), 'README.md'],
    ],
  });
  process.stdout.write(`${out}: ${kib} KiB\n`);
} catch (err) {
  fail(err.message);
}
