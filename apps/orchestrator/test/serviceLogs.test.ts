import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noopLogger } from '@baton/base';
import { makeTempDir, type TempDir } from '@baton/test-utils';
import { ServiceLogs } from '../src/serviceLogs.js';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await tmp.cleanup();
});

describe('ServiceLogs', () => {
  it('rotates by size, keeps `keep` old files, and the current file never goes missing between lines', async () => {
    const logs = new ServiceLogs({ dir: tmp.path, maxBytes: 200, keep: 2, logger: noopLogger });
    const path = join(tmp.path, 'api.log');
    const written: string[] = [];
    for (let i = 0; i < 40; i++) {
      const line = `line ${i} ${'x'.repeat(20)}`;
      logs.write({ name: 'api', stream: 'stdout', line, at: Date.UTC(2026, 0, 1) + i });
      written.push(line);
      // Each line in its own turn, as a service's lines come when it prints slowly: written as the turn ends.
      await Promise.resolve();
      // Right after a rotation too: a reader opening the current file always finds it.
      expect(existsSync(path)).toBe(true);
    }
    logs.close();
    expect(existsSync(`${path}.3`)).toBe(false);
    const kept = [readFileSync(`${path}.2`, 'utf8'), readFileSync(`${path}.1`, 'utf8'), readFileSync(path, 'utf8')].join('');
    const lines = kept.split('\n').filter(Boolean);
    // The newest lines, in order and whole, each stamped.
    expect(lines.map((l) => l.split(' | ')[1])).toEqual(written.slice(-lines.length));
    expect(lines[0]).toMatch(/^2026-01-01T00:00:00\.\d{3}Z stdout \| line \d+ x+$/);
    expect(readFileSync(`${path}.1`, 'utf8').length).toBeGreaterThanOrEqual(200);
  });

  it('the lines of one turn go out in one write as it ends, each whole; close writes what is left', async () => {
    const logs = new ServiceLogs({ dir: tmp.path, maxBytes: 1_000_000, keep: 1, logger: noopLogger });
    const path = join(tmp.path, 'api.log');
    for (let i = 0; i < 1000; i++) logs.write({ name: 'api', stream: 'stdout', line: `line ${i}`, at: Date.UTC(2026, 0, 1) });
    // Nothing yet: the turn has not ended.
    expect(existsSync(path)).toBe(false);
    await Promise.resolve();
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' | ')[1])).toEqual(Array.from({ length: 1000 }, (_, i) => `line ${i}`));
    logs.write({ name: 'api', stream: 'stderr', line: 'the last', at: Date.UTC(2026, 0, 1) });
    logs.close();
    expect(readFileSync(path, 'utf8').trim().split('\n').at(-1)).toMatch(/stderr \| the last$/);
  });
});
