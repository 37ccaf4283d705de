#!/usr/bin/env node
// The browser build: one ES module with its dependencies (zod, @baton/base/portable), for a <script type="module">
// or a page's own bundler. platform 'browser' makes any Node built-in that slipped in a build error.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/index.js'],
  outfile: 'dist/browser/webdevsync.js',
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
