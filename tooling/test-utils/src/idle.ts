import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one idle process cost over a window: CPU, wakeups, and (with strace) file system calls. */
export interface IdleCost {
  readonly pid: number;
  readonly seconds: number;
  /** Percent of one core (user + system), from /proc/<pid>/stat (clock ticks: 10 ms each, so 0.017% over 60 s). */
  readonly cpuPercent: number;
  /**
   * The same from the scheduler's run time of every thread (/proc/<pid>/task/<tid>/schedstat, in
   * nanoseconds): finer than the ticks, which a process that runs 1 ms at a time only samples.
   * Undefined where the kernel does not keep it.
   */
  readonly runPercent: number | undefined;
  /** Voluntary context switches of the main thread per second: how often it sleeps and wakes. */
  readonly wakeupsPerSecond: number;
  /** File system calls per second (opens, stats, links, directory reads, locks, syncs), or undefined without strace. */
  readonly fileOpsPerSecond: number | undefined;
  /** The same, per system call, over the whole window. */
  readonly fileOps: Readonly<Record<string, number>> | undefined;
}

/** The system calls counted as file operations: every call that names a path, plus directory reads, locks and syncs. */
const fileCalls = '%file,getdents64,fcntl,flock,fsync,fdatasync';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function cpuTicks(pid: number): number {
  // Fields after the command name (which may contain spaces, so split after its closing parenthesis).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Nanoseconds on the CPU of every thread of `pid`, or undefined without schedstat. */
function runTimeNs(pid: number): number | undefined {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // A thread that ended meanwhile: its time is gone with it.
      }
    }
    return total;
  } catch {
    return undefined;
  }
}

function wakeups(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

export function hasStrace(): boolean {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Measures idle processes (Linux only): first CPU and wakeups over `seconds` with nothing attached,
 * then, when strace is installed, file system calls over another `seconds` (strace slows the
 * calls it stops, so the two windows are separate). All processes are measured at once.
 */
export async function measureIdle(pids: readonly number[], seconds: number): Promise<IdleCost[]> {
  const before = pids.map((pid) => ({ ticks: cpuTicks(pid), run: runTimeNs(pid), wakes: wakeups(pid), at: performance.now() }));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpu = pids.map((pid, i) => {
    const elapsed = (performance.now() - before[i]!.at) / 1000;
    const run = runTimeNs(pid);
    const runBefore = before[i]!.run;
    return {
      cpuPercent: ((cpuTicks(pid) - before[i]!.ticks) / clockTicks() / elapsed) * 100,
      runPercent: run === undefined || runBefore === undefined ? undefined : ((run - runBefore) / 1e9 / elapsed) * 100,
      wakeupsPerSecond: (wakeups(pid) - before[i]!.wakes) / elapsed,
    };
  });
  const files = hasStrace() ? await countFileCalls(pids, seconds) : pids.map(() => undefined);
  return pids.map((pid, i) => ({
    pid,
    seconds,
    ...cpu[i]!,
    fileOps: files[i],
    fileOpsPerSecond: files[i] ? Object.values(files[i]).reduce((a, b) => a + b, 0) / seconds : undefined,
  }));
}

async function countFileCalls(pids: readonly number[], seconds: number): Promise<Record<string, number>[]> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-idle-'));
  try {
    const runs = pids.map((pid, i) => {
      const output = join(dir, `${i}.txt`);
      const child = spawn('strace', ['-f', '-c', '-e', `trace=${fileCalls}`, '-o', output, '-p', String(pid)], { stdio: 'ignore' });
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return { child, output, done };
    });
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    for (const run of runs) run.child.kill('SIGINT');
    await Promise.all(runs.map((run) => run.done));
    return Promise.all(runs.map(async (run) => parseStraceSummary(await readFile(run.output, 'utf8').catch(() => ''))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `strace -c` table rows: "% time seconds usecs/call calls [errors] syscall". */
function parseStraceSummary(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5 || !/^\d/.test(fields[0]!)) continue;
    const name = fields.at(-1)!;
    if (name === 'total') continue;
    counts[name] = Number(fields[3]);
  }
  return counts;
}
