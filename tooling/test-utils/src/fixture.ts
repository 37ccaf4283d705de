import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Esbuild from 'esbuild';
import { createInterface } from 'node:readline';

// Node's own require (not the test runner's): esbuild and tsx are loaded as Node loads them.
const require = createRequire(import.meta.url);
const tsxLoader = pathToFileURL(require.resolve('tsx/esm')).href;

export interface FixtureOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Pass stderr through to the test's stderr (default: collect it for error messages). */
  inheritStderr?: boolean;
  /** Options for node itself, before the file (V8 flags such as `--no-lazy` that NODE_OPTIONS refuses). */
  nodeArgs?: readonly string[];
}

export interface Fixture {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every stdout line so far. */
  readonly lines: readonly string[];
  readonly stderr: () => string;
  /** Resolves with the first stdout line (past or future) that matches. */
  waitForLine(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Calls `listener` with every later stdout line. */
  onLine(listener: (line: string) => void): () => void;
  /** Writes a line to the child's stdin. */
  send(line: string): void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

const live = new Set<Fixture>();

/** How this process runs each TypeScript fixture, by source file: its bundle, or undefined for tsx's loader. */
const runAs = new Map<string, string | undefined>();

/**
 * How to run a TypeScript fixture in one plain node process (so SIGKILL/SIGSTOP reach the code under test, not a
 * wrapper). A fixture inside a package is bundled with esbuild, its own package's sources in and every package it
 * imports left to node, into that package's `node_modules/.cache/baton-fixtures/` (named by the bundle's hash, so
 * processes and test files share it), and runs with node alone: a start through tsx's loader costs about 0.6 s of
 * CPU (its loader thread and per-module transforms) against 0.16 s bundled, and a test run starts some 460
 * fixtures. Names are kept (`keepNames`), as tsx keeps them: error classes name themselves from their class.
 * A file outside any package (a README example in a temp dir) or one that finds files beside itself runs through
 * tsx's loader, as does every fixture when `BATON_FIXTURE_LOADER=tsx`.
 */
function runnable(file: string): string[] {
  if (/\.[cm]?js$/.test(file)) return [file];
  const absolute = resolve(file);
  if (!runAs.has(absolute)) runAs.set(absolute, bundleFor(absolute));
  const out = runAs.get(absolute);
  // Stack traces name the TypeScript source (the bundle carries its source map inline).
  return out === undefined ? ['--import', tsxLoader, file] : ['--enable-source-maps', out];
}

/** The fixture's bundle, or undefined where it runs through tsx. */
function bundleFor(file: string): string | undefined {
  const root = process.env.BATON_FIXTURE_LOADER === 'tsx' || findsFilesBesideItself(file) ? undefined : packageRoot(dirname(file));
  if (root === undefined) return undefined;
  // Named by its path in the package, so two fixtures with one file name do not meet.
  const name = relative(root, file).slice(0, -extname(file).length).replace(/[\\/]/g, '_');
  return bundle(file, join(root, 'node_modules', '.cache', 'baton-fixtures'), name);
}

/**
 * Whether the fixture finds files by its own location (`new URL('../..', import.meta.url)`, as the benchmarks'
 * fixtures find their package's build): a bundle runs from the cache directory, where that would point elsewhere.
 * (`fileURLToPath(import.meta.url)` alone, a process starting itself again, is right for a bundle too.)
 */
function findsFilesBesideItself(file: string): boolean {
  return /new URL\([^;]*import\.meta\.url/.test(readFileSync(file, 'utf8'));
}

/** The nearest directory at or above `dir` with both a package.json and a node_modules. */
function packageRoot(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'package.json')) && existsSync(join(at, 'node_modules'))) return at;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * esbuild without its worker thread: that thread (and the esbuild process it keeps) would outlive the call in the
 * test's own process, where tests count descriptors and handles before and after. Each build then runs esbuild once,
 * synchronously, and leaves nothing behind. esbuild reads the switch when it is first loaded.
 */
function loadEsbuild(): typeof Esbuild {
  const before = process.env.ESBUILD_WORKER_THREADS;
  process.env.ESBUILD_WORKER_THREADS = '0';
  try {
    return require('esbuild') as typeof Esbuild;
  } finally {
    if (before === undefined) delete process.env.ESBUILD_WORKER_THREADS;
    else process.env.ESBUILD_WORKER_THREADS = before;
  }
}

function bundle(entry: string, cacheDir: string, name: string): string {
  const { buildSync } = loadEsbuild();
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    keepNames: true,
    sourcemap: 'inline',
    // The bundle runs from cacheDir: its source map's paths are relative to that.
    outfile: join(cacheDir, `${name}.mjs`),
    write: false,
    logLevel: 'silent',
  });
  const contents = result.outputFiles[0]!.contents;
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 12);
  const out = join(cacheDir, `${name}-${hash}.mjs`);
  if (!existsSync(out)) {
    mkdirSync(cacheDir, { recursive: true });
    // Written whole under a private name and renamed: another test process may start it at any moment.
    const temp = `${out}.${process.pid}.tmp`;
    writeFileSync(temp, contents);
    renameSync(temp, out);
    // Bundles of earlier versions of this fixture, unless recent (a run still using one).
    for (const old of readdirSync(cacheDir)) {
      if (!/^[0-9a-f]{12}\.mjs$/.test(old.slice(name.length + 1)) || !old.startsWith(`${name}-`) || join(cacheDir, old) === out) continue;
      try {
        if (Date.now() - statSync(join(cacheDir, old)).mtimeMs > 3_600_000) unlinkSync(join(cacheDir, old));
      } catch {
        // Removed by another process meanwhile.
      }
    }
  }
  return out;
}

/**
 * Runs a file as a real child process with a line-oriented stdout: TypeScript bundled (see `runnable`), plain
 * JavaScript (.js, .mjs, .cjs) with node alone.
 */
export function spawnFixture(file: string, args: readonly string[] = [], options: FixtureOptions = {}): Fixture {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...runnable(file), ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', options.inheritStderr ? 'inherit' : 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const listener of listeners) listener(line);
  });
  // A child killed while we write to its stdin must not fail the test with EPIPE.
  child.stdin?.on('error', () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const matches = (line: string, pattern: RegExp | string) =>
    typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line);

  const fixture: Fixture = {
    child,
    pid: child.pid ?? -1,
    lines,
    stderr: () => stderr,
    waitForLine(pattern, timeoutMs = 10_000) {
      const seen = lines.find((line) => matches(line, pattern));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`fixture ${file} (pid ${child.pid}) printed no line matching ${String(pattern)} within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
        }, timeoutMs);
        const listener = (line: string) => {
          if (!matches(line, pattern)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(line);
        };
        listeners.add(listener);
        void exited.then(({ code, signal }) => {
          if (!listeners.has(listener)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          reject(new Error(`fixture ${file} exited (code ${code}, signal ${signal}) before printing ${String(pattern)}; stderr: ${stderr.slice(-2000)}`));
        });
      });
    },
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    send(line) {
      child.stdin?.write(line + '\n');
    },
    exited,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  live.add(fixture);
  void exited.then(() => live.delete(fixture));
  return fixture;
}

/** Kills every fixture still running (call it in afterEach/afterAll) and waits for them to exit. */
export async function killAllFixtures(): Promise<void> {
  const running = [...live];
  for (const fixture of running) {
    // A stopped process cannot act on SIGKILL until it is continued on some systems. Windows has no
    // SIGCONT (nor SIGSTOP): Node throws ERR_UNKNOWN_SIGNAL for it there.
    if (process.platform !== 'win32') fixture.kill('SIGCONT');
    fixture.kill('SIGKILL');
  }
  await Promise.all(running.map((fixture) => fixture.exited));
}

/**
 * Continues a fixture that stops itself (prints a line, then raises SIGSTOP), once it has stopped.
 * On a busy machine the test can act on the line before the fixture runs again to raise the
 * signal: a SIGCONT sent then comes first and is lost, and the fixture stays stopped for good while
 * the test counts it as running. Waits (every millisecond, up to `timeoutMs`) for the stopped state,
 * then continues it; returns at once when the process has exited.
 */
export async function continueWhenStopped(fixture: Fixture, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (processState(fixture.pid) === 'running' && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  fixture.kill('SIGCONT');
}

/** Stopped by a signal (state T), running (any other live state), or gone (exited, a zombie, unreadable). */
export function processState(pid: number): 'stopped' | 'running' | 'gone' {
  let state: string;
  try {
    if (process.platform === 'linux') {
      // `pid (comm) state ...`: the name may hold spaces and parentheses; the state follows the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } else {
      state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim().slice(0, 1);
    }
  } catch {
    return 'gone';
  }
  return state === 'T' ? 'stopped' : state === '' || state === 'Z' || state === 'X' ? 'gone' : 'running';
}

/**
 * Whether `pid` is a live process (a zombie, dead but not yet reaped, counts as gone). A
 * negative pid names a process group: alive while any member is.
 */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform === 'win32') return true;
  if (pid < 0) {
    const members = execFileSync('ps', ['-eo', 'pgid=,stat='], { encoding: 'utf8' }).trim().split('\n');
    return members.some((line) => {
      const [pgid, stat] = line.trim().split(/\s+/);
      return Number(pgid) === -pid && !stat!.startsWith('Z');
    });
  }
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat.length > 0 && !stat.startsWith('Z');
  } catch {
    return false; // ps exits 1 when the process is gone
  }
}
