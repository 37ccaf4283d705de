// The terminal view's layout and keys, without a terminal (tui.test.ts drives the real one in tmux).
import { describe, expect, it } from '@jest/globals';
import type { ServiceStatus } from '@baton/supervisor';
import { frame, initialState, onKey, type ViewData, type ViewState } from '../src/tui/model.js';

function service(name: string, extra: Partial<ServiceStatus> = {}): ServiceStatus {
  return { name, state: 'ready', pid: 100, restarts: 0, startedAt: undefined, uptimeMs: 65_000, lastExit: undefined, livenessFailures: undefined, outputDroppedBytes: 0, restartBudget: { used: 0, max: 5, windowMs: 60_000 }, nextStartAt: undefined, tier: 0, degraded: [], ...extra };
}

const data = (logs: string[] = [], owner = false): ViewData => ({
  configFile: '/work/stack/orchestrator.yaml',
  lifecycle: 'running',
  services: [service('api'), service('worker-with-a-rather-long-name', { state: 'backoff', pid: undefined, lastExit: { code: 3, signal: undefined, at: '' }, restartBudget: { used: 3, max: 5, windowMs: 60_000 }, nextStartAt: new Date(Date.now() + 4_000).toISOString() }), service('db', { pid: 300 })],
  stats: new Map([[100, { cpuPercent: 12.5, rssBytes: 52_000_000 }]]),
  logs,
  owner,
});

const keysOf = (state: ViewState, input: string, d: ViewData, page = 5) => [...input].reduce((s, ch) => onKey(s, { input: ch }, d, page).state, state);

describe('frame', () => {
  it('fits any size: never more rows than asked, no line wider than the columns, one title and one header', () => {
    const logs = Array.from({ length: 200 }, (_, i) => `line ${i} ${'y'.repeat(i % 150)}\t\u001b[31mred`);
    for (const [columns, rows] of [[80, 24], [200, 50], [40, 10], [20, 6], [10, 3], [1, 1]] as const) {
      const lines = frame(data(logs), initialState, columns, rows);
      expect(lines.length).toBeLessThanOrEqual(rows);
      expect(Math.max(...lines.map((l) => [...l.text].length))).toBeLessThanOrEqual(columns);
      expect(lines.filter((l) => l.style === 'title')).toHaveLength(1);
      if (rows >= 4) expect(lines.filter((l) => l.style === 'header')).toHaveLength(1);
      // What a service printed never reaches the terminal as a control character.
      // eslint-disable-next-line no-control-regex
      expect(lines.some((l) => /[\u0000-\u0008\u000b-\u001f]/.test(l.text))).toBe(false);
    }
  });

  it('shows CPU and memory where there is room, and drops them (then cuts names) where there is not', () => {
    const wide = frame(data(), initialState, 120, 20);
    expect(wide[1]!.text).toMatch(/SERVICE +TIER +STATE +PID +UPTIME +RESTARTS +CPU +MEM/);
    expect(wide[2]!.text).toMatch(/^api .* 12\.5% +52 MB$/);
    const narrow = frame(data(), initialState, 40, 20);
    expect(narrow[1]!.text).not.toContain('CPU');
    expect(narrow.some((l) => l.text.startsWith('worker-with…') && /backoff \d+s \(exit 3\)/.test(l.text))).toBe(true);
    // Restarts: of the budget the policy allows within its window; a countdown to the next start in backoff.
    expect(wide[3]!.text).toMatch(/^worker-with-a-rather-long-name +0 +backoff [34]s \(exit 3\) +- +\S+ +3\/5 /);
  });

  it('follows the newest output, or shows where it is scrolled to', () => {
    const logs = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    const following = frame(data(logs), initialState, 80, 20);
    expect(following.at(-2)!.text).toBe('line 49');
    expect(following.find((l) => l.style === 'rule')!.text).toMatch(/^── api output · following ─+$/);
    const back = frame(data(logs), { ...initialState, scrollBack: 10 }, 80, 20);
    expect(back.at(-2)!.text).toBe('line 39');
    expect(back.find((l) => l.style === 'rule')!.text).toContain('10 lines back of 50');
  });
});

describe('keys', () => {
  it('select with arrows or j/k, act on the selected service', () => {
    const d = data();
    let state = onKey(initialState, { input: '', downArrow: true }, d, 5).state;
    expect(state.selected).toBe('worker-with-a-rather-long-name');
    const restart = onKey(state, { input: 'r' }, d, 5);
    expect(restart.action).toEqual({ type: 'restart', service: 'worker-with-a-rather-long-name' });
    state = keysOf(state, 'jjj', d);
    expect(state.selected).toBe('db');
    expect(onKey(state, { input: 'x' }, d, 5).action).toEqual({ type: 'stop', service: 'db' });
    expect(onKey(state, { input: 's' }, d, 5).action).toEqual({ type: 'start', service: 'db' });
    expect(onKey(state, { input: 'R' }, d, 5).action).toEqual({ type: 'reload' });
  });

  it('search finds the newest match, n and N move between matches, Esc cancels', () => {
    const logs = ['alpha', 'error one', 'beta', 'error two', 'gamma', 'delta'];
    const d = data(logs);
    let state = keysOf(initialState, '/error', d);
    expect(state).toMatchObject({ mode: 'search', search: 'error' });
    state = onKey(state, { input: '', return: true }, d, 2).state;
    expect(state).toMatchObject({ mode: 'normal', scrollBack: 2 }); // 'error two' at the bottom
    state = onKey(state, { input: 'n' }, d, 2).state;
    expect(state.scrollBack).toBe(4); // 'error one'
    const none = onKey(state, { input: 'n' }, d, 2).state;
    expect(none).toMatchObject({ scrollBack: 4, message: "no older line matches 'error'" });
    expect(onKey(state, { input: 'N' }, d, 2).state.scrollBack).toBe(2);
    expect(onKey(keysOf(initialState, '/x', d), { input: '', escape: true }, d, 2).state).toMatchObject({ mode: 'normal', search: '' });
  });

  it('+ and - scale the service of the selected copy, counting the copies the rows show', () => {
    // A status taken while a scale applied: the rows show api-3 before the list of copies does.
    const d: ViewData = { ...data(), services: ['api-1', 'api-2', 'api-3', 'db'].map((name) => service(name)), replicas: { api: ['api-1', 'api-2'] } };
    const onApi3 = { ...initialState, selected: 'api-3' };
    expect(onKey(onApi3, { input: '-' }, d, 5).action).toEqual({ type: 'scale', service: 'api', replicas: 2 });
    expect(onKey(onApi3, { input: '+' }, d, 5).action).toEqual({ type: 'scale', service: 'api', replicas: 4 });
    const onDb = onKey({ ...initialState, selected: 'db' }, { input: '+' }, d, 5);
    expect(onDb.action).toBeUndefined();
    expect(onDb.state.message).toContain('db has no replicas');
    const one = { ...d, services: [service('api-1')], replicas: { api: ['api-1'] } };
    expect(onKey({ ...initialState, selected: 'api-1' }, { input: '-' }, one, 5).state.message).toBe('api runs one copy: x stops it');
  });

  it('q leaves an attached view at once, and asks first in the view that owns the stack; Q asks before stopping all', () => {
    expect(onKey(initialState, { input: 'q' }, data(), 5).action).toEqual({ type: 'quit' });
    const asked = onKey(initialState, { input: 'q' }, data([], true), 5);
    expect(asked.action).toBeUndefined();
    expect(asked.state.mode).toBe('confirm-quit');
    expect(onKey(asked.state, { input: 'n' }, data([], true), 5).action).toBeUndefined();
    expect(onKey(asked.state, { input: 'y' }, data([], true), 5).action).toEqual({ type: 'quit' });
    const all = onKey(initialState, { input: 'Q' }, data(), 5).state;
    expect(onKey(all, { input: 'y' }, data(), 5).action).toEqual({ type: 'stop-all' });
  });
});
