import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServiceSpecInput } from '../src/index.js';

export const worker = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));

/** A service running the worker fixture in `mode`. */
export function svc(mode: string, args: string[] = [], extra: Partial<ServiceSpecInput> = {}): ServiceSpecInput {
  return { command: process.execPath, args: [worker, mode, ...args], ...extra };
}

/** Pids of live processes in process group `pgid` (via ps). */
export function groupMembers(pgid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, g, stat]) => Number(g) === pgid && !stat!.startsWith('Z'))
    .map(([p]) => Number(p));
}


let nextPort = 20_000 + Math.floor(Math.random() * 20_000);
export const freePort = () => nextPort++;
