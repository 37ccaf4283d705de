import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
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

  // Windows has no orphans to stop: Node puts every child it starts without `detached` in a job
  // object that ends with the parent, so a supervisor's services end with it however it ends.
  (posix ? it.skip : it)('on Windows, the services of a killed supervisor end with it', async () => {
    const first = spawnFixture(supervisorFixture, [join(tmp.path, 'supervisor.json'), worker]);
    const pids = (await first.waitForLine(/^pids /, 20_000)).split(' ').slice(1).map(Number);
    expect(pids.filter(isAlive)).toHaveLength(3);
    first.kill('SIGKILL');
    await first.exited;
    await waitFor(() => pids.every((pid) => !isAlive(pid)), { timeoutMs: 5000, what: 'the services to end with their supervisor' });
  });

  (posix ? it : it.skip)('leaves alone a recorded pid that now belongs to another process', async () => {
    const stateFile = join(tmp.path, 'supervisor.json');
    // This test's own pid, with a start time that is not its own: a reused pid.
    await writeFile(stateFile, JSON.stringify({ processes: [{ service: 'x', pid: process.pid, startTime: `${processStartTime(process.pid)}0` }] }));
    const sup = createSupervisor({ stateFile, services: {} });
    expect(await sup.cleanupOrphans()).toBe(0);
    expect(isAlive(process.pid)).toBe(true);
  });

  (posix ? it : it.skip)('stops leftovers as a stop would: highest tier first, a tier in parallel, each with its own stop signal', async () => {
    const stateFile = join(tmp.path, 'supervisor.json');
    const log = join(tmp.path, 'signals.log');
    const trap = fileURLToPath(new URL('./fixtures/trap.mjs', import.meta.url));
    const leftovers = [
      { service: 'db', tier: 0, stop: { signal: 'SIGTERM', timeoutMs: 5000 }, delay: 0 },
      { service: 'api', tier: 1, stop: { signal: 'SIGINT', timeoutMs: 5000 }, delay: 300 },
      { service: 'web', tier: 1, stop: { signal: 'SIGINT', timeoutMs: 5000 }, delay: 300 },
    ].map((l) => {
      const child = spawn(process.execPath, [trap, log, l.service, String(l.delay)], { detached: true, stdio: 'ignore' });
      child.unref();
      return { ...l, pid: child.pid! };
    });
    await waitFor(() => leftovers.every((l) => existsSync(`${log}.ready-${l.service}`)), { what: 'the leftovers armed' });
    await writeFile(stateFile, JSON.stringify({ processes: leftovers.map(({ service, pid, tier, stop }) => ({ service, pid, startTime: processStartTime(pid), tier, stop })) }));
    const sup = createSupervisor({ stateFile, services: {} });
    try {
      expect(await sup.cleanupOrphans()).toBe(3);
      expect(leftovers.filter((l) => isAlive(l.pid))).toEqual([]);
      const got = (await readFile(log, 'utf8')).trim().split('\n').map((line) => {
        const [service, signal, ns] = line.split(' ');
        return { service: service!, signal: signal!, at: BigInt(ns!) };
      });
      expect(got.map((g) => `${g.service} ${g.signal}`).sort()).toEqual(['api SIGINT', 'db SIGTERM', 'web SIGINT']);
      const at = Object.fromEntries(got.map((g) => [g.service, g.at]));
      // Tier 1 in parallel (signalled together), and both gone (300 ms each) before tier 0 is signalled.
      const apart = (a: bigint, b: bigint) => Math.abs(Number(a - b)) / 1e6;
      expect(apart(at.api!, at.web!)).toBeLessThan(150);
      expect(Number(at.db! - (at.api! > at.web! ? at.api! : at.web!)) / 1e6).toBeGreaterThanOrEqual(250);
    } finally {
      for (const l of leftovers) if (isAlive(l.pid)) process.kill(-l.pid, 'SIGKILL');
    }
  }, 30_000);
});
