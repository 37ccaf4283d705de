// Services that print without end (`yes`, two of them), beside a quiet one, with output files as the orchestrator uses them:
// the disk stays bounded, what cannot be read in time is dropped and counted (never silently), the event loop keeps
// answering (timers, and so a control socket), the quiet service loses nothing, and stop is prompt.
// FLOOD_SECONDS (default 4) for a longer run.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, percentile, sleep, type TempDir } from '@baton/test-utils';
import type { Logger } from '@baton/base';
import { createSupervisor } from '../src/index.js';
import { maxLineChars, outputFileLimitBytes } from '../src/outputFile.js';
import { svc } from './helpers.js';

const seconds = Number(process.env.FLOOD_SECONDS ?? 4);
const posix = process.platform !== 'win32';
let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await tmp.cleanup();
});

function recordingLogger(warnings: string[]): Logger {
  const logger: Logger = {
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (_obj, msg) => void warnings.push(msg ?? ''),
    error: () => {},
    child: () => logger,
  };
  return logger;
}

describe('a service that floods its output', () => {
  (posix ? it : it.skip)(`two services printing without end (yes) for ${seconds} s beside a quiet one: bounded files, counted drops, a responsive event loop, bounded CPU, every quiet line kept`, async () => {
    const outputDir = join(tmp.path, 'output');
    const warnings: string[] = [];
    const sup = createSupervisor({
      services: {
        yes: { command: 'yes', args: ['a line of output that a service prints in a loop'] },
        yes2: { command: 'yes', args: ['another line printed in a loop'] },
        quiet: svc('log', ['quiet line'], {}),
      },
      outputDir,
      logOutput: false,
      logger: recordingLogger(warnings),
    });
    const quietLines: string[] = [];
    sup.onDidOutput((o) => o.name === 'quiet' && quietLines.push(o.line));
    try {
      await sup.start();
      const cpuBefore = process.cpuUsage();
      const wallBefore = performance.now();
      // Timer lateness through the flood: what a control socket's answer would wait for.
      const lateness: number[] = [];
      let biggest = 0;
      const until = performance.now() + seconds * 1000;
      while (performance.now() < until) {
        const before = performance.now();
        await sleep(20);
        lateness.push(performance.now() - before - 20);
        biggest = Math.max(biggest, readdirSync(outputDir).reduce((sum, name) => sum + statSync(join(outputDir, name)).size, 0));
      }
      const cpu = process.cpuUsage(cpuBefore);
      const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
      const yes = sup.services.find((s) => s.name === 'yes')!;
      process.stdout.write(`flood: ${seconds} s of yes: output dropped ${yes.outputDroppedBytes} bytes, output files at most ${biggest} bytes in all, timer lateness p50 ${percentile(lateness, 50).toFixed(1)} / p99 ${percentile(lateness, 99).toFixed(1)} / max ${Math.max(...lateness).toFixed(1)} ms, CPU ${cpuShare.toFixed(2)} of a core (user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s)\n`);
      // Reading the services' output, both floods together, takes at most a quarter of a core over time (the rest is
      // dropped, counted): this process's whole CPU (the test's own loop and the kernel freeing what is cut back
      // besides: 0.54-0.55 here) stays well below a core, where a reader that keeps up as best it can takes all of one.
      expect(cpuShare).toBeLessThan(0.75);
      expect(yes.state).toBe('ready');
      // Dropped and counted, and said in the log.
      expect(yes.outputDroppedBytes).toBeGreaterThan(0);
      expect(warnings.some((w) => /^[\d,]+ bytes of output dropped from yes/.test(w))).toBe(true);
      // The disk: the limit, and what the writer appends while a cut back runs (tens of milliseconds on this VM: `yes`
      // appends about half a gigabyte a second). Unbounded, 4 s of it left 2-3 GB.
      expect(biggest).toBeLessThan(outputFileLimitBytes + 512 * 1024 * 1024);
      // The event loop answered throughout (the reader used to loop until it caught up, which `yes` never lets it:
      // seconds without a turn). The figure itself is a benchmark: a few tens of milliseconds at p99 here.
      expect(percentile(lateness, 99)).toBeLessThan(1000);
      // The quiet service's line arrived whole.
      expect(quietLines).toEqual(['started log ' + sup.services.find((s) => s.name === 'quiet')!.pid, 'quiet line']);
      const stopping = performance.now();
      await sup.stop();
      expect(performance.now() - stopping).toBeLessThan(2000);
    } finally {
      await sup.stop();
      sup.dispose();
    }
  }, 60_000);

  (posix ? it : it.skip)('a 1 MiB line without a newline, then binary output: delivered in pieces of at most 64 KiB, every byte of the line kept', async () => {
    const script = "head -c 1048576 /dev/zero | tr '\\0' a; printf '\\nend of the long line\\n'; head -c 200000 /dev/urandom; printf '\\nafter the binary\\n'; sleep 30";
    const sup = createSupervisor({ services: { odd: { command: 'sh', args: ['-c', script] } }, outputDir: join(tmp.path, 'output'), logOutput: false, logger: recordingLogger([]) });
    const lines: string[] = [];
    sup.onDidOutput((o) => lines.push(o.line));
    try {
      await sup.start();
      const deadline = performance.now() + 20_000;
      while (!lines.includes('after the binary') && performance.now() < deadline) await sleep(50);
      expect(lines).toContain('after the binary');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(maxLineChars);
      const end = lines.indexOf('end of the long line');
      // The long line: every one of its 1,048,576 characters, in order, in pieces.
      const pieces = lines.slice(0, end).filter((l) => /^a+$/.test(l));
      expect(pieces.join('').length).toBe(1024 * 1024);
      expect(pieces.length).toBe(16);
      // Binary output: decoded as text (invalid UTF-8 as U+FFFD), in lines of at most the bound, then the next line whole.
      expect(lines.indexOf('after the binary')).toBeGreaterThan(end);
    } finally {
      await sup.stop();
      sup.dispose();
    }
  }, 60_000);
});
