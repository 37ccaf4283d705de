// The interactive view in a real terminal: tmux (its own server per test file), keys sent with send-keys, the screen
// read with capture-pane, at 80x24, 200x50 and smaller, resized while it runs.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { waitFor } from '@baton/test-utils';
import { bundlePath, cli, orchestratorDirPerTest, writeConfig, worker } from './helpers.js';

const socket = `baton-tui-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const tmp = orchestratorDirPerTest();

afterAll(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
});

/** Runs `args` of the orchestrator in a new tmux session of `columns` x `rows` (CI unset: a terminal, as a user has). */
function open(session: string, args: string[], columns: number, rows: number): void {
  // `env -u`: the view (and Ink) take a CI variable, even empty, for a machine with no one at the terminal.
  const command = ['env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', process.execPath, bundlePath, ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), '-c', tmp.path, `${command}; echo "exited $?"; sleep 60`);
}

// `name:` (the colon) names the session: a bare name may resolve to a window or pane of another session.
const screen = (session: string) => tmux('capture-pane', '-p', '-t', `${session}:`).replace(/\n+$/, '').split('\n');
// `--`: a key such as '-' is not taken for an option.
const keys = (session: string, ...k: string[]) => void tmux('send-keys', '-t', `${session}:`, '--', ...k);

async function until(session: string, predicate: (lines: string[]) => boolean, what: string, timeoutMs = 20_000): Promise<string[]> {
  let last: string[] = [];
  try {
    await waitFor(() => predicate((last = screen(session))), { timeoutMs, what });
  } catch (err) {
    throw new Error(`${(err as Error).message}; the screen:\n${last.join("\n")}`, { cause: err });
  }
  return last;
}

const count = (lines: string[], text: string) => lines.filter((line) => line.includes(text)).length;

async function stack(): Promise<void> {
  const long = 'x'.repeat(300);
  await writeConfig(tmp.path, {
    api: `    command: ${process.execPath}\n    args: [${worker}, log, "api listening ${long} END"]\n`,
    crashy: `    command: ${process.execPath}\n    args: [-e, "console.log('crashy starts'); console.log('\\u001b[2J\\u001b[31mred'); setTimeout(() => process.exit(3), 300)"]\n    restart: { policy: on-failure, maxRestarts: 100, windowMs: 60000, backoff: { initialMs: 20000, maxMs: 20000 } }\n`,
    'a-service-with-a-name-far-too-long-for-a-narrow-terminal': `    command: ${process.execPath}\n    args: [${worker}, log, hello]\n`,
  });
}

(hasTmux ? describe : describe.skip)('the interactive view (tmux)', () => {
  it('80x24: one header, the services, the selected one output cut to the width; restart, scroll, search, resize, quit', async () => {
    await stack();
    open('a', ['start'], 80, 24);
    let lines = await until('a', (l) => l.some((line) => line.startsWith('Baton orchestrator · running')) && l.some((line) => line.includes('tick ')), 'the view, running');
    // One title, one table header, every line within 80 columns (long names and lines cut, not wrapped).
    expect(count(lines, 'Baton orchestrator')).toBe(1);
    expect(count(lines, 'SERVICE')).toBe(1);
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(Math.max(...lines.map((line) => [...line].length))).toBeLessThanOrEqual(80);
    expect(lines.some((line) => line.startsWith('a-service-with-a-name-far-too-long'))).toBe(true);
    expect(lines.at(-1)).toContain('? help');
    // The oldest output kept (g): the long first line, cut.
    keys('a', 'g');
    await until('a', (l) => l.some((line) => line.startsWith('api listening xxx') && line.endsWith('…') && [...line].length === 80), 'the long line, cut at 80');
    keys('a', 'G');

    // Select crashy (the second row) and read its output: the escape sequences it printed are shown, not obeyed.
    keys('a', 'j');
    lines = await until('a', (l) => l.some((line) => line.startsWith('── crashy output')) && l.some((line) => line.includes('crashy starts')), 'crashy selected, its output shown');
    expect(lines.some((line) => line.includes('\\x1b[2J\\x1b[31mred'))).toBe(true);

    // Restart it with a key: the footer says so and its restarts count goes up.
    // Restart it with a key (it waits 20 s in backoff after each crash): the footer says so, and it runs again now,
    // not at the end of the backoff.
    const row = () => screen('a').find((line) => line.startsWith('crashy ')) ?? '';
    await waitFor(() => row().includes('backoff'), { timeoutMs: 15_000, what: 'crashy in backoff' });
    const crashes = () => screen('a').filter((line) => line === 'crashy starts').length;
    const runs = crashes();
    keys('a', 'r');
    await until('a', (l) => l.at(-1)!.includes('restarting crashy'), 'the footer saying crashy restarts');
    await waitFor(() => crashes() > runs, { timeoutMs: 8000, what: 'crashy started again by the key, within its 20 s backoff' });

    // Back to api; scroll its output back a page, search it, follow again.
    keys('a', 'k');
    await until('a', (l) => l.some((line) => line.startsWith('── api output · following')), 'api selected');
    await until('a', (l) => l.some((line) => /^tick ([4-9]\d|\d{3,})$/.test(line)), 'over two pages of api output (40 ticks)', 30_000);
    keys('a', 'b');
    await until('a', (l) => l.some((line) => /^── api output · \d+ lines back of \d+/.test(line)), 'scrolled back');
    keys('a', '/', 't', 'i', 'c', 'k', ' ', '3');
    await until('a', (l) => l.at(-1)!.startsWith('/tick 3'), 'the search typed in the footer');
    // The newest matching line comes to the bottom of the pane; n goes to the next older one.
    keys('a', 'Enter');
    lines = await until('a', (l) => l.some((line) => line.includes('· /tick 3')) && l.at(-2)!.startsWith('tick 3'), 'the search applied');
    const found = lines.at(-2)!;
    keys('a', 'n');
    await until('a', (l) => l.at(-2)!.startsWith('tick 3') && Number(l.at(-2)!.slice(5)) < Number(found.slice(5)), 'the next older match');
    keys('a', 'G');
    await until('a', (l) => l.some((line) => line.startsWith('── api output · following')), 'following again');

    // Resize: 200x50 shows more rows and every column; 60x16 drops columns, still one header and no wrapped line.
    tmux('resize-window', '-t', 'a:', '-x', '200', '-y', '50');
    lines = await until('a', (l) => l.length > 30 && l[1]!.includes('CPU') && l[1]!.includes('MEM'), 'the view at 200x50');
    expect(count(lines, 'Baton orchestrator')).toBe(1);
    expect(Math.max(...lines.map((line) => [...line].length))).toBeLessThanOrEqual(200);
    tmux('resize-window', '-t', 'a:', '-x', '60', '-y', '16');
    lines = await until('a', (l) => l.length <= 16 && l.some((line) => line.startsWith('SERVICE')) && !l.some((line) => line.includes('MEM')), 'the view at 60x16');
    expect(count(lines, 'Baton orchestrator')).toBe(1);
    expect(Math.max(...lines.map((line) => [...line].length))).toBeLessThanOrEqual(60);

    // Help, then quit: the owner's view asks first, then stops the stack.
    keys('a', '?');
    await until('a', (l) => l.some((line) => line.includes('restart the selected service')), 'the help');
    keys('a', 'x');
    keys('a', 'q');
    await until('a', (l) => l.at(-1)!.includes('Stop every service and quit? y / n'), 'the confirmation');
    keys('a', 'y');
    await until('a', (l) => l.some((line) => line.startsWith('exited 0')), 'the orchestrator to stop and exit 0', 30_000);
  }, 120_000);

  it('attach: two views on a detached stack; q leaves each, the stack runs on', async () => {
    await stack();
    const started = await cli(tmp.path, ['start', '--detach']);
    expect(started.code).toBe(0);
    open('b', ['attach'], 80, 24);
    open('c', ['attach', '--no-color'], 100, 30);
    for (const session of ['b', 'c']) {
      const lines = await until(session, (l) => l.some((line) => line.startsWith('Baton orchestrator · running')) && l.some((line) => line.startsWith('api ')), `attached view ${session}`);
      expect(lines.at(-1)).toContain('q leave');
    }
    // Colours: the states are coloured in b; c was started with --no-color (NO_COLOR does the same).
    const sgrColour = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*(3[1-7]|9[0-7])(;[0-9]+)*m`, 'g');
    const colours = (session: string) => (tmux('capture-pane', '-p', '-e', '-t', `${session}:`).match(sgrColour) ?? []).length;
    expect(colours('b')).toBeGreaterThan(0);
    expect(colours('c')).toBe(0);
    keys('b', 'q');
    await until('b', (l) => l.some((line) => line.startsWith('exited 0')), 'the first view to leave');
    // The other view and the stack are still there.
    await until('c', (l) => l.some((line) => line.startsWith('api ')), 'the second view still showing');
    expect((await cli(tmp.path, ['status'])).code).toBe(0);
    keys('c', 'q');
    await until('c', (l) => l.some((line) => line.startsWith('exited 0')), 'the second view to leave');
    const status = await cli(tmp.path, ['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).lifecycle).toBe('running');
  }, 90_000);

  it('replicas: the copies are rows of their own; + and - on one of them scale its service', async () => {
    await writeConfig(tmp.path, { api: `    command: ${process.execPath}\n    args: [${worker}, env, BATON_REPLICA]\n    replicas: 2\n` });
    open('e', ['start'], 80, 24);
    const rows = (l: string[]) => l.filter((line) => /^api-\d /.test(line)).map((line) => line.split(' ')[0]);
    await until('e', (l) => rows(l).join() === 'api-1,api-2' && l.some((line) => line === 'env BATON_REPLICA=1'), 'two copies, the first selected');
    keys('e', '+');
    await until('e', (l) => rows(l).join() === 'api-1,api-2,api-3', 'a third copy');
    keys('e', 'j', 'j');
    await until('e', (l) => l.some((line) => line.startsWith('── api-3 output')) && l.some((line) => line === 'env BATON_REPLICA=3'), 'the third copy selected, told its index');
    keys('e', '-');
    await until('e', (l) => rows(l).join() === 'api-1,api-2', 'two copies again', 30_000);
    keys('e', '-');
    await until('e', (l) => rows(l).join() === 'api-1', 'one copy left', 30_000);
    keys('e', '-');
    await until('e', (l) => l.at(-1)!.includes('api runs one copy'), 'the last copy kept');
    keys('e', 'q', 'y');
    await until('e', (l) => l.some((line) => line.startsWith('exited 0')), 'the stop');
  }, 90_000);

  it('--no-tui in a terminal prints the plain progress and table, as before', async () => {
    await writeConfig(tmp.path, { api: `    command: ${process.execPath}\n    args: [${worker}, log, hi]\n` });
    open('d', ['start', '--no-tui'], 80, 24);
    await until('d', (l) => l.some((line) => line.startsWith('SERVICE')) && l.some((line) => line.includes("'orchestrator status'")), 'the plain table');
    keys('d', 'C-c');
    await until('d', (l) => l.some((line) => line.startsWith('exited 0')), 'the stop');
  }, 60_000);
});
