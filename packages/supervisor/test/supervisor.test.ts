import { afterEach, describe, expect, it } from '@jest/globals';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, waitFor, sleep } from '@baton/test-utils';
import { noopLogger, systemClock, type Clock, type Logger } from '@baton/base';
import { ReadinessError, createSupervisor, type StateChange, type Supervisor } from '../src/index.js';
import { serviceFaultPoints } from '../src/service.js';
import { freePort, groupMembers, svc } from './helpers.js';

const posix = process.platform !== 'win32';
const supervisors: Supervisor[] = [];
function make(services: Record<string, unknown>): { sup: Supervisor; changes: StateChange[] } {
  const sup = createSupervisor({ services });
  const changes: StateChange[] = [];
  sup.onDidChangeState((c) => changes.push(c));
  supervisors.push(sup);
  return { sup, changes };
}
afterEach(async () => {
  for (const sup of supervisors.splice(0)) {
    await sup.stop();
    sup.dispose();
  }
});

const order = (changes: StateChange[], name: string, to: string) => changes.findIndex((c) => c.name === name && c.to === to);

describe('start', () => {
  it('starts tiers in order, each after the previous is ready, with every kind of readiness', async () => {
    const tcpPort = freePort();
    const httpPort = freePort();
    const { sup, changes } = make({
      migrate: { ...svc('exit', ['0', '100']), tier: 0, readiness: { type: 'exit0' } },
      store: { ...svc('log', ['store is up', '150']), tier: 0, readiness: { type: 'log', pattern: 'store is up' } },
      bus: { ...svc('tcp', [String(tcpPort)]), tier: 1, readiness: { type: 'tcp', port: tcpPort, periodMs: 25 } },
      api: { ...svc('http', [String(httpPort)]), tier: 2, readiness: { type: 'http', url: `http://127.0.0.1:${httpPort}/health`, periodMs: 25 } },
      probe: { ...svc('silent'), tier: 2, readiness: { type: 'exec', command: `node -e "process.exit(0)"`, periodMs: 25 } },
      agent: { ...svc('ipc'), tier: 3, readiness: { type: 'ipc' } },
      notifier: { ...svc('readyline'), tier: 3, readiness: { type: 'ipc' } },
    });
    await sup.start();
    const status = Object.fromEntries(sup.services.map((s) => [s.name, s.state]));
    expect(status).toEqual({ migrate: 'exited', store: 'ready', bus: 'ready', api: 'ready', probe: 'ready', agent: 'ready', notifier: 'ready' });
    // Each tier starts only after the whole previous tier is ready.
    expect(order(changes, 'bus', 'starting')).toBeGreaterThan(order(changes, 'store', 'ready'));
    expect(order(changes, 'bus', 'starting')).toBeGreaterThan(order(changes, 'migrate', 'exited'));
    expect(order(changes, 'api', 'starting')).toBeGreaterThan(order(changes, 'bus', 'ready'));
    expect(order(changes, 'agent', 'starting')).toBeGreaterThan(Math.max(order(changes, 'api', 'ready'), order(changes, 'probe', 'ready')));
    expect(sup.services.find((s) => s.name === 'bus')!.tier).toBe(1);
  });

  it('fails on a readiness timeout, naming the service, probe and last output, and stops what it started', async () => {
    // The timeout must outlast the child's start-up even on a busy machine, or the expected last
    // output line would race it (a node child can take over 300 ms to print its first line under load).
    const { sup } = make({
      first: { ...svc('silent'), tier: 0 },
      stuck: { ...svc('log', ['almost there']), tier: 1, readiness: { type: 'log', pattern: 'listening', timeoutMs: 3000 } },
    });
    const err = await sup.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReadinessError);
    expect((err as Error).message).toMatch(/Service 'stuck' did not become ready: not ready within 3000 ms; probe log \/listening\//);
    expect((err as Error).message).toContain('almost there');
    expect(sup.services.map((s) => s.state)).toEqual(['stopped', 'failed']);
    expect(sup.services.every((s) => s.pid === undefined)).toBe(true);
  });

  it('refuses to start a service whose probed port another program holds, naming the holder', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', () => resolve()));
    try {
      for (const readiness of [{ type: 'tcp', port }, { type: 'http', url: `http://127.0.0.1:${port}/health` }]) {
        const { sup, changes } = make({ db: { ...svc('silent'), readiness } });
        const err = await sup.start().catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'EPORTINUSE' });
        const holder = process.platform === 'linux' ? ` by pid ${process.pid} ` : '';
        expect((err as Error).message).toContain(`Service 'db' was not started: port ${port}, which its ${readiness.type} readiness probe checks, is already in use${holder}`);
        // Never spawned: it would have been taken for ready.
        expect(changes.some((c) => c.to === 'starting')).toBe(false);
        expect(sup.services[0]!.state).toBe('failed');
      }
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('fails when a service exits before it is ready', async () => {
    const { sup } = make({ flop: { ...svc('exit', ['3']), readiness: { type: 'log', pattern: 'never', timeoutMs: 5000 } } });
    await expect(sup.start()).rejects.toThrow(/exited before it was ready \(code 3\)/);
  });
});

describe('why a service failed', () => {
  it('a readiness timeout says what the probe last saw', async () => {
    const port = freePort();
    // Serves 200; the probe expects 204.
    const { sup, changes } = make({ api: { ...svc('http', [String(port)]), readiness: { type: 'http', url: `http://127.0.0.1:${port}/`, expectStatus: 204, timeoutMs: 1500, periodMs: 100 } } });
    const err = await sup.start().catch((e: unknown) => e);
    expect((err as Error).message).toContain('not ready within 1500 ms; the probe last saw status 200 (expected 204)');
    expect(changes.find((c) => c.to === 'failed')?.reason).toMatch(/^not ready: not ready within 1500 ms; the probe last saw status 200 \(expected 204\) \(probe http /);
  });

  (posix ? it : it.skip)('a shell command that does not exist gives up with the shell\'s "command not found", not a bare count', async () => {
    const { sup } = make({ gone: { command: 'baton-no-such-command-anywhere --flag', restart: { policy: 'on-failure', maxRestarts: 2, windowMs: 60_000, backoff: { initialMs: 20, maxMs: 50, factor: 2, jitter: 0 } } } });
    const reasons: string[] = [];
    sup.onDidChangeState((c) => c.to === 'failed' && c.reason !== undefined && reasons.push(c.reason));
    await sup.start();
    await waitFor(() => sup.services[0]!.state === 'failed', { timeoutMs: 10_000, what: 'give up' });
    expect(reasons).toEqual(['restarted 2 times within 60 s and gave up; the last attempt: exited with code 127 (command not found)']);
  });

  it('while another program holds its port, an automatic restart is refused and retried, never reported failed until it gives up, and the give-up names the holder', async () => {
    const port = freePort();
    const { sup, changes } = make({
      db: { ...svc('tcp', [String(port)]), readiness: { type: 'tcp', port, timeoutMs: 5000 }, restart: { policy: 'on-failure', maxRestarts: 3, windowMs: 60_000, backoff: { initialMs: 50, maxMs: 100, factor: 2, jitter: 0 } } },
    });
    await sup.start();
    // Killed; before its restart another program takes the port.
    const squatter: Server = createServer();
    const pid = sup.services[0]!.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => changes.some((c) => c.to === 'crashed'), { what: 'the crash' });
    await new Promise<void>((resolve, reject) => squatter.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    try {
      await waitFor(() => sup.services[0]!.state === 'failed', { timeoutMs: 10_000, what: 'give up' });
      const afterCrash = changes.slice(changes.findIndex((c) => c.to === 'crashed'));
      // Refused restarts are retries, each saying why; 'failed' comes once, at the give-up.
      const refusals = afterCrash.filter((c) => c.to === 'backoff' && c.reason !== undefined);
      expect(refusals.length).toBeGreaterThanOrEqual(2);
      for (const r of refusals) expect(r.reason).toContain(`port ${port}, which its tcp readiness probe checks, is in use`);
      const failed = afterCrash.filter((c) => c.to === 'failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]!.reason).toMatch(new RegExp(`^restarted 3 times within 60 s and gave up; the last attempt: port ${port}, which its tcp readiness probe checks, is in use`));
      if (process.platform === 'linux') expect(failed[0]!.reason).toContain(`by pid ${process.pid}`);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});

describe('restarts', () => {
  it('restarts a crashing service with exponential backoff and gives up at the limit within the window', async () => {
    const { sup, changes } = make({
      flaky: { ...svc('exit', ['1', '20']), restart: { policy: 'on-failure', maxRestarts: 3, windowMs: 60_000, backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 } } },
    });
    const times: Record<string, number[]> = { crashed: [], starting: [] };
    sup.onDidChangeState((c) => (c.to === 'crashed' || c.to === 'starting') && times[c.to]!.push(performance.now()));
    const gaveUp: string[] = [];
    sup.onDidGiveUp(({ name }) => gaveUp.push(name));
    await sup.start();
    await waitFor(() => sup.services[0]!.state === 'failed', { timeoutMs: 5000, what: 'give up' });
    expect(gaveUp).toEqual(['flaky']);
    expect(sup.services[0]!.restarts).toBe(3);
    // Delay from each crash to the next start follows the backoff: 100, 200, 400 ms.
    const delays = times.crashed!.slice(0, 3).map((t, i) => times.starting![i + 1]! - t);
    [100, 200, 400].forEach((expected, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(expected - 5);
      expect(delays[i]).toBeLessThan(expected + 400);
    });
    expect(changes.filter((c) => c.to === 'crashed').every((c) => c.exitCode === 1)).toBe(true);
  });

  (posix ? it : it.skip)('a restart that dies during readiness is restarted once, and the backoff doubles once', async () => {
    // Ready the first time; every restart exits before printing its readiness line.
    const marker = join(tmpdir(), `baton-readiness-crash-${process.pid}-${Date.now()}`);
    const { sup, changes } = make({
      flaky: {
        command: `if [ -e '${marker}' ]; then exit 1; fi; touch '${marker}'; echo up; sleep 0.05; exit 1`,
        readiness: { type: 'log', pattern: '^up$' },
        restart: { policy: 'on-failure', maxRestarts: 3, windowMs: 60_000, backoff: { initialMs: 100, maxMs: 5000, factor: 2, jitter: 0 } },
      },
    });
    const times: Record<string, number[]> = { crashed: [], starting: [] };
    sup.onDidChangeState((c) => (c.to === 'crashed' || c.to === 'starting') && times[c.to]!.push(performance.now()));
    try {
      await sup.start();
      await waitFor(() => sup.services[0]!.state === 'failed', { timeoutMs: 10_000, what: 'give up' });
      await sleep(500); // a second timer, if one was left, would start it again
      expect(sup.services[0]!.restarts).toBe(3);
      expect(changes.filter((c) => c.to === 'starting')).toHaveLength(4);
      const delays = times.crashed!.slice(0, 3).map((t, i) => times.starting![i + 1]! - t);
      [100, 200, 400].forEach((expected, i) => {
        expect(delays[i]).toBeGreaterThanOrEqual(expected - 5);
        expect(delays[i]).toBeLessThan(expected + 400);
      });
    } finally {
      await rm(marker, { force: true });
    }
  });

  it('starts the backoff and the window again after a stable uptime', async () => {
    const { sup } = make({
      steady: { ...svc('exit', ['1', '150']), restart: { maxRestarts: 2, windowMs: 60_000, resetAfterMs: 100, backoff: { initialMs: 10, maxMs: 10, jitter: 0 } } },
    });
    await sup.start();
    await waitFor(() => sup.services[0]!.restarts >= 5, { timeoutMs: 5000, what: 'five restarts' });
    expect(sup.services[0]!.state).not.toBe('failed');
  });

  it('does not restart with policy never, or on a clean exit with on-failure', async () => {
    const { sup } = make({
      once: { ...svc('exit', ['1', '10']), restart: { policy: 'never' } },
      clean: { ...svc('exit', ['0', '10']), restart: { policy: 'on-failure' } },
    });
    await sup.start();
    await waitFor(() => sup.services.every((s) => s.state === 'crashed' || s.state === 'exited'), { timeoutMs: 10_000, what: 'both to end' });
    // Long enough for a restart to have begun, were one coming.
    await sleep(300);
    expect(sup.services.map((s) => [s.state, s.restarts])).toEqual([['crashed', 0], ['exited', 0]]);
  });

  it('escalates to stopping everything with onGiveUp: stop-all', async () => {
    const { sup } = make({
      steady: { ...svc('silent'), tier: 0 },
      doomed: { ...svc('exit', ['1', '10']), tier: 1, restart: { maxRestarts: 1, backoff: { initialMs: 10, maxMs: 10, jitter: 0 }, onGiveUp: 'stop-all' } },
    });
    await sup.start();
    await waitFor(() => sup.services[0]!.state === 'stopped', { timeoutMs: 5000, what: 'stop-all' });
  });

  it('turns concurrent restart requests into one process', async () => {
    const { sup } = make({ one: svc('silent') });
    await sup.start();
    const first = sup.services[0]!.pid!;
    await Promise.all([1, 2, 3, 4, 5].map(() => sup.restartService('one')));
    const now = sup.services[0]!;
    expect(now.state).toBe('ready');
    expect(now.pid).not.toBe(first);
    expect(isAlive(first)).toBe(false);
    if (posix) expect(groupMembers(now.pid!)).toEqual([now.pid]);
  });
});

describe('liveness and dependants', () => {
  it('restarts a ready service whose liveness checks fail in a row, by its restart policy', async () => {
    const port = freePort();
    const { sup, changes } = make({
      web: {
        ...svc('sick', [String(port), '600']),
        readiness: { type: 'http', url: `http://127.0.0.1:${port}/`, periodMs: 50 },
        liveness: { type: 'http', url: `http://127.0.0.1:${port}/`, periodMs: 100, failureThreshold: 3 },
        restart: { policy: 'on-failure', backoff: { initialMs: 50, maxMs: 50, jitter: 0 } },
      },
    });
    await sup.start();
    const first = sup.services[0]!.pid!;
    expect(sup.services[0]!.livenessFailures).toBe(0);
    await waitFor(() => (sup.services[0]!.livenessFailures ?? 0) > 0, { timeoutMs: 5000, what: 'a failed liveness check' });
    await waitFor(() => sup.services[0]!.state === 'ready' && sup.services[0]!.pid !== first, { timeoutMs: 10_000, what: 'restarted and ready again' });
    const web = sup.services[0]!;
    expect(web.restarts).toBe(1);
    expect(web.lastExit?.reason).toBe('liveness');
    expect(isAlive(first)).toBe(false);
    // Stopped with its stop signal, and the exit counted as a crash (the process itself exited cleanly or by signal).
    expect(changes.filter((c) => c.name === 'web' && c.to === 'crashed')).toHaveLength(1);
  });

  it('a dependant is degraded while a dependency is down, and onDependencyRestart: restart restarts it when the dependency is back', async () => {
    const { sup } = make({
      db: { ...svc('silent'), tier: 0 },
      app: { ...svc('silent'), tier: 1, onDependencyRestart: 'restart' },
      other: { ...svc('silent'), tier: 1 },
    });
    await sup.start();
    const pids = Object.fromEntries(sup.services.map((s) => [s.name, s.pid]));
    expect(sup.services.map((s) => s.degraded)).toEqual([[], [], []]);
    await sup.stopService('db');
    expect(sup.services.map((s) => [s.name, s.state, s.degraded])).toEqual([['db', 'stopped', []], ['app', 'ready', ['db']], ['other', 'ready', ['db']]]);
    await sup.startService('db');
    await waitFor(() => sup.services.find((s) => s.name === 'app')!.pid !== pids.app && sup.services.find((s) => s.name === 'app')!.state === 'ready', { what: 'app restarted' });
    const after = Object.fromEntries(sup.services.map((s) => [s.name, s.pid]));
    expect(after.other).toBe(pids.other);
    expect(sup.services.map((s) => s.degraded)).toEqual([[], [], []]);
  });
});

describe('stop', () => {
  it('a restart asked while stopping does not outlive the stop: it is refused with ESTOPPING', async () => {
    const { sup } = make({ one: { ...svc('silent'), stop: { signal: 'SIGTERM', timeoutMs: 2000 } } });
    await sup.start();
    const first = sup.services[0]!.pid!;
    const stopping = sup.stop();
    const restart = sup.restartService('one').catch((e: unknown) => e);
    const start = sup.startService('one').catch((e: unknown) => e);
    await stopping;
    expect(await restart).toMatchObject({ code: 'ESTOPPING' });
    expect(await start).toMatchObject({ code: 'ESTOPPING', message: "Cannot start service 'one': the supervisor is stopping (or stopped)" });
    expect(sup.services[0]!.state).toBe('stopped');
    expect(sup.services[0]!.pid).toBeUndefined();
    expect(isAlive(first)).toBe(false);
  });

  (posix ? it : it.skip)('SIGKILLs a service that ignores SIGTERM after the timeout', async () => {
    // Ready once it printed its first line, by which time its SIGTERM handler is installed.
    const { sup } = make({ stubborn: { ...svc('ignore-term'), readiness: { type: 'log', pattern: 'started' }, stop: { signal: 'SIGTERM', timeoutMs: 300 } } });
    await sup.start();
    const pid = sup.services[0]!.pid!;
    const started = performance.now();
    await sup.stop();
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(3000);
    expect(isAlive(pid)).toBe(false);
    expect(sup.logs('stubborn')).toContain('ignoring SIGTERM');
  });

  (posix ? it : it.skip)('leaves no grandchild behind, even ones that ignore SIGTERM', async () => {
    const { sup } = make({
      shell: { command: `sh -c 'trap "" TERM; sleep 300' & sleep 300 & echo spawned; wait`, readiness: { type: 'log', pattern: 'spawned' }, stop: { timeoutMs: 300 } },
    });
    await sup.start();
    const pgid = sup.services[0]!.pid!;
    await waitFor(() => groupMembers(pgid).length >= 3, { what: 'the grandchildren' });
    await sup.stop();
    expect(groupMembers(pgid)).toEqual([]);
  });

  it('stops waiting for a group that survives SIGKILL (uninterruptible sleep) after a bound, by the monotonic clock', async () => {
    // A clock 50 times as fast as real time: the 5 s bound passes in 100 ms.
    const fast: Clock = {
      now: () => performance.now() * 50,
      setTimeout: (cb, ms, options) => systemClock.setTimeout(cb, ms / 50, options),
      setInterval: (cb, ms, options) => systemClock.setInterval(cb, ms / 50, options),
    };
    const errors: string[] = [];
    const logger = { ...noopLogger, error: (_o: unknown, msg?: string) => void errors.push(String(msg)), child: () => logger } as unknown as Logger;
    const sup = createSupervisor({ services: { stuck: { ...svc('silent'), stop: { timeoutMs: 100 } } }, clock: fast, logger });
    supervisors.push(sup);
    await sup.start();
    const pgid = sup.services[0]!.pid!;
    serviceFaultPoints.groupSurvives = (g) => g === pgid;
    try {
      const started = performance.now();
      await sup.stop();
      expect(performance.now() - started).toBeLessThan(3000);
      expect(errors).toContain('processes of the group survive SIGKILL (uninterruptible sleep?); no longer waiting for them');
      expect(sup.services[0]!.state).toBe('stopped');
    } finally {
      serviceFaultPoints.groupSurvives = undefined;
    }
  });

  // On every platform: POSIX stops the process group; Windows ends the tree with taskkill /T /F.
  // On Windows the grandchild is detached: Node puts the children it does not detach in a job
  // object that ends them when their parent ends, so ending the service alone would pass too.
  it('a stop ends the processes a service started, not only the service', async () => {
    const spawner = "const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore', detached: process.platform === 'win32' }); console.log('grandchild ' + c.pid); setInterval(() => {}, 1e9);";
    const { sup } = make({ parent: { command: process.execPath, args: ['-e', spawner], readiness: { type: 'log', pattern: 'grandchild' }, stop: { timeoutMs: 2000 } } });
    await sup.start();
    const grandchild = Number(/grandchild (\d+)/.exec(sup.logs('parent').join('\n'))![1]);
    expect(isAlive(grandchild)).toBe(true);
    await sup.stop();
    await waitFor(() => !isAlive(grandchild), { timeoutMs: 5000, what: 'the grandchild gone' });
  });

  it('stops tiers in reverse order', async () => {
    const { sup, changes } = make({ base: { ...svc('silent'), tier: 0 }, top: { ...svc('silent'), tier: 1 } });
    await sup.start();
    await sup.stop();
    expect(order(changes, 'top', 'stopped')).toBeLessThan(order(changes, 'base', 'stopping'));
  });
});

describe('apply', () => {
  it('touches only what changed: stops removed, restarts changed, starts added, leaves the rest', async () => {
    const { sup } = make({ a: svc('silent'), b: svc('silent'), c: svc('silent') });
    await sup.start();
    const pids = Object.fromEntries(sup.services.map((s) => [s.name, s.pid]));
    const report = await sup.apply({ a: svc('silent'), b: svc('silent', [], { env: { CHANGED: '1' } }), d: { ...svc('log', ['d up']), readiness: { type: 'log', pattern: 'd up' } } });
    expect(report).toEqual({ added: ['d'], removed: ['c'], changed: ['b'], unchanged: ['a'] });
    const after = Object.fromEntries(sup.services.map((s) => [s.name, s]));
    expect(Object.keys(after)).toEqual(['a', 'b', 'd']);
    expect(after.a!.pid).toBe(pids.a);
    expect(after.b!.pid).not.toBe(pids.b);
    expect(after.d!.state).toBe('ready');
    expect(isAlive(pids.c!)).toBe(false);
    expect(isAlive(pids.b!)).toBe(false);
  });
});
