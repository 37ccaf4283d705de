import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { noopLogger } from '@baton/base';
import { makeTempDir, sleep, waitFor, type TempDir } from '@baton/test-utils';
import { BeaconServer, BeaconWatch, beaconPath } from '../src/beacon.js';

const posix = process.platform !== 'win32';
let tmp: TempDir;
let server: BeaconServer | undefined;
const watches: BeaconWatch[] = [];

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  for (const watch of watches.splice(0)) watch.dispose();
  server?.close();
  server = undefined;
  await tmp.cleanup();
});

/** A waiter on the beacon at `path`, with the beats it heard. */
async function waiter(path: string, everyOther: boolean): Promise<{ watch: BeaconWatch; beats: number[] }> {
  const beats: number[] = [];
  const watch = new BeaconWatch(1, path, everyOther, (index) => beats.push(index), () => undefined);
  watches.push(watch);
  await waitFor(() => watch.connected, { what: 'connected to the beacon' });
  return { watch, beats };
}

describe('beacon', () => {
  (posix ? it : it.skip)('sends every beat to a waiter that claims at once and every other to one that defers, and follows a change of mind', async () => {
    const path = beaconPath(tmp.path, 1)!;
    server = new BeaconServer(path, noopLogger);
    await waitFor(() => existsSync(path), { what: 'the beacon listening' });
    const all = await waiter(path, false);
    const half = await waiter(path, true);
    // The rate is a line the waiter wrote on connecting: let the holder read it first.
    await sleep(50);
    for (let index = 2; index <= 5; index++) {
      server.beat(index);
      // One beat at a time: a waiter reports the highest of what arrives together.
      await waitFor(() => all.beats.at(-1) === index, { what: `beat ${index}` });
    }
    expect(all.beats).toEqual([2, 3, 4, 5]);
    expect(half.beats).toEqual([3, 5]);

    // The deferring waiter becomes the one that claims at once (a group's new standby).
    half.watch.setEveryOther(false);
    await sleep(50);
    for (let index = 6; index <= 7; index++) {
      server.beat(index);
      await waitFor(() => all.beats.at(-1) === index && half.beats.at(-1) === index, { what: `beat ${index} to both` });
    }
    expect(half.beats).toEqual([3, 5, 6, 7]);
  });

  (posix ? it : it.skip)('ignores anything else a waiter writes: such a waiter keeps getting every beat', async () => {
    const path = beaconPath(tmp.path, 1)!;
    server = new BeaconServer(path, noopLogger);
    await waitFor(() => existsSync(path), { what: 'the beacon listening' });
    const stray = createConnection(path);
    let heard = '';
    stray.setEncoding('utf8').on('data', (chunk: string) => (heard += chunk));
    stray.write('garbage\n\n7\n12\nxx');
    await new Promise((resolve) => stray.once('connect', resolve));
    await sleep(50);
    server.beat(2);
    server.beat(3);
    await waitFor(() => heard === '2\n3\n', { what: 'both beats' });
    stray.destroy();
  });
});
