// The windows' group in one process (each "window" a Windows object on the same directory): shared state,
// migration, limits, leader-only work, broadcasts, members. Separate processes: processes.test.ts.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { makeTempDir, waitFor, type TempDir } from '@baton/test-utils';
import { Windows } from '../src/core.js';

let tmp: TempDir;
const open: Windows[] = [];
beforeEach(async () => {
  tmp = await makeTempDir('baton-vscode-');
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
  await tmp.cleanup();
});

async function join(workspace: string, options: { maxSharedBytes?: number } = {}): Promise<Windows> {
  const windows = await Windows.join({ dir: tmp.path, window: { workspace }, leaseMs: 1000, ...options });
  open.push(windows);
  return windows;
}

describe('sharedState', () => {
  it('update(key, fn) is a compare-and-swap across windows: 2 x 200 concurrent increments, none lost', async () => {
    const a = await join('a');
    const b = await join('b');
    const bump = (w: Windows) => w.sharedState.update<number>('n', (n = 0) => n + 1);
    await Promise.all([...Array.from({ length: 200 }, () => bump(a)), ...Array.from({ length: 200 }, () => bump(b))]);
    await waitFor(() => a.sharedState.get('n') === 400 && b.sharedState.get('n') === 400, { what: '400 in both windows' });
  });

  it('is a Memento: get with a default, keys, update(key, value), undefined deletes', async () => {
    const a = await join('a');
    expect(a.sharedState.get('theme', 'light')).toBe('light');
    await a.sharedState.update('theme', 'dark');
    await a.sharedState.update('layout', { panels: [1, 2] });
    expect(a.sharedState.get('theme')).toBe('dark');
    expect([...a.sharedState.keys()].sort()).toEqual(['layout', 'theme']);
    await a.sharedState.update('theme', undefined);
    expect(a.sharedState.keys()).toEqual(['layout']);
    // Resolves with undefined like Memento.update, and with the value written for a function.
    expect(await a.sharedState.update('x', 1)).toBeUndefined();
    expect(await a.sharedState.update<number>('x', (x = 0) => x + 1)).toBe(2);
  });

  it('onDidChange names the keys that changed and who wrote them: local here, remote there', async () => {
    const a = await join('a');
    const b = await join('b');
    const inA: string[] = [];
    const inB: string[] = [];
    a.sharedState.onDidChange(({ keys, origin }) => inA.push(`${origin}:${keys.join()}`));
    b.sharedState.onDidChange(({ keys, origin }) => inB.push(`${origin}:${keys.join()}`));
    await a.sharedState.update('theme', 'dark');
    await waitFor(() => inB.length === 1, { what: 'b hearing of the write' });
    // Writing the same value again changes nothing: no event.
    await a.sharedState.update('theme', 'dark');
    await b.sharedState.update('count', 1);
    await waitFor(() => inA.length === 2 && inB.length === 2, { what: 'both writes heard in both' });
    expect(inA).toEqual(['local:theme', 'remote:count']);
    expect(inB).toEqual(['remote:theme', 'local:count']);
  });

  it('migrateFrom copies each key once, first come, without overwriting a shared one; later keys still come over', async () => {
    const a = await join('a');
    await a.sharedState.update('kept', 'shared value');
    const memento = new Map<string, unknown>([['stats', { xp: 10 }], ['kept', 'old value'], ['other', 1], ['later', 'l']]);
    const globalState = { keys: () => [...memento.keys()], get: <T>(key: string) => memento.get(key) as T | undefined };
    expect(await a.sharedState.migrateFrom(globalState, ['stats', 'kept', 'absent'])).toBe(1);
    expect(a.sharedState.get('stats')).toEqual({ xp: 10 });
    expect(a.sharedState.get('kept')).toBe('shared value');
    expect(a.sharedState.get('other')).toBeUndefined();
    // Another window (or the next start) with its own globalState: what was migrated is not copied again.
    const b = await join('b');
    memento.set('stats', { xp: 99 });
    expect(await b.sharedState.migrateFrom(globalState, ['stats'])).toBe(0);
    expect(b.sharedState.get('stats')).toEqual({ xp: 10 });
    // A key asked for the first time in a later version is copied then.
    expect(await b.sharedState.migrateFrom(globalState, ['stats', 'later'])).toBe(1);
    expect(b.sharedState.get('later')).toBe('l');
  });

  it('refuses what JSON cannot hold, naming the key and where, and stores nothing', async () => {
    const a = await join('a');
    await a.sharedState.update('ok', 1);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(a.sharedState.update('f', { run: () => 1 })).rejects.toThrow("shared state: 'f'.run is a function; values must be JSON");
    await expect(a.sharedState.update('big', { n: 10n })).rejects.toThrow("'big'.n is a bigint");
    await expect(a.sharedState.update('nan', [1, Number.NaN])).rejects.toThrow("'nan'[1] is NaN");
    await expect(a.sharedState.update('cycle', cyclic)).rejects.toThrow("'cycle'.self refers to itself");
    await expect(a.sharedState.update('', 1)).rejects.toThrow('a key must be a non-empty string');
    expect(a.sharedState.keys()).toEqual(['ok']);
  });

  it('past maxSharedBytes a write fails with ETOOLARGE and the values already stored stay, in every window', async () => {
    const a = await join('a', { maxSharedBytes: 4096 });
    const b = await join('b', { maxSharedBytes: 4096 });
    await a.sharedState.update('small', 'x'.repeat(100));
    await expect(a.sharedState.update('huge', 'x'.repeat(10_000))).rejects.toMatchObject({ code: 'ETOOLARGE' });
    expect(a.sharedState.keys()).toEqual(['small']);
    await waitFor(() => b.sharedState.get('small') !== undefined, { what: 'the small value in b' });
    expect(b.sharedState.keys()).toEqual(['small']);
    const file = JSON.parse(await readFile(`${tmp.path}/windows.shared.state.json`, 'utf8')) as { payload: { values: object } };
    expect(Object.keys(file.payload.values)).toEqual(['small']);
  });
});

describe('leading, members, broadcasts', () => {
  it('runs leader work in one window at a time, and hands it over at once when that window closes', async () => {
    const a = await join('a');
    const b = await join('b');
    const running = new Set<string>();
    let overlap = false;
    const starts: string[] = [];
    for (const [name, w] of [['a', a], ['b', b]] as const) {
      w.runWhileLeader(async (signal) => {
        if (running.size > 0) overlap = true;
        running.add(name);
        starts.push(name);
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        running.delete(name);
      });
    }
    await waitFor(() => starts.length === 1, { what: 'one window leading' });
    const [first, second] = starts[0] === 'a' ? [a, b] : [b, a];
    expect(first.isLeader).toBe(true);
    expect(second.isLeader).toBe(false);
    const closedAt = performance.now();
    await first.close();
    open.splice(open.indexOf(first), 1);
    await waitFor(() => starts.length === 2, { what: 'the other window taking over' });
    // A window that closes resigns: the other leads at once, not after the lease (1 s here).
    expect(performance.now() - closedAt).toBeLessThan(1000);
    expect(second.isLeader).toBe(true);
    expect(overlap).toBe(false);
  });

  it('members carry each window’s workspace, short id and focus, the leader first, and say where the leader is', async () => {
    const a = await join('api');
    await waitFor(() => a.isLeader, { what: 'a leading' });
    const b = await join('web');
    await waitFor(() => b.members.length === 2 && a.members.length === 2, { what: 'two members in both' });
    await b.setFocused(true);
    await a.setFocused(false);
    await waitFor(() => a.members.every((m) => m.focused !== undefined), { what: 'the focus of both in a' });
    const seenByA = a.members.map((m) => [m.workspace, m.isLeader, m.isSelf, m.focused, m.window]);
    expect(seenByA).toEqual([
      ['api', true, true, false, a.id.slice(0, 8)],
      ['web', false, false, true, b.id.slice(0, 8)],
    ]);
    expect(a.describeLeader()).toBe(`this window: 'api' [${a.id.slice(0, 8)}] (pid ${process.pid})`);
    expect(b.describeLeader()).toBe(`another window: 'api' [${a.id.slice(0, 8)}] (pid ${process.pid})`);
    // A window that leaves takes its focus entry with it.
    await b.close();
    open.splice(open.indexOf(b), 1);
    await waitFor(async () => !(await readFile(`${tmp.path}/windows.windows.state.json`, 'utf8')).includes(b.id), { what: "b's focus gone from the file" });
  });

  it('broadcast reaches the other windows in order, not the sender, and only on its channel', async () => {
    const a = await join('a');
    const b = await join('b');
    const c = await join('c');
    await waitFor(() => [a, b, c].every((w) => w.members.length === 3), { what: 'three members' });
    const heard: Record<string, unknown[]> = { a: [], b: [], c: [] };
    for (const [name, w] of [['a', a], ['b', b], ['c', c]] as const) {
      w.onDidReceive('focus', (data, from) => heard[name]!.push([data, from === a.id ? 'from a' : from]));
    }
    b.onDidReceive('other', () => heard.b!.push('wrong channel'));
    for (let i = 0; i < 20; i++) a.broadcast('focus', { i });
    const expected = Array.from({ length: 20 }, (_, i) => [{ i }, 'from a']);
    await waitFor(() => heard.b!.length === 20 && heard.c!.length === 20, { what: 'twenty messages in b and c' });
    expect(heard).toEqual({ a: [], b: expected, c: expected });
  });
});
