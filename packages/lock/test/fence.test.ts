import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@baton/test-utils';
import { FenceCorruptError, StaleTokenError, createFence } from '../src/index.js';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await tmp.cleanup();
});

describe('createFence', () => {
  it('accepts equal and newer tokens and refuses older ones without running the work', async () => {
    const fence = createFence({ dir: tmp.path, name: 'db' });
    const ran: number[] = [];
    await fence.run(3, () => ran.push(3));
    await fence.run(3, () => ran.push(3));
    await fence.run(5, () => ran.push(5));
    const err = await fence.run(4, () => ran.push(4)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleTokenError);
    expect((err as StaleTokenError).code).toBe('ESTALETOKEN');
    expect((err as Error).message).toMatch(/token 4.*token 5/);
    expect(ran).toEqual([3, 3, 5]);
    expect(await fence.highest()).toBe(5);
  });

  it('remembers the highest token across instances (persisted)', async () => {
    await createFence({ dir: tmp.path, name: 'db' }).run(7, () => {});
    await expect(createFence({ dir: tmp.path, name: 'db' }).run(6, () => {})).rejects.toBeInstanceOf(StaleTokenError);
  });

  it('runs work of concurrent callers one at a time', async () => {
    const fence = createFence({ dir: tmp.path, name: 'db' });
    let inside = 0;
    let maxInside = 0;
    let ran = 0;
    // One token for all (one term's callers): every call runs, none is refused as stale.
    await Promise.all(Array.from({ length: 10 }, () => fence.run(5, async () => {
      inside++;
      ran++;
      maxInside = Math.max(maxInside, inside);
      await new Promise((r) => setTimeout(r, 2));
      inside--;
    })));
    expect(ran).toBe(10);
    expect(maxInside).toBe(1);
  });

  it('reports a corrupt state file clearly and does not run the work', async () => {
    await writeFile(join(tmp.path, 'db.fence'), 'garbage');
    let ran = false;
    const err = await createFence({ dir: tmp.path, name: 'db' }).run(1, () => (ran = true)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FenceCorruptError);
    expect((err as Error).message).toContain('db.fence');
    expect(ran).toBe(false);
  });
});
