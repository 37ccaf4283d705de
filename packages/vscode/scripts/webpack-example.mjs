#!/usr/bin/env node
// Bundles the example extension with webpack (5, CommonJS for Node, as a webpack-built extension ships), beside the
// esbuild build of scripts/example.mjs: `vscode` and the OS-lock addon external, the package as its users import it
// (its built entry). The TypeScript is turned into JavaScript by esbuild first, file by file (what ts-loader would
// do); webpack does the bundling. `node scripts/webpack-example.mjs <out dir>` writes <out dir>/extension.cjs.
import { mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import webpack from 'webpack';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.argv[2] ?? join(root, 'example', 'dist', 'webpack'));
const js = join(out, 'js');
mkdirSync(js, { recursive: true });
for (const file of readdirSync(join(root, 'example', 'src')).filter((f) => f.endsWith('.ts'))) {
  const { code } = transformSync(readFileSync(join(root, 'example', 'src', file), 'utf8'), { loader: 'ts', format: 'esm', target: 'node20' });
  writeFileSync(join(js, file.replace(/\.ts$/, '.js')), code);
}

const compiler = webpack({
  mode: 'none',
  target: 'node20',
  context: root,
  entry: join(js, 'extension.js'),
  output: { path: out, filename: 'extension.cjs', library: { type: 'commonjs2' }, chunkFormat: 'commonjs' },
  externals: { vscode: 'commonjs vscode', 'fs-native-extensions': 'commonjs fs-native-extensions' },
  externalsPresets: { node: true },
  resolve: { alias: { '@baton/vscode$': join(root, 'dist', 'index.js') }, extensionAlias: { '.js': ['.js', '.ts'] }, conditionNames: ['node', 'import', 'require', 'default'] },
  // One file, as esbuild's: the dynamic imports inlined.
  optimization: { splitChunks: false },
  plugins: [new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 })],
  devtool: false,
});
compiler.run((err, stats) => {
  compiler.close(() => {});
  if (err || stats?.hasErrors()) {
    process.stderr.write(`webpack-example: ${err?.message ?? stats.toString({ all: false, errors: true })}\n`);
    process.exitCode = 1;
    return;
  }
  const warnings = stats.toJson({ all: false, warnings: true }).warnings ?? [];
  for (const w of warnings) process.stderr.write(`webpack warning: ${w.message.split('\n')[0]}\n`);
  process.stdout.write(`${join(out, 'extension.cjs')}\n`);
});
