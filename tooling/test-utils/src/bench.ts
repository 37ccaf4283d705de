import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { percentile } from './wait.js';

export type Row = Record<string, string | number>;

/**
 * Imports a package's built entry (`dist/index.js`), typed as its source: `importBuilt<typeof
 * Ipc>(new URL('..', import.meta.url))` from a bench file. Benches measure what users run; loaded
 * through tsx, `src/` would go through esbuild's keepNames transform, which wraps every closure in
 * a naming call (about 2 us per IPC round trip). The bench scripts build the package first.
 */
export async function importBuilt<T>(packageDir: URL): Promise<T> {
  return (await import(new URL('dist/index.js', packageDir).href)) as T;
}

/** A markdown table from rows with the same keys. */
export function markdownTable(rows: readonly Row[]): string {
  if (rows.length === 0) return '';
  const headers = Object.keys(rows[0]!);
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map((row) => line(headers.map((h) => row[h] ?? '')))].join('\n');
}

/**
 * The machine, and what two things every process pays for cost on it: a system call made from
 * Node, and the first write to a page of fresh memory (the kernel's page fault). Under some
 * hypervisors both are many times what they cost on bare metal, and the figures of process
 * wakeups, failovers and teardown move with them; the line lets a reader compare machines.
 */
export function machineDescription(): string {
  const cpu = cpus();
  const costs = machineCosts();
  const vm = costs.virtualMachine ? '; a virtual machine' : '';
  return `${cpu.length} x ${cpu[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}${vm}; a system call from Node ${costs.syscallUs} us, the first write to a page ${costs.pageFaultUs} us`;
}

export interface MachineCosts {
  /** Microseconds per `fstatSync` of an open file: one system call and Node's binding. */
  readonly syscallUs: number;
  /** Microseconds per first write to a 4 KiB page of freshly allocated memory (one page fault). */
  readonly pageFaultUs: number;
  /** Linux says it runs under a hypervisor (the `hypervisor` CPU flag). */
  readonly virtualMachine: boolean;
}

let measuredCosts: MachineCosts | undefined;

/**
 * Measured once per process (about half a second here): the median of five rounds of each, after
 * one to warm up. Wall time: on a busy machine both figures include the waits for a CPU.
 */
export function machineCosts(): MachineCosts {
  if (measuredCosts) return measuredCosts;
  const calls = 10_000;
  const pages = 2048;
  const syscall: number[] = [];
  const fault: number[] = [];
  const fd = openSync(process.execPath, 'r');
  try {
    // The first round warms the code up and is not counted.
    for (let round = 0; round < 6; round++) {
      let start = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) fstatSync(fd);
      const syscallUs = Number(process.hrtime.bigint() - start) / calls / 1000;
      // allocUnsafeSlow: a fresh allocation of its own, not from Node's pool; 8 MiB goes to mmap.
      const memory = Buffer.allocUnsafeSlow(pages * 4096);
      start = process.hrtime.bigint();
      for (let i = 0; i < pages; i++) memory[i * 4096] = 1;
      const faultUs = Number(process.hrtime.bigint() - start) / pages / 1000;
      if (round === 0) continue;
      syscall.push(syscallUs);
      fault.push(faultUs);
    }
  } finally {
    closeSync(fd);
  }
  let virtualMachine = false;
  try {
    virtualMachine = process.platform === 'linux' && /^flags\s*:.*\bhypervisor\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    // Not readable: say nothing of it.
  }
  measuredCosts = { syscallUs: round(percentile(syscall, 50), 2), pageFaultUs: round(percentile(fault, 50), 2), virtualMachine };
  return measuredCosts;
}

/**
 * Writes `bench/results/<name>.json` in `packageDir` with the rows and the machine. A short run
 * (`BENCH_QUICK=1`) writes `<name>.quick.json` instead (not kept in git): the committed file is
 * the record of a full run, which the figures in docs/BENCHMARKS.md come from.
 */
export function writeBenchResults(packageDir: string, name: string, rows: readonly Row[], extra: Record<string, unknown> = {}): string {
  const dir = join(packageDir, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, process.env.BENCH_QUICK === '1' ? `${name}.quick.json` : `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, date: new Date().toISOString(), machine: machineDescription(), rows, ...extra }, null, 2) + '\n');
  return file;
}

/** Rounds to `digits` decimals for display. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
