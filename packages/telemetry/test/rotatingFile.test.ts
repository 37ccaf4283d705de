import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@baton/test-utils';
import { InvalidArgumentError } from '@baton/base';
import { RotatingFile, createLogger, rotatingDestination } from '../src/index.js';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await tmp.cleanup();
});

describe('RotatingFile', () => {
  it('never holds more than (keep + 1) files of about maxBytes, keeps the newest lines whole and in order, and the file is never missing', () => {
    const path = join(tmp.path, 'logs', 'own.log');
    const file = new RotatingFile({ path, maxBytes: 1000, keep: 2 });
    const line = (n: number) => `line ${String(n).padStart(6, '0')} ${'x'.repeat(40)}\n`;
    for (let n = 0; n < 5000; n++) {
      file.write(line(n));
      // A reader between two writes always finds the file.
      if (n % 97 === 0) expect(existsSync(path)).toBe(true);
    }
    file.close();
    const files = readdirSync(join(tmp.path, 'logs')).sort();
    expect(files).toEqual(['own.log', 'own.log.1', 'own.log.2']);
    for (const name of files) expect(statSync(join(tmp.path, 'logs', name)).size).toBeLessThan(1000 + line(0).length);
    // Oldest first: .2, .1, then the file itself; the last line written is the last line kept, none split or missing.
    const kept = ['own.log.2', 'own.log.1', 'own.log'].flatMap((name) => readFileSync(join(tmp.path, 'logs', name), 'utf8').split('\n').filter(Boolean));
    const numbers = kept.map((l) => Number(/^line (\d+) x+$/.exec(l)![1]));
    expect(numbers.at(-1)).toBe(4999);
    numbers.forEach((n, i) => i > 0 && expect(n).toBe(numbers[i - 1]! + 1));
  });

  it('keep 0 keeps only the current file; new limits apply from the next write; bad limits are refused by name', () => {
    const path = join(tmp.path, 'one.log');
    const file = new RotatingFile({ path, maxBytes: 100, keep: 0 });
    for (let n = 0; n < 50; n++) file.write(`${n} ${'y'.repeat(20)}\n`);
    expect(readdirSync(tmp.path)).toEqual(['one.log']);
    file.setLimits(10_000, 1);
    for (let n = 0; n < 50; n++) file.write(`${n} ${'y'.repeat(20)}\n`);
    expect(statSync(path).size).toBeGreaterThan(1000);
    file.close();
    expect(() => file.setLimits(0, 1)).toThrow(InvalidArgumentError);
    expect(() => new RotatingFile({ path, maxBytes: 10, keep: -1 })).toThrow(/one\.log: keep must be a whole number >= 0, got -1/);
  });

  it('as a logger destination: JSON lines in a bounded file; a file that cannot be written drops lines, counts them, and the process goes on', () => {
    const path = join(tmp.path, 'app.log');
    const destination = rotatingDestination(new RotatingFile({ path, maxBytes: 2000, keep: 1 }));
    const logger = createLogger({ name: 'test', destination });
    for (let n = 0; n < 200; n++) logger.info({ n }, 'a line');
    expect(readdirSync(tmp.path).sort()).toEqual(['app.log', 'app.log.1']);
    const lines = [`${path}.1`, path].flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ n: 199, msg: 'a line', name: 'test' });
    // A directory where the file should be: no write can succeed there, not even root's.
    destination.file.close();
    rmSync(path);
    mkdirSync(path);
    const stderr = process.stderr.write;
    const said: string[] = [];
    process.stderr.write = ((chunk: string) => said.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      for (let n = 0; n < 3; n++) logger.info({ n }, 'lost');
    } finally {
      process.stderr.write = stderr;
    }
    expect(destination.dropped).toBe(3);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/cannot write the log file .*app\.log: /);
  });
});
