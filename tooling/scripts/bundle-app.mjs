#!/usr/bin/env node
// Bundles an app's entry points, with the workspace's own packages (@baton/*) inside, into single ES module
// files, so that the packed app installs from its tarball (`npm install -g`) with only npm packages as
// dependencies. Everything else (npm packages, the OS-lock addon, Node's modules) stays external: the app's
// package.json lists those npm packages in its dependencies.
//
//   node tooling/scripts/bundle-app.mjs <entry>=<out> ... [--copy <module specifier>=<out>]
//
// Run from the app's directory (its build script does), after its dependencies are built.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const entries = [];
const copies = [];
for (let i = 0; i < args.length; i++) {
  const target = args[i] === '--copy' ? copies : entries;
  const pair = args[i] === '--copy' ? args[++i] : args[i];
  const [from, to] = pair?.split('=') ?? [];
  if (!from || !to) {
    console.error(`bundle-app: expected <entry>=<out> or --copy <specifier>=<out>, got ${JSON.stringify(pair)}`);
    process.exit(2);
  }
  target.push({ from, to });
}

/** Bare imports other than @baton/* stay imports: they are the app's npm dependencies (or Node's own). */
const workspaceInside = {
  name: 'workspace-inside',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@baton/') ? undefined : { path: args.path, external: true }));
  },
};

for (const { from, to } of entries) {
  await build({ entryPoints: [from], outfile: to, bundle: true, platform: 'node', format: 'esm', target: 'node20', plugins: [workspaceInside], logLevel: 'warning', legalComments: 'none' });
}
const require = createRequire(join(process.cwd(), 'package.json'));
for (const { from, to } of copies) {
  mkdirSync(dirname(resolve(to)), { recursive: true });
  copyFileSync(require.resolve(from), to);
}
