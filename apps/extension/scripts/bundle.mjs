#!/usr/bin/env node
// Bundles the extension as VS Code loads it: CommonJS, `vscode` provided by the host, the OS-lock
// addon external (it loads its prebuilt binary relative to its own directory and is shipped beside
// the bundle in node_modules; see @baton/base's README, "Bundling"). Two files: dist/extension.cjs,
// the few lines activate() runs, and dist/window.cjs, everything else, required once activate() has
// returned: compiling half a megabyte of JavaScript takes about 10 ms that activation need not wait for.
//
// `--e2e` builds the end-to-end tests' variant, with the test hooks (src/e2eHooks.ts) in it; the release build has
// none of their code (the branch that loads them is cut at build time). `--out <dir>`: elsewhere than dist/.
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({ options: { e2e: { type: 'boolean', default: false }, out: { type: 'string' } } });
const out = args.out ? resolve(args.out) : `${root}dist`;
// `import.meta` is empty in CommonJS: the packages that read it (base's OS-lock loader, telemetry's pino-pretty loader)
// fall back to the bundle's own `require` then, so esbuild's warning about it says nothing here.
const common = { define: { 'process.env.BATON_HEALTHWATCH_E2E_BUILD': JSON.stringify(args.e2e ? '1' : '0') }, absWorkingDir: root, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'fs-native-extensions'], sourcemap: 'linked', logLevel: 'warning', logOverride: { 'empty-import-meta': 'silent' } };

/** extension.ts imports './window.js': at run time that is the other bundle, dist/window.cjs. */
const windowBundle = {
  name: 'window-bundle',
  setup(b) {
    b.onResolve({ filter: /^\.\/window\.js$/ }, () => ({ path: './window.cjs', external: true }));
  },
};

try {
  await build({ ...common, entryPoints: ['src/window.ts'], outfile: `${out}/window.cjs` });
  // require(), not import(): VS Code loads extensions with require, and require is what its loader intercepts.
  await build({ ...common, entryPoints: ['src/extension.ts'], outfile: `${out}/extension.cjs`, plugins: [windowBundle], supported: { 'dynamic-import': false } });
  for (const file of ['extension.cjs', 'window.cjs']) process.stdout.write(`${relative(root, `${out}/${file}`)}: ${Math.round((await stat(`${out}/${file}`)).size / 1024)} KiB${args.e2e ? ' (with the e2e hooks)' : ''}\n`);
} catch (err) {
  process.stderr.write(`bundle failed: ${err.message}\n`);
  process.exitCode = 1;
}
