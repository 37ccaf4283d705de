import { afterEach, describe, expect, it } from '@jest/globals';
import { appendFile, readFile, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { noopLogger } from '@baton/base';
import { killAllFixtures, makeTempDir, spawnFixture, type TempDir } from '@baton/test-utils';
import { PairedUsers } from '../src/paired.js';
import { startRelay, type TestRelay } from './helpers.js';

const pairer = fileURLToPath(new URL('./fixtures/pairer.ts', import.meta.url));
const hex = (n: number) => n.toString(16).padStart(64, '0');

let dirs: TempDir[] = [];
let relays: TestRelay[] = [];
afterEach(async () => {
  killAllFixtures();
  for (const relay of relays) await relay.cleanup();
  for (const dir of dirs) await dir.cleanup();
  relays = [];
  dirs = [];
});

/** Bytes this process has written (Linux's /proc/self/io `wchar`), or undefined where there is no such file. */
function bytesWritten(): number | undefined {
  if (!existsSync('/proc/self/io')) return undefined;
  const match = /^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  return match ? Number(match[1]) : undefined;
}

async function tempDir(): Promise<TempDir> {
  const dir = await makeTempDir('devsync-paired-');
  dirs.push(dir);
  return dir;
}

describe('paired users', () => {
  it('cost O(1) a pairing: the log is folded into the snapshot as it grows, and everything is there after a reopen', async () => {
    const dir = await tempDir();
    const users = await PairedUsers.open(dir.path, noopLogger);
    const count = 3000;
    const writtenBefore = bytesWritten();
    for (let i = 0; i < count; i++) {
      await users.record({ kind: 'paired', userId: `user-${i}`, desktop: hex(i), browser: hex(i + 1), at: Date.now() });
    }
    await users.record({ kind: 'token', userId: 'user-7', pairing: { hash: hex(99), expiresAt: Date.now() + 60_000 } });
    await users.close();
    const writtenAfter = bytesWritten();
    const stored = (await stat(`${dir.path}/pairings.log`)).size + (await stat(`${dir.path}/pairings.state.json`)).size;
    // O(1) a pairing counted in bytes written, not in time: the log and the snapshot's rewrites (each after the log
    // has outgrown the users) add up to a few times what is stored; a snapshot rewritten on each pairing would be
    // about count / 2 = 1,500 times it.
    if (writtenBefore !== undefined && writtenAfter !== undefined) {
      process.stdout.write(`3,000 pairings: ${writtenAfter - writtenBefore} bytes written, ${stored} stored\n`);
      expect(writtenAfter - writtenBefore).toBeLessThan(stored * 8);
    }
    // Folded: the log holds fewer records than the users, the snapshot the rest.
    const log = (await stat(`${dir.path}/pairings.log`)).size;
    const snapshot = (await stat(`${dir.path}/pairings.state.json`)).size;
    expect(log).toBeLessThan(snapshot);
    const reopened = await PairedUsers.open(dir.path, noopLogger);
    expect(reopened.size).toBe(count);
    expect(reopened.get('user-2999')).toMatchObject({ desktop: hex(2999), browsers: [hex(3000)] });
    expect(reopened.get('user-7')?.pairing?.hash).toBe(hex(99));
    await reopened.close();
  }, 120_000);

  it('a process killed (SIGKILL) at any moment loses no pairing it had recorded, and invents none', async () => {
    const dir = await tempDir();
    const recorded = new Map<string, number>();
    // Kills at different points: early, mid-way, and in the third round past the point where the log is folded into
    // the snapshot (its records outnumber the users: about 2,300 users in), where a kill can land in a fold.
    for (const [round, killAfter] of [80, 700, 4000].entries()) {
      const child = spawnFixture(pairer, [dir.path, `round${round}`]);
      await child.waitForLine(/^open$/, 30_000);
      await child.waitForLine(new RegExp(`^recorded round${round}-${killAfter - 1} `), 120_000);
      child.kill('SIGKILL');
      await child.exited;
      for (const line of child.lines) {
        const match = /^recorded (\S+) (\d)$/.exec(line);
        if (match) recorded.set(match[1]!, Number(match[2]));
      }
      const users = await PairedUsers.open(dir.path, noopLogger);
      try {
        for (const [userId, browsers] of recorded) expect([userId, users.get(userId)?.browsers.length]).toEqual([userId, browsers]);
        // Nothing beyond what the killed process was writing when it died (at most one user more than it printed).
        expect(users.size - recorded.size).toBeLessThanOrEqual(round + 1);
      } finally {
        await users.close();
      }
    }
  }, 300_000);

  it('a damaged tail of the log (a torn record) is cut off; every earlier pairing stays', async () => {
    const dir = await tempDir();
    const users = await PairedUsers.open(dir.path, noopLogger);
    for (let i = 0; i < 10; i++) await users.record({ kind: 'paired', userId: `user-${i}`, desktop: hex(i), browser: hex(i + 1), at: Date.now() });
    await users.close();
    await appendFile(`${dir.path}/pairings.log`, Buffer.from([0x40, 0, 0, 0, 1, 2, 3, 4, 0x7b, 0x22]));
    const reopened = await PairedUsers.open(dir.path, noopLogger);
    expect(reopened.size).toBe(10);
    await reopened.close();
    expect(await readFile(`${dir.path}/pairings.state.json`, 'utf8')).toContain('user-9');
  });

  it('a second relay on the same data directory is refused (EDATADIRBUSY), naming the directory; after the first stops it starts', async () => {
    const first = await startRelay();
    relays.push(first);
    await expect(startRelay({}, first.dir)).rejects.toMatchObject({ code: 'EDATADIRBUSY', message: expect.stringContaining(`${first.dir.path}/data`) });
    const second = await first.restart();
    relays.push(second);
    expect(second.relay.status()).toMatchObject({ pairedUsers: 0 });
  });
});
