import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@baton/test-utils';
import type { Logger } from '@baton/base';
import { createElection, type Election } from '../src/index.js';

let tmp: TempDir;
const open: Election[] = [];

function recordingLogger(lines: string[]): Logger {
  const logger: Logger = {
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (obj, msg) => lines.push(`${msg} ${JSON.stringify(obj)}`),
    error: (obj, msg) => lines.push(`${msg} ${JSON.stringify(obj)}`),
    child: () => logger,
  };
  return logger;
}

async function elect(lines: string[] = []): Promise<Election> {
  const e = createElection({ dir: tmp.path, leaseMs: 200, pollMs: 5, logger: recordingLogger(lines) });
  open.push(e);
  await e.start();
  return e;
}

const lockDir = () => join(tmp.path, 'leader.lock');

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
  await tmp.cleanup();
});

describe('garbage on disk never wedges the name', () => {
  it('an empty term file with no holder: taken over at once with the next token', async () => {
    await mkdir(lockDir(), { recursive: true, mode: 0o700 });
    await writeFile(join(lockDir(), '000000000000005.term'), '');
    const e = await elect();
    expect(e.token).toBe(6);
  });

  it('a truncated or corrupt term record: reported, and the name is still taken over', async () => {
    await mkdir(lockDir(), { recursive: true, mode: 0o700 });
    await writeFile(join(lockDir(), '000000000000003.term'), '{"id":"x","pi');
    const lines: string[] = [];
    const e = await elect(lines);
    expect(e.token).toBe(4);
    expect(lines.some((l) => l.startsWith('term record is corrupt'))).toBe(true);
  });

  it('foreign files in the lock directory are reported and ignored', async () => {
    await mkdir(lockDir(), { recursive: true, mode: 0o700 });
    await writeFile(join(lockDir(), 'README'), 'not a slot');
    await writeFile(join(lockDir(), '12.term'), 'short name');
    const lines: string[] = [];
    const e = await elect(lines);
    expect(e.token).toBe(1);
    expect(lines.filter((l) => l.startsWith('ignoring a file that is not a lock slot'))).toHaveLength(2);
  });

  it('a plain file where the lock directory belongs is moved aside', async () => {
    await writeFile(lockDir(), 'pid=1234 from an older locking scheme');
    const lines: string[] = [];
    const e = await elect(lines);
    expect(e.isLeader).toBe(true);
    expect(lines.some((l) => l.startsWith('lock path held a file'))).toBe(true);
    expect((await readdir(tmp.path)).some((n) => n.startsWith('leader.lock.corrupt-'))).toBe(true);
  });

  it('a stale term whose holder record is unlocked (holder gone) never creates two holders', async () => {
    await mkdir(lockDir(), { recursive: true, mode: 0o700 });
    await writeFile(join(lockDir(), '000000000000009.term'), JSON.stringify({ id: 'ghost', pid: 999999 }));
    const [a, b, c] = await Promise.all([elect(), elect(), elect()]);
    const leaders = [a, b, c].filter((e) => e!.isLeader);
    expect(leaders).toHaveLength(1);
    expect(leaders[0]!.token).toBe(10);
  });
});
