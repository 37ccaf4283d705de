import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { closeSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '@baton/base';
import { isAlive, killAllFixtures, makeTempDir, spawnFixture, waitFor, type TempDir } from '@baton/test-utils';
import { ReadinessError, createSupervisor } from '../src/index.js';
import { OutputTail, openOutputForChild } from '../src/outputFile.js';
import { noopLogger } from '@baton/base';
import { groupMembers, svc, worker } from './helpers.js';

const supervisorFixture = fileURLToPath(new URL('./fixtures/supervisorProcess.ts', import.meta.url));
const posix = process.platform !== 'win32';
let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await killAllFixtures();
  await tmp.cleanup();
});

function follow(path: string, limitBytes?: number): { tail: OutputTail; lines: string[] } {
  const lines: string[] = [];
  const tail = new OutputTail(path, (line) => lines.push(line), noopLogger, systemClock, limitBytes);
  return { tail, lines };
}

describe('OutputTail', () => {
  it('delivers lines as they are appended: CRLF, multi-byte characters split across writes, a last partial line on drain', async () => {
    const path = join(tmp.path, 'svc.stdout.log');
    const fd = openOutputForChild(path);
    const { tail, lines } = follow(path);
    const euro = Buffer.from('price: 3 \u20ac\n');
    writeSync(fd, 'one\r\ntwo\n');
    writeSync(fd, euro.subarray(0, euro.length - 2));
    await waitFor(() => lines.length === 2, { what: 'two lines' });
    writeSync(fd, euro.subarray(euro.length - 2));
    writeSync(fd, 'no newline at the end');
    await waitFor(() => lines.length === 3, { what: 'the third line' });
    tail.drain();
    closeSync(fd);
    expect(lines).toEqual(['one', 'two', 'price: 3 \u20ac', 'no newline at the end']);
  });

  it('cuts the file back once read past the limit; the writer appends at the new end, no hole, no line lost', async () => {
    const path = join(tmp.path, 'svc.stdout.log');
    const fd = openOutputForChild(path);
    const { tail, lines } = follow(path, 1000);
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      const line = `line ${i} ${'x'.repeat(40)}`;
      sent.push(line);
      writeSync(fd, `${line}\n`);
      if (i % 20 === 19) await waitFor(() => lines.length === i + 1, { what: `line ${i}` });
    }
    tail.drain();
    closeSync(fd);
    expect(lines).toEqual(sent);
    // The file stayed near the limit, and holds no zeros from a write at a stale offset.
    expect(statSync(path).size).toBeLessThan(2000);
    expect(readFileSync(path).includes(0)).toBe(false);
  });
});

describe('supervisor output files', () => {
  it('readiness and the ReadinessError see every line, including those printed right before the exit', async () => {
    const outputDir = join(tmp.path, 'output');
    const sup = createSupervisor({
      outputDir,
      services: {
        ok: { ...svc('log', ['listening']), readiness: { type: 'log', pattern: 'listening' } },
        // A program rather than a shell line, so that Windows (cmd.exe) runs it too; exitCode rather than
        // process.exit, which would drop output still queued for a pipe on Windows.
        dying: { command: process.execPath, args: ['-e', "console.log('first'); console.error('last words'); process.exitCode = 3"], tier: 1, readiness: { type: 'log', pattern: 'never' } },
      },
    });
    const err = await sup.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReadinessError);
    expect((err as ReadinessError).lastLines).toEqual(['first', 'last words']);
    expect(readFileSync(join(outputDir, 'ok.stdout.log'), 'utf8')).toContain('listening');
    // Windows has no mode bits to check (stat reports 0o666 or 0o777 whatever the ACL).
    if (posix) expect(statSync(outputDir).mode & 0o777).toBe(0o700);
    await sup.stop();
    sup.dispose();
  });

  (posix ? it : it.skip)('a service that prints outlives its SIGKILLed supervisor with output files, and dies of the broken pipe without', async () => {
    for (const files of [true, false]) {
      const stateFile = join(tmp.path, `supervisor-${files}.json`);
      const outputDir = join(tmp.path, `output-${files}`);
      const first = spawnFixture(supervisorFixture, [stateFile, worker, ...(files ? [outputDir] : [])]);
      const pids = (await first.waitForLine(/^pids /, 20_000)).split(' ').slice(1).map(Number);
      const printer = pids[2]!;
      first.kill('SIGKILL');
      await first.exited;
      if (files) {
        const size = statSync(join(outputDir, 'c.stdout.log')).size;
        // 25 more lines written into a file nobody reads any more.
        await waitFor(() => statSync(join(outputDir, 'c.stdout.log')).size >= size + 25 * 'tick\n'.length, { what: 'more output' });
        expect(isAlive(printer)).toBe(true);
      } else {
        // The reader of its pipe is gone: the shell's next echo gets SIGPIPE.
        await waitFor(() => !isAlive(printer), { what: 'the printer to die of SIGPIPE' });
      }
      // A new supervisor stops the leftovers.
      const next = createSupervisor({ stateFile, services: {} });
      await next.cleanupOrphans();
      expect(pids.filter(isAlive)).toEqual([]);
      expect(groupMembers(pids[1]!)).toEqual([]);
    }
  }, 60_000);
});
