// CPU and memory of the services' processes, for the terminal view: from /proc on Linux (no process started), from
// `ps` on macOS and the BSDs, none on Windows (the columns show '-').
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { ProcessStats } from './model.js';

const clockTicks = 100; // USER_HZ on Linux
const pageBytes = 4096;

/** Samples CPU time per pid between calls (CPU % is over the time since the previous sample). */
export class ProcessSampler {
  private readonly _last = new Map<number, { cpuSeconds: number; at: number }>();

  async sample(pids: readonly number[]): Promise<Map<number, ProcessStats>> {
    const result = new Map<number, ProcessStats>();
    if (process.platform === 'win32' || pids.length === 0) return result;
    const now = performance.now();
    const raw = process.platform === 'linux' ? await linux(pids) : await ps(pids);
    for (const [pid, { cpuSeconds, rssBytes, cpuPercent }] of raw) {
      const last = this._last.get(pid);
      const percent = cpuPercent ?? (last && cpuSeconds !== undefined ? (100 * (cpuSeconds - last.cpuSeconds)) / ((now - last.at) / 1000) : undefined);
      if (cpuSeconds !== undefined) this._last.set(pid, { cpuSeconds, at: now });
      result.set(pid, { cpuPercent: percent === undefined ? undefined : Math.max(0, percent), rssBytes });
    }
    for (const pid of this._last.keys()) if (!raw.has(pid)) this._last.delete(pid);
    return result;
  }
}

type Raw = Map<number, { cpuSeconds?: number; cpuPercent?: number; rssBytes: number | undefined }>;

async function linux(pids: readonly number[]): Promise<Raw> {
  const out: Raw = new Map();
  await Promise.all(
    pids.map(async (pid) => {
      try {
        // Fields after the command (which may hold spaces and parentheses): state is the 3rd field of the file.
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(pid, { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicks, rssBytes: Number(fields[21]) * pageBytes });
      } catch {
        // gone
      }
    }),
  );
  return out;
}

function ps(pids: readonly number[]): Promise<Raw> {
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'pid=,%cpu=,rss=', '-p', pids.join(',')], { timeout: 2000 }, (error, stdout) => {
      const out: Raw = new Map();
      if (!error || stdout) {
        for (const line of stdout.trim().split('\n')) {
          const [pid, cpu, rss] = line.trim().split(/\s+/).map(Number);
          if (pid) out.set(pid, { cpuPercent: cpu, rssBytes: rss === undefined ? undefined : rss * 1024 });
        }
      }
      resolve(out);
    });
  });
}
