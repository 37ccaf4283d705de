import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

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

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
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
