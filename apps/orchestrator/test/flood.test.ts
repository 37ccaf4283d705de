// The orchestrator under a service that prints without end (`yes`), beside a quiet one: its control socket keeps
// answering, every quiet line is kept, every file under .baton/ stays within its bound, and SIGTERM stops everything
// within the services' stop timeouts. FLOOD_SECONDS (default 4) for a longer run; `bench/flood.mjs` measures the
// same for 60 s with figures (status p99, CPU, RSS, disk).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesUnder, isAlive, sleep, waitFor } from '@baton/test-utils';
import { connect, readAuthToken } from '@baton/ipc';
import { orchestratorPaths, type StatusSnapshot } from '../src/index.js';
import { service, startOrchestrator, writeConfig, orchestratorDirPerTest } from './helpers.js';

const seconds = Number(process.env.FLOOD_SECONDS ?? 4);
const posix = process.platform !== 'win32';
const tmp = orchestratorDirPerTest();

describe('the orchestrator under an output flood', () => {
  (posix ? it : it.skip)(`yes for ${seconds} s beside a quiet service: status answers, quiet lines kept, files bounded, SIGTERM stops everything`, async () => {
    const maxBytes = 1_000_000;
    await writeConfig(
      tmp.path,
      { yes: '    command: yes\n    args: ["a line that a service prints in a loop"]\n    stop: { timeoutMs: 2000 }\n', quiet: service('log', 'quiet', '    stop: { timeoutMs: 2000 }\n') },
      `logs: { maxBytes: ${maxBytes}, keep: 1 }\n`,
    );
    const orchestrator = await startOrchestrator(tmp.path);
    const paths = orchestratorPaths(join(tmp.path, 'orchestrator.yaml'));
    const client = await connect({ path: paths.socketPath('control'), auth: { token: (await readAuthToken(paths.tokenFile))! }, name: 'flood-test', reconnect: false });
    const answers: number[] = [];
    let snapshot: StatusSnapshot | undefined;
    try {
      const until = performance.now() + seconds * 1000;
      while (performance.now() < until) {
        const before = performance.now();
        snapshot = (await client.request('status', undefined, { timeoutMs: 5000 })) as StatusSnapshot;
        answers.push(performance.now() - before);
        await sleep(100);
      }
    } finally {
      await client.close();
    }
    // Answered every time (a timeout would have thrown); how fast is the benchmark's to say, not a test's.
    expect(answers.length).toBeGreaterThan(seconds * 3);
    const pids = snapshot!.services.map((s) => s.pid!);
    expect(pids.every((pid) => pid > 0 && isAlive(pid))).toBe(true);
    // Within the bound: each service log (keep + 1) x maxBytes, plus one turn's write (at most 128 KiB read per turn).
    // The capture files (output/) are the supervisor's flood test's: 8 MiB, plus what `yes` appends while a cut back
    // runs, which a busy machine makes longer (tens of MB).
    expect(bytesUnder(join(paths.dir, 'logs'))).toBeLessThan(2 * 2 * (maxBytes + 256 * 1024));
    expect(bytesUnder(join(paths.dir, 'output'))).toBeLessThan(2 * 8 * 1024 * 1024 + 512 * 1024 * 1024);
    // SIGTERM, as a user's kill or a system shutdown sends: everything stops within the stop timeouts.
    const signalled = performance.now();
    orchestrator.kill('SIGTERM');
    const { code } = await orchestrator.exited;
    expect(code).toBe(0);
    expect(performance.now() - signalled).toBeLessThan(2000 + 3000);
    await waitFor(() => pids.every((pid) => !isAlive(pid)), { timeoutMs: 2000, what: 'every service gone' });
    // Every line of the quiet service, in order, none missing: "tick 0" ... "tick n".
    const text = readFileSync(join(paths.dir, 'logs', 'quiet.log'), 'utf8');
    const ticks = text.split('\n').map((l) => /stdout \| tick (\d+)$/.exec(l)?.[1]).filter((n): n is string => n !== undefined).map(Number);
    expect(ticks.length).toBeGreaterThanOrEqual(seconds * 2);
    expect(ticks).toEqual(ticks.map((_, i) => i));
  }, 60_000 + seconds * 2000);
});
