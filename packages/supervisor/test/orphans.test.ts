import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, killAllFixtures, makeTempDir, spawnFixture, waitFor, type TempDir } from '@baton/test-utils';
import { createSupervisor, processStartTime } from '../src/index.js';
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

describe('orphans', () => {
  (posix ? it : it.skip)('stops the leftovers of a SIGKILLed supervisor before starting anything', async () => {
    const stateFile = join(tmp.path, 'supervisor.json');
    const first = spawnFixture(supervisorFixture, [stateFile, worker]);
    const line = await first.waitForLine(/^pids /, 20_000);
    const pids = line.split(' ').slice(1).map(Number);
    await waitFor(() => groupMembers(pids[1]!).length >= 3, { what: 'the shell and its sleeps' });
    first.kill('SIGKILL');
    await first.exited;
    // The supervisor is gone; its services (own process groups) are still running: the leftovers.
    const leftovers = [...new Set([...pids.filter(isAlive), ...groupMembers(pids[1]!)])];
    expect(leftovers.length).toBeGreaterThanOrEqual(3);

    const next = createSupervisor({ stateFile, services: { fresh: svc('silent') } });
    const order: string[] = [];
    next.onDidChangeState((c) => order.push(`${c.name}:${c.to}`));
    await next.start();
    expect(leftovers.filter(isAlive)).toEqual([]);
    expect(groupMembers(pids[1]!)).toEqual([]);
    expect(order[0]).toBe('fresh:starting');
    await next.stop();
  }, 60_000);

  (posix ? it : it.skip)('leaves alone a recorded pid that now belongs to another process', async () => {
    const stateFile = join(tmp.path, 'supervisor.json');
    // This test's own pid, with a start time that is not its own: a reused pid.
    await writeFile(stateFile, JSON.stringify({ processes: [{ service: 'x', pid: process.pid, startTime: `${processStartTime(process.pid)}0` }] }));
    const sup = createSupervisor({ stateFile, services: {} });
    expect(await sup.cleanupOrphans()).toBe(0);
    expect(isAlive(process.pid)).toBe(true);
  });
});
