import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive, sleep, spawnFixture, waitFor } from '@baton/test-utils';
import { connect, readAuthToken } from '@baton/ipc';
import { orchestratorPaths, type StatusSnapshot } from '../src/index.js';
import { bundlePath, cli, cliPath, service, startOrchestrator, writeConfig, orchestratorDirPerTest } from './helpers.js';

const posix = process.platform !== 'win32';
const tmp = orchestratorDirPerTest();

async function status(): Promise<StatusSnapshot> {
  const { stdout, code } = await cli(tmp.path, ['status', '--json']);
  expect(code).toBe(0);
  return JSON.parse(stdout) as StatusSnapshot;
}


describe('orchestrator CLI', () => {
  it('validate lists every error with its path and exits 1; a valid file exits 0', async () => {
    await writeFile(join(tmp.path, 'orchestrator.yaml'), 'services:\n  api:\n    command: node\n    readiness: { type: tcp, port: "x" }\n    restart: { policy: sometimes }\n');
    const bad = await cli(tmp.path, ['validate']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('services.api.readiness.port: Invalid input: expected number');
    expect(bad.stderr).toContain('services.api.restart.policy');
    await writeConfig(tmp.path, { a: service('log', 'hi') });
    const good = await cli(tmp.path, ['validate']);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('valid, 1 services');
  });

  it('answers usage errors with exit 2 and help with exit 0', async () => {
    expect((await cli(tmp.path, ['frobnicate'])).code).toBe(2);
    expect((await cli(tmp.path, ['status', '--bogus'])).code).toBe(2);
    const help = await cli(tmp.path, ['start', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: orchestrator start');
  });

  it('status says clearly that nothing runs, with exit code 3', async () => {
    await writeConfig(tmp.path, { a: service('log', 'hi') });
    const result = await cli(tmp.path, ['status']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/No orchestrator is running for/);
  });

  (process.platform === 'win32' ? it.skip : it)('status never calls a live orchestrator that does not answer dead: it says so, with the status it last published', async () => {
    await writeConfig(tmp.path, { a: service('log', 'a ready', '    readiness: { type: log, pattern: "a ready" }\n') });
    const orchestrator = await startOrchestrator(tmp.path);
    await waitFor(async () => (await cli(tmp.path, ['status'])).stdout.includes('ready'), { what: 'a ready in the status' });
    // Stopped: its control socket takes the connection but nothing answers the handshake.
    orchestrator.kill('SIGSTOP');
    try {
      const result = await cli(tmp.path, ['status']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`The orchestrator (pid ${orchestrator.pid}) is running but did not answer on its control socket`);
      expect(result.stderr).not.toMatch(/No orchestrator is running/);
      expect(result.stdout).toMatch(/a\s+0\s+ready/);
    } finally {
      orchestrator.kill('SIGCONT');
    }
    // Stopped past its workspace lease, it may find its term over as it resumes and stop by itself; either way it goes.
    expect([0, 3]).toContain((await cli(tmp.path, ['stop'])).code);
    await orchestrator.exited;
  }, 60_000);

  (process.platform === 'win32' ? it.skip : it)('names the cause when the workspace lock cannot be taken, instead of claiming one is running', async () => {
    await writeConfig(tmp.path, { one: service('log', 'one ready') });
    const paths = await orchestratorPaths(join(tmp.path, 'orchestrator.yaml')).ensure();
    // A symbolic link that points at itself where the lock directory belongs (a plain file there
    // is moved aside and the lock recovers; a loop cannot be used or safely removed).
    await symlink('orchestrator.lock', join(paths.dir, 'orchestrator.lock'));
    const result = await cli(tmp.path, ['start']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cannot take the workspace lock .*orchestrator\.lock: no other orchestrator holds it, but the lock failed: ELOOP/);
    expect(result.stderr).not.toMatch(/already running/);
  });

  it('starts tiers in order with readiness, answers status/logs/restart over the socket, refuses a second start, stops on request', async () => {
    await writeConfig(tmp.path, {
      base: service('log', 'base ready', '    tier: 0\n    readiness: { type: log, pattern: "base ready" }\n'),
      top: service('log', 'top ready', '    tier: 1\n    readiness: { type: log, pattern: "top ready" }\n'),
    });
    const orchestrator = await startOrchestrator(tmp.path);
    const lines = orchestrator.lines.join('\n');
    expect(lines.indexOf('tier 1: top starting')).toBeGreaterThan(lines.indexOf('tier 0: base ready'));
    // A service's lines are kept once, in its log (and `logs`), not again in the orchestrator's own output.
    expect(orchestrator.lines.filter((l) => l.includes('"stream":"stdout"'))).toEqual([]);
    expect(lines).toContain('waiting for log /base ready/');

    // status in well under 100 ms from the running instance.
    const paths = orchestratorPaths(join(tmp.path, 'orchestrator.yaml'));
    const client = await connect({ path: paths.socketPath('control'), auth: { token: (await readAuthToken(paths.tokenFile))! }, reconnect: false });
    const started = performance.now();
    const snapshot = (await client.request('status')) as StatusSnapshot;
    expect(performance.now() - started).toBeLessThan(100);
    await client.close();
    expect(snapshot.services.map((s) => [s.name, s.tier, s.state])).toEqual([['base', 0, 'ready'], ['top', 1, 'ready']]);

    const table = await cli(tmp.path, ['status']);
    expect(table.stdout).toMatch(/SERVICE\s+TIER\s+STATE\s+PID\s+RESTARTS\s+UPTIME\s+LAST EXIT/);
    expect(table.stdout).toMatch(/top\s+1\s+ready\s+\d+\s+0/);

    const second = await cli(tmp.path, ['start']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`already running .*pid ${orchestrator.pid}`));

    const logs = await cli(tmp.path, ['logs', 'top', '-n', '5']);
    expect(logs.stdout).toMatch(/^top \| /m);
    expect(logs.stdout).not.toMatch(/^base \| /m);

    const before = snapshot.services.find((s) => s.name === 'top')!.pid;
    const restarted = await cli(tmp.path, ['restart', 'top']);
    expect(restarted.stdout).toMatch(/top: ready \(pid \d+\)/);
    const after = (await status()).services.find((s) => s.name === 'top')!.pid;
    expect(after).not.toBe(before);
    expect(isAlive(before)).toBe(false);

    const pids = (await status()).services.map((s) => s.pid);
    expect((await cli(tmp.path, ['stop'])).code).toBe(0);
    expect((await orchestrator.exited).code).toBe(0);
    expect(pids.some(isAlive)).toBe(false);
    // The published status (through @baton/state) says stopped.
    const published = JSON.parse(await readFile(join(paths.dir, 'status.state.json'), 'utf8'));
    expect(published.payload.lifecycle).toBe('stopped');
    const events = (await readFile(join(paths.dir, 'events.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).type);
    expect(events).toEqual(expect.arrayContaining(['orchestrator-started', 'started', 'ready', 'stopped', 'orchestrator-stopped']));
  }, 90_000);

  it('the shipped bundle (dist/orchestrator.mjs) runs: start with a probe, status, stop', async () => {
    await writeConfig(tmp.path, { one: service('log', 'one ready', '    readiness: { type: log, pattern: "one ready" }\n') });
    const orchestrator = spawnFixture(bundlePath, ['start'], { cwd: tmp.path, env: { CI: '1' } });
    await orchestrator.waitForLine('"to":"running"', 30_000);
    // Every module the status command resolves, recorded by a loader hook: the etcd client (etcd3, gRPC) is in a
    // chunk of its own that only a config naming etcd loads, not in every start and every status.
    const resolved = join(tmp.path, 'resolved.txt');
    await writeFile(join(tmp.path, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) { appendFileSync(${JSON.stringify(resolved)}, specifier + '\\n'); return next(specifier, context); }\n`);
    await writeFile(join(tmp.path, 'record.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
    const status = spawnFixture(bundlePath, ['status'], { cwd: tmp.path, env: { CI: '1' }, nodeArgs: ['--import', join(tmp.path, 'record.mjs')] });
    expect((await status.exited).code).toBe(0);
    expect(status.lines.join('\n')).toMatch(/one\s+0\s+ready\s+\d+/);
    const specifiers = (await readFile(resolved, 'utf8')).trim().split('\n');
    expect(specifiers).toContain('node:net');
    expect(specifiers.filter((s) => /etcd|grpc|protobuf/.test(s))).toEqual([]);
    const stop = spawnFixture(bundlePath, ['stop'], { cwd: tmp.path, env: { CI: '1' } });
    expect((await stop.exited).code).toBe(0);
    expect((await orchestrator.exited).code).toBe(0);
  }, 60_000);

  it('restarts a crashing service with backoff and marks it failed after the limit', async () => {
    await writeConfig(tmp.path, {
      steady: service('log', 'ok'),
      crashy: service('exit', '2', '    restart: { policy: on-failure, maxRestarts: 2, windowMs: 60000, backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 } }\n'),
    });
    await startOrchestrator(tmp.path);
    await waitFor(async () => (await status()).services.find((s) => s.name === 'crashy')!.state === 'failed', { timeoutMs: 15_000, intervalMs: 200, what: 'failed' });
    const crashy = (await status()).services.find((s) => s.name === 'crashy')!;
    expect(crashy.restarts).toBe(2);
    expect(crashy.lastExit).toMatchObject({ code: 2 });
    expect((await status()).services.find((s) => s.name === 'steady')!.state).toBe('ready');
  }, 60_000);

  it('reloads an edited config, restarting only the edited service; an invalid edit changes nothing and is reported', async () => {
    await writeConfig(tmp.path, { a: service('log', 'a'), b: service('log', 'b') }, 'reload: { debounceMs: 100 }\n');
    const orchestrator = await startOrchestrator(tmp.path);
    const before = Object.fromEntries((await status()).services.map((s) => [s.name, s.pid]));
    await writeConfig(tmp.path, { a: service('log', 'a'), b: service('log', 'b changed') }, 'reload: { debounceMs: 100 }\n');
    await orchestrator.waitForLine('reloaded: added none, removed none, changed b', 20_000);
    const after = Object.fromEntries((await status()).services.map((s) => [s.name, s.pid]));
    expect(after.a).toBe(before.a);
    expect(after.b).not.toBe(before.b);

    // An added service's progress shows its own probe, from the config being applied.
    await writeConfig(tmp.path, { a: service('log', 'a'), b: service('log', 'b changed'), c: service('log', 'c up', '    readiness: { type: log, pattern: "c up" }\n') }, 'reload: { debounceMs: 100 }\n');
    await orchestrator.waitForLine('reloaded: added c', 20_000);
    expect(orchestrator.lines.some((l) => l.includes('c starting, waiting for log /c up/'))).toBe(true);

    await writeFile(join(tmp.path, 'orchestrator.yaml'), 'reload: { debounceMs: 100 }\nservices:\n  a:\n    command: 42\n');
    await orchestrator.waitForLine('config reload refused', 20_000);
    // One line, errors after the colon (not ':;').
    const refused = await orchestrator.waitForLine('reload refused, nothing changed: services.a.command', 20_000);
    expect(refused).not.toContain(':;');
    const snapshot = await status();
    expect(Object.fromEntries(snapshot.services.filter((s) => s.name !== 'c').map((s) => [s.name, s.pid]))).toEqual(after);
    expect(snapshot.lastReload).toMatchObject({ ok: false, errors: [expect.stringContaining('services.a.command')] });
    const table = await cli(tmp.path, ['status']);
    expect(table.stdout).toContain('last reload failed');
  }, 60_000);

  (posix ? it : it.skip)('stops everything on SIGTERM and leaves no process', async () => {
    await writeConfig(tmp.path, { a: service("log", "a"), b: `    command: "sleep 300 & sleep 300 & echo up; wait"\n    readiness: { type: log, pattern: up }\n` });
    const orchestrator = await startOrchestrator(tmp.path);
    const pids = (await status()).services.map((s) => s.pid!);
    orchestrator.kill('SIGTERM');
    expect((await orchestrator.exited).code).toBe(0);
    await sleep(100);
    expect(pids.some(isAlive)).toBe(false);
    // Nothing left in the shell's process group either.
    expect(isAlive(-pids[1]!)).toBe(false);
  }, 60_000);

  (posix ? it : it.skip)('after a SIGKILLed orchestrator, the next start stops the orphans first', async () => {
    await writeConfig(tmp.path, { a: service('log', 'a') });
    const first = await startOrchestrator(tmp.path);
    const [orphan] = (await status()).services.map((s) => s.pid!);
    first.kill('SIGKILL');
    await first.exited;
    // The worker prints every 200 ms: its output goes to a file, not to the dead orchestrator's
    // pipe, so printing does not kill it.
    await sleep(600);
    expect(isAlive(orphan)).toBe(true);
    // With no orchestrator running, status names what was left running.
    const left = await cli(tmp.path, ['status']);
    expect(left.code).toBe(3);
    expect(left.stderr).toContain(`Left running by an orchestrator that did not stop (killed?): a (pid ${orphan})`);
    const second = await startOrchestrator(tmp.path);
    expect(second.lines.join('\n')).toContain('stopping a leftover process of a previous supervisor');
    expect(isAlive(orphan)).toBe(false);
  }, 60_000);

  (posix ? it : it.skip)('start --detach returns once every tier is ready, and sets nothing in the services\' environment', async () => {
    await writeConfig(tmp.path, { base: service('env', 'CI', '    readiness: { type: log, pattern: "env CI" }\n') });
    const run = spawnFixture(cliPath, ['start', '--detach'], { cwd: tmp.path, env: { CI: undefined } });
    const { code } = await run.exited;
    expect(run.stderr()).toBe('');
    expect(code).toBe(0);
    expect(run.lines.join('\n')).toMatch(/running in the background \(pid \d+\), every tier ready/);
    const snapshot = await status();
    expect(snapshot.services.map((s) => s.state)).toEqual(['ready']);
    // The service's first line, however many ticks (one each 200 ms) a busy machine let it print since.
    const logs = await cli(tmp.path, ['logs', 'base', '-n', '100000']);
    expect(logs.stdout).toContain('base | env CI unset');
  });

  (posix ? it : it.skip)('in the background, the orchestrator logs to orchestrator.log, rotated as logs: says; orchestrator.out keeps only what it prints outside its log', async () => {
    await writeConfig(tmp.path, { base: service('log', 'up') }, 'logs: { maxBytes: 1000, keep: 1 }\n');
    const run = await cli(tmp.path, ['start', '--detach']);
    expect(run.code).toBe(0);
    const dir = join(tmp.path, '.baton', 'orchestrator');
    expect(run.stdout).toContain(`its log: ${join(dir, 'orchestrator.log')}`);
    // Each restart is a few lines of the orchestrator's own log and two events: enough to rotate 1000-byte files.
    for (let i = 0; i < 6; i++) expect((await cli(tmp.path, ['restart', 'base'])).code).toBe(0);
    await waitFor(() => existsSync(join(dir, 'orchestrator.log.1')), { what: 'orchestrator.log rotated' });
    const names = ['orchestrator.log.1', 'orchestrator.log'];
    const lines = (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).flatMap((t) => t.split('\n').filter(Boolean));
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('msg');
    for (const name of names) expect((await readFile(join(dir, name))).length).toBeLessThan(1000 + Math.max(...lines.map((l) => l.length)) + 1);
    expect(existsSync(join(dir, 'orchestrator.log.2'))).toBe(false);
    // The lifecycle events are bounded by the same setting: one rotated file kept (written at most a second late).
    await waitFor(() => existsSync(join(dir, 'events.ndjson.1')), { timeoutMs: 10_000, what: 'events.ndjson rotated' });
    expect(existsSync(join(dir, 'events.ndjson.2'))).toBe(false);
    // Nothing of the log is written twice.
    expect(await readFile(join(dir, 'orchestrator.out'), 'utf8')).toBe('');
  }, 60_000);

  (posix ? it : it.skip)('a second Ctrl-C kills every service at once, and events.ndjson records it', async () => {
    await writeConfig(tmp.path, { stubborn: `    command: sh\n    args: ["-c", "trap '' TERM; echo up; while :; do sleep 1; done"]\n` });
    const orchestrator = await startOrchestrator(tmp.path);
    const [service] = (await status()).services;
    orchestrator.kill('SIGINT');
    // It ignores SIGTERM: the stop waits out its timeout (10 s)...
    await sleep(500);
    expect(isAlive(service!.pid!)).toBe(true);
    // ...unless interrupted again.
    orchestrator.kill('SIGINT');
    const { code } = await orchestrator.exited;
    expect(code).toBe(130);
    await waitFor(() => !isAlive(service!.pid!), { timeoutMs: 2000, what: 'the service killed' });
    const events = (await readFile(join(tmp.path, '.baton', 'orchestrator', 'events.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toContainEqual(expect.objectContaining({ type: 'stopped', service: 'stubborn', pid: service!.pid, signal: 'SIGKILL', forced: true }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'orchestrator-stopped', forced: true }));
  }, 60_000);

  // util-linux's `script` gives the orchestrator a terminal that the test can hang up, as closing its window does.
  const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;
  (hasScript ? it : it.skip)('a terminal closed under a running orchestrator: it runs on, and stops on request without crashing at exit', async () => {
    await writeConfig(tmp.path, { a: service('log', 'up') });
    const stderrFile = join(tmp.path, 'stderr.txt');
    // stderr to a file: what Node prints if it aborts at exit (its stdout and stdin stay on the terminal).
    const terminal = spawn('script', ['-q', '-c', `exec ${process.execPath} ${bundlePath} start 2>${stderrFile}`, '/dev/null'], { cwd: tmp.path, stdio: 'ignore' });
    try {
      await waitFor(async () => (await cli(tmp.path, ['status'])).code === 0, { timeoutMs: 30_000, what: 'the orchestrator running in its terminal' });
      const { pid } = await status();
      // The window closes: the terminal hangs up under the orchestrator (SIGHUP, then EIO on every write).
      terminal.kill('SIGKILL');
      await sleep(1500);
      expect(isAlive(pid)).toBe(true);
      expect((await cli(tmp.path, ['stop'])).code).toBe(0);
      await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, what: 'the orchestrator to exit' });
      // Node put back the terminal's settings at exit and, finding it hung up, aborted ("Assertion failed" in
      // ResetStdio), then died of SIGSEGV printing the stack: the streams whose terminal hung up are closed first.
      expect(await readFile(stderrFile, 'utf8')).toBe('');
    } finally {
      terminal.kill('SIGKILL');
    }
  }, 60_000);

  (posix ? it : it.skip)('start --detach fails with the reason when another orchestrator runs, or a service is not ready', async () => {
    await writeConfig(tmp.path, { a: service('log', 'up') });
    const first = await startOrchestrator(tmp.path);
    const second = await cli(tmp.path, ['start', '--detach']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`already running .*pid ${first.pid}`));
    expect(second.stdout).not.toMatch(/background/);
    await cli(tmp.path, ['stop']);
    await first.exited;
    await writeConfig(tmp.path, { slow: service('log', 'almost', '    readiness: { type: log, pattern: "never", timeoutMs: 1000 }\n') });
    const failed = await cli(tmp.path, ['start', '--detach']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Service 'slow' did not become ready/);
  }, 60_000);

  (posix ? it : it.skip)('stop waits until every service has stopped; --no-wait returns at once', async () => {
    await writeConfig(tmp.path, { a: service('log', 'up'), b: service('log', 'up', '    tier: 1\n') });
    const orchestrator = await startOrchestrator(tmp.path);
    const pids = (await status()).services.map((s) => s.pid!);
    const stop = await cli(tmp.path, ['stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toBe('stopping...\nstopped');
    // Already gone when stop returned: no waiting here.
    expect(pids.map((pid) => isAlive(pid))).toEqual([false, false]);
    await orchestrator.exited;
    const again = await startOrchestrator(tmp.path);
    const quick = await cli(tmp.path, ['stop', '--no-wait']);
    expect(quick.stdout).toBe('stopping');
    await again.exited;
  }, 60_000);

  it('a service whose program does not exist fails the start with a sentence, not a stack trace', async () => {
    await writeConfig(tmp.path, { ghost: '    command: baton-no-such-program\n    args: [--version]\n' });
    const result = await cli(tmp.path, ['start']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Service 'ghost' cannot be started: the program 'baton-no-such-program' was not found in PATH/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);

  (posix ? it : it.skip)('reloads over the rate limit are deferred and coalesced, never dropped: the last edit is applied', async () => {
    // A window far longer than the steps below take on a loaded machine (two edits, two reloads, four CLI calls):
    // the third edit's deferred reload must not come due before the fourth edit is written.
    const top = 'reload: { debounceMs: 50, maxPerMinute: 2, windowMs: 12000 }\n';
    await writeConfig(tmp.path, { b: service('log', 'v0') }, top);
    const orchestrator = await startOrchestrator(tmp.path);
    for (const [i, version] of ['v1', 'v2'].entries()) {
      await writeConfig(tmp.path, { b: service('log', version) }, top);
      await waitFor(() => orchestrator.lines.filter((l) => /reloaded: .*changed b/.test(l)).length === i + 1, { timeoutMs: 20_000, what: `reload ${version}` });
      await waitFor(async () => (await cli(tmp.path, ['logs', 'b', '-n', '1000'])).stdout.includes(`b | ${version}`), { timeoutMs: 10_000 });
    }
    // Two reloads in the window: the third edit is deferred, and a fourth joins it.
    await writeConfig(tmp.path, { b: service('log', 'v3') }, top);
    await orchestrator.waitForLine('reload deferred', 20_000);
    // status says a reload is waiting, and until when.
    await waitFor(async () => /a reload is deferred by the rate limit until \S+ \(file changed\)/.test((await cli(tmp.path, ['status'])).stdout), { timeoutMs: 5000, what: 'the deferred reload in the status' });
    await sleep(200);
    await writeConfig(tmp.path, { b: service('log', 'v4') }, top);
    await waitFor(async () => (await cli(tmp.path, ['logs', 'b', '-n', '1000'])).stdout.includes('b | v4'), { timeoutMs: 20_000, what: 'the last edit applied' });
    expect((await cli(tmp.path, ['logs', 'b', '-n', '200'])).stdout).not.toContain('b | v3');
    expect(orchestrator.lines.filter((l) => l.includes('the latest file will be applied then'))).toHaveLength(1);
  }, 60_000);

  (posix ? it : it.skip)('a reload whose new service is not ready rolls back to the previous one, and says so', async () => {
    // A long debounce: only the explicit reload below applies the edit, not the file watch as well.
    const top = 'reload: { debounceMs: 100000 }\n';
    await writeConfig(tmp.path, { b: service('log', 'old') }, top);
    await startOrchestrator(tmp.path);
    await writeConfig(tmp.path, { b: service('log', 'new', '    readiness: { type: log, pattern: "never", timeoutMs: 1000 }\n') }, top);
    const result = await cli(tmp.path, ['reload']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^reload failed, rolled back to the previous configuration:\n {2}Service 'b' did not become ready/);
    const snapshot = await status();
    expect(snapshot.services.map((s) => [s.name, s.state])).toEqual([['b', 'ready']]);
    expect(snapshot.lastReload).toMatchObject({ ok: false, rolledBack: true });
    const logs = await cli(tmp.path, ['logs', 'b', '-n', '5']);
    expect(logs.stdout).toMatch(/b \| (old|tick)/);
    expect((await cli(tmp.path, ['logs', 'b', '-n', '1'])).stdout).not.toContain('new');
    // The same file again: not applied (it would fail and roll back the same way, restarting b twice more).
    const pid = snapshot.services[0]!.pid;
    const again = await cli(tmp.path, ['reload']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^reload skipped: the file has not changed since its reload failed at .* and was rolled back; fix it first/);
    expect((await status()).services[0]!.pid).toBe(pid);
  }, 60_000);

  (posix ? it : it.skip)('invalid files do not count toward the reload rate limit: a valid edit after them is applied at once', async () => {
    const top = 'reload: { debounceMs: 100000, maxPerMinute: 2, windowMs: 60000 }\n';
    await writeConfig(tmp.path, { b: service('log', 'v0') }, top);
    const orchestrator = await startOrchestrator(tmp.path);
    for (let i = 0; i < 3; i++) {
      await writeFile(join(tmp.path, 'orchestrator.yaml'), `${top}services:\n  b: {}\n`);
      expect((await cli(tmp.path, ['reload'])).stderr).toMatch(/^reload refused, nothing changed/);
    }
    await writeConfig(tmp.path, { b: service('log', 'v1') }, top);
    const applied = await cli(tmp.path, ['reload']);
    expect(applied.stdout).toMatch(/^reloaded: .*changed b/);
    expect(orchestrator.lines.some((l) => l.includes('reload deferred'))).toBe(false);
  }, 60_000);

  (posix ? it : it.skip)('logs through a pipe: every line arrives to a slow reader, and a reader that closes early ends it quietly with status 0', async () => {
    await writeConfig(tmp.path, { chatty: service('burst', '1000') });
    await startOrchestrator(tmp.path);
    await waitFor(async () => (await cli(tmp.path, ['logs', 'chatty', '-n', '1000'])).stdout.includes('burst 00999'), { timeoutMs: 20_000, what: 'the burst in the logs' });
    // The CLI from its source, through tsx's loader (found from here: the shell runs in the temp directory).
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
    const shell = (pipeline: string, args = '-n 1000') =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const command = `{ ${process.execPath} --import ${tsx} ${cliPath} logs chatty ${args}; echo "cli status $?" >&2; } ${pipeline}`;
        const child = spawn('sh', ['-c', command], { cwd: tmp.path, env: { ...process.env, CI: '1' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    // 100 KB (the last 1000 lines, what the orchestrator keeps): more than a pipe holds; the reader starts a second
    // late (the CLI exited before it drained, and 560-600 of 1000 lines arrived).
    const slow = await shell('| (sleep 1; wc -l)');
    expect(slow.stderr).toBe('cli status 0\n');
    expect(slow.stdout.trim()).toBe('1000');
    // The reader takes one line and goes: no EPIPE trace, status 0.
    const early = await shell('| head -n 1');
    expect(early.stdout).toMatch(/^chatty \| [^\n]*\n$/);
    expect(early.stderr).toBe('cli status 0\n');
    // Following: it ends once the reader has gone (at its next line, a tick within 200 ms), with status 0.
    const followed = await shell('| head -n 3', '-f -n 1');
    expect(followed.stdout.trim().split('\n')).toHaveLength(3);
    expect(followed.stderr).toBe('cli status 0\n');
  }, 60_000);

  (posix ? it : it.skip)('stop <service> and start <service> act on one service of the running orchestrator', async () => {
    await writeConfig(tmp.path, { a: service('log', 'a'), b: service('log', 'b') });
    await startOrchestrator(tmp.path);
    const before = Object.fromEntries((await status()).services.map((s) => [s.name, s.pid]));
    const stopped = await cli(tmp.path, ['stop', 'b']);
    expect(stopped).toMatchObject({ code: 0, stdout: 'b: stopped' });
    expect(isAlive(before.b!)).toBe(false);
    expect((await status()).services.map((s) => [s.name, s.state, s.pid])).toEqual([['a', 'ready', before.a], ['b', 'stopped', undefined]]);
    const started = await cli(tmp.path, ['start', 'b']);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^b: ready \(pid \d+\)$/);
    expect((await status()).services.map((s) => s.state)).toEqual(['ready', 'ready']);
    const unknown = await cli(tmp.path, ['start', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No service named 'nope'; configured: a, b/);
  }, 60_000);

  (posix ? it : it.skip)('logs interleave services by time, with -t timestamps and --since; every line is kept in rotated per-service files', async () => {
    await writeConfig(tmp.path, { a: service('log', 'a'), b: service('log', 'b') }, 'logs: { maxBytes: 400, keep: 2 }\n');
    await startOrchestrator(tmp.path);
    await sleep(2500);
    const all = await cli(tmp.path, ['logs', '-t', '-n', '50']);
    expect(all.code).toBe(0);
    const parsed = all.stdout.split('\n').map((l) => /^(\S+) (a|b) \| (.*)$/.exec(l)!);
    expect(parsed.every(Boolean)).toBe(true);
    const times = parsed.map((m) => Date.parse(m[1]!));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    expect(new Set(parsed.map((m) => m[2]))).toEqual(new Set(['a', 'b']));
    const recent = await cli(tmp.path, ['logs', '-t', '--since', '1s', '-n', '50']);
    const recentTimes = recent.stdout.split('\n').filter(Boolean).map((l) => Date.parse(l.split(' ')[0]!));
    expect(recentTimes.length).toBeGreaterThan(0);
    expect(recentTimes.length).toBeLessThan(times.length);
    expect(Math.min(...recentTimes)).toBeGreaterThan(Date.now() - 3000);
    expect((await cli(tmp.path, ['logs', '--since', 'yesterday'])).code).toBe(2);
    // The files: rotated at 400 bytes, two kept, each line stamped.
    const dir = join(tmp.path, '.baton', 'orchestrator', 'logs');
    // The current file is there even right after a rotation (then empty until the next line).
    const current = await readFile(join(dir, 'a.log'), 'utf8');
    for (const line of current.split('\n').filter(Boolean)) expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T\S+Z stdout \| /);
    // Three rotations: the first file's lines (the worker's start line) are gone, and no third old file is kept.
    await waitFor(async () => existsSync(join(dir, 'a.log.2')) && !(await readFile(join(dir, 'a.log.2'), 'utf8')).includes('worker log pid'), { timeoutMs: 30_000, what: 'three rotations' });
    expect((await readFile(join(dir, 'a.log.1'), 'utf8')).length).toBeGreaterThanOrEqual(400);
    expect(existsSync(join(dir, 'a.log.3'))).toBe(false);
    expect((await readFile(join(dir, 'a.log.2'), 'utf8')).split('\n')[0]).toMatch(/stdout \| tick \d+$/);
  }, 60_000);
});
