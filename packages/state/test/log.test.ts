import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { makeTempDir, type TempDir } from '@baton/test-utils';
import type { Logger } from '@baton/base';
import { openLog, openStore, type EventLog } from '../src/index.js';
import { faultPoints } from '../src/log.js';

let tmp: TempDir;
const logs: EventLog<unknown>[] = [];
async function open<E>(logger?: Logger): Promise<EventLog<E>> {
  const log = await openLog<E>({ dir: tmp.path, name: 'events', watch: false, ...(logger ? { logger } : {}) });
  logs.push(log as EventLog<unknown>);
  return log;
}
async function events<E>(log: EventLog<E>): Promise<E[]> {
  const all: E[] = [];
  for await (const { event } of log.read()) all.push(event);
  return all;
}
function warnings(into: string[]): Logger {
  const noop = () => {};
  const logger: Logger = { trace: noop, debug: noop, info: noop, warn: (_obj, msg) => into.push(msg ?? ''), error: (_obj, msg) => into.push(msg ?? ''), child: () => logger };
  return logger;
}

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  faultPoints.shortWrites = [];
  await Promise.all(logs.splice(0).map((l) => l.close()));
  await tmp.cleanup();
});

describe('EventLog appends', () => {
  it('a short write leaves a fragment, the record is written whole after it, and nothing after it is lost', async () => {
    const a = await open<string>();
    const b = await open<string>();
    await a.append('zero');
    faultPoints.shortWrites = [5];
    await a.append('one');
    await b.append('two');
    // Readers skip the fragment; a fresh open keeps everything after it.
    expect(await events(a)).toEqual(['zero', 'one', 'two']);
    const said: string[] = [];
    const fresh = await open<string>(warnings(said));
    expect(await events(fresh)).toEqual(['zero', 'one', 'two']);
    expect(said).toEqual(['bytes between records that are no record (a short write); readers skip them']);
    await fresh.append('three');
    expect(await events(fresh)).toEqual(['zero', 'one', 'two', 'three']);
  });

  it('gives up with EWRITEFAILED after three short writes of one record (a full disk), losing no other record', async () => {
    const log = await open<string>();
    await log.append('kept');
    faultPoints.shortWrites = [3, 3, 3];
    await expect(log.append('x'.repeat(100))).rejects.toMatchObject({ code: 'EWRITEFAILED' });
    await log.append('after');
    expect(await events(await open<string>())).toEqual(['kept', 'after']);
  });

  it('bytes between records that are no record (a hole of zeros) are skipped, not a reason to cut the log', async () => {
    const log = await open<number>();
    await log.append(1);
    await appendFile(log.file, Buffer.alloc(16));
    await log.append(2);
    await log.close();
    expect(await events(await open<number>())).toEqual([1, 2]);
  });

  it('a torn tail is still cut on open', async () => {
    const log = await open<number>();
    await log.append(1);
    const size = (await readFile(log.file)).length;
    await appendFile(log.file, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 123, 34]));
    await log.close();
    const fresh = await open<number>();
    expect((await readFile(fresh.file)).length).toBe(size);
    await fresh.append(2);
    expect(await events(fresh)).toEqual([1, 2]);
  });
});

describe('EventLog compaction markers', () => {
  it('a marker whose snapshot cannot be read is kept, and compact() says why instead of guessing', async () => {
    const log = await open<number>();
    await log.append(1);
    const snapshot = await openStore<number>({ dir: tmp.path, name: 'snapshot', initial: 0, watch: false });
    await writeFile(`${tmp.path}/events.log.compacting`, JSON.stringify({ generation: 1, end: 0, snapshotFile: snapshot.file, checksum: '00000000' }));
    await writeFile(snapshot.file, 'garbage');
    await expect(log.compact((s, e) => s + e, snapshot)).rejects.toMatchObject({ code: 'ECORRUPT' });
    expect(await readFile(`${tmp.path}/events.log.compacting`, 'utf8')).toContain('snapshotFile');
    await snapshot.close();
  });
});
