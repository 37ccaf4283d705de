// `orchestrator run -- <command>`: the stack around one command, as a CI job uses it.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, isAlive, killAllFixtures, makeTempDir, spawnFixture, type TempDir } from '@baton/test-utils';
import { answers, cli, cliPath, service, writeConfig } from './helpers.js';

const api = fileURLToPath(new URL('../examples/api.mjs', import.meta.url));
const posix = process.platform !== 'win32';
let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await killAllFixtures();
  await tmp.cleanup();
});

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const f = spawnFixture(cliPath, ['run', ...args], { cwd: tmp.path, env: { CI: '1' } });
  const { code } = await f.exited;
  return { code, stdout: f.lines.join('\n'), stderr: f.stderr(), ms: performance.now() - started };
}

describe('orchestrator run', () => {
  (posix ? it : it.skip)('relative paths are the config\'s directory\'s, wherever it is run from: a service runs there, or in its cwd taken from there', async () => {
    const stack = join(tmp.path, 'stack');
    await mkdir(join(stack, 'sub'), { recursive: true });
    const ready = '    readiness: { type: log, pattern: "^ready$" }\n';
    await writeConfig(stack, {
      here: `    command: "pwd > here.txt && echo ready && exec sleep 60"\n${ready}`,
      there: `    command: "pwd > here.txt && echo ready && exec sleep 60"\n    cwd: sub\n${ready}`,
    }, 'logs: { dir: logs }\n');
    // From the parent directory, as a CI job runs a stack kept in a subdirectory.
    const result = await run(['-c', 'stack/orchestrator.yaml', '--', 'true']);
    expect(result.stderr).not.toContain('is not a directory');
    expect(result.code).toBe(0);
    expect((await readFile(join(stack, 'here.txt'), 'utf8')).trim()).toBe(await realpath(stack));
    expect((await readFile(join(stack, 'sub', 'here.txt'), 'utf8')).trim()).toBe(await realpath(join(stack, 'sub')));
    expect(existsSync(join(tmp.path, 'here.txt'))).toBe(false);
    expect(existsSync(join(stack, 'logs'))).toBe(true);
  }, 60_000);

  (posix ? it : it.skip)('runs the command once the stack is ready, stops the stack, and exits with the command\'s code', async () => {
    const port = await freePort();
    await writeConfig(tmp.path, {
      api: `    command: ${process.execPath}\n    args: [${api}]\n    env: { API_PORT: "${port}" }\n    readiness: { type: http, url: "http://127.0.0.1:${port}/health", periodMs: 50 }\n`,
    });
    const check = `fetch('http://127.0.0.1:${port}/health').then(async (r) => { console.log('health', r.status, await r.text()); process.exit(7); })`;
    const result = await run(['--', process.execPath, '-e', check]);
    expect(result.stdout).toBe('health 200 ok');
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('orchestrator run: every tier is ready; running');
    // Everything stopped: no orchestrator, nothing left over, the port free again.
    const status = await cli(tmp.path, ['status']);
    expect(status.code).toBe(3);
    expect(status.stderr).not.toContain('Left running');
    expect(await answers(port)).toBe(false);
  }, 60_000);

  (posix ? it : it.skip)('exits 4 without running the command when the stack does not start', async () => {
    await writeConfig(tmp.path, { slow: service('log', 'almost', '    readiness: { type: log, pattern: "never", timeoutMs: 500 }\n') });
    const marker = join(tmp.path, 'ran');
    const result = await run(['--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/orchestrator run: the stack did not start: Service 'slow' did not become ready/);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  (posix ? it : it.skip)('--timeout stops a command that runs too long, and the stack, with exit 124', async () => {
    await writeConfig(tmp.path, { a: service('log', 'a') });
    const result = await run(['--timeout', '2', '--', process.execPath, '-e', 'setTimeout(() => {}, 60000)']);
    expect(result.code).toBe(124);
    expect(result.stderr).toContain('--timeout 2 s reached; stopping');
    expect(result.ms).toBeLessThan(20_000);
  }, 60_000);

  it('names a missing command (127) and refuses usage errors (2)', async () => {
    await writeConfig(tmp.path, { a: service('log', 'a') });
    const missing = await run(['--', 'baton-no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("cannot run 'baton-no-such-command': not found in PATH");
    expect((await run([])).code).toBe(2);
    expect((await run(['--timeout', 'x', '--', 'true'])).code).toBe(2);
    expect(isAlive(process.pid)).toBe(true);
  }, 60_000);
});
