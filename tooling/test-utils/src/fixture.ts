import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
// Fixtures are TypeScript files run in a single real node process through tsx's loader,
// so SIGKILL/SIGSTOP reach the process under test itself and not a wrapper.
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

/**
 * Runs a file as a real child process with a line-oriented stdout: TypeScript through tsx's loader,
 * plain JavaScript (.js, .mjs) with node alone (nothing extra in its memory or start-up).
 */
export function spawnFixture(file: string, args: readonly string[] = [], options: FixtureOptions = {}): Fixture {
  const loader = /\.m?js$/.test(file) ? [] : ['--import', tsxLoader];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, file, ...args], {
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
