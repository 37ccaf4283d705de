#!/usr/bin/env node
// Builds the example extension (example/, the README's quick start) as an extension author ships one: bundled by
// esbuild into CommonJS with `vscode` and the OS-lock addon external, then packed by vsce into
// example/dist/baton-windows-example-<version>.vsix. Run `pnpm --filter @baton/vscode build` first.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { packVsix } from '@baton/bundling/vsix';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = join(root, 'example');
const manifest = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8'));

if (!existsSync(join(root, 'dist', 'index.js'))) {
  process.stderr.write('example: @baton/vscode is not built: run `pnpm --filter @baton/vscode build` first\n');
  process.exit(1);
}
try {
  await build({
    absWorkingDir: example,
    entryPoints: ['src/extension.ts'],
    outfile: join(example, 'dist', 'extension.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'fs-native-extensions'],
    // The package as its users import it: its built entry.
    alias: { '@baton/vscode': join(root, 'dist', 'index.js') },
    sourcemap: 'linked',
    logLevel: 'warning',
    // `import.meta` is empty in CommonJS: the loaders that read it fall back to the bundle's own `require`.
    logOverride: { 'empty-import-meta': 'silent' },
  });
  const { private: _private, type: _type, ...vsixManifest } = manifest;
  const { out, kib } = packVsix({
    root,
    // The addon comes with @baton/base (an extension of your own lists fs-native-extensions as its dependency).
    addonFrom: join(root, '..', 'base'),
    stage: join(example, 'dist', 'vsix'),
    manifest: { ...vsixManifest, categories: ['Other'] },
    files: [[join(example, 'dist', 'extension.cjs'), 'dist/extension.cjs']],
    out: join(example, 'dist', `${manifest.name}-${manifest.version}.vsix`),
  });
  process.stdout.write(`${out}: ${kib} KiB\n`);
} catch (err) {
  process.stderr.write(`example: ${err.message}\n`);
  process.exitCode = 1;
}
