#!/usr/bin/env node
// Bundles the extension as VS Code loads it: one CommonJS file, `vscode` provided by the host,
// the OS-lock addon external (it loads its prebuilt binary relative to its own directory and is
// shipped beside the bundle in node_modules; see @baton/base's README, "Bundling").
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}dist/extension.cjs`;

try {
  await build({
    absWorkingDir: root,
    entryPoints: ['src/extension.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'fs-native-extensions'],
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  process.stdout.write(`dist/extension.cjs: ${Math.round((await stat(outfile)).size / 1024)} KiB\n`);
} catch (err) {
  process.stderr.write(`bundle failed: ${err.message}\n`);
  process.exitCode = 1;
}
