// coordinateWindows as an extension calls it, against a fake `vscode` module (test/fakes/vscode.ts): where the group
// lives, what the windows are told of each other, and the single-window fallback.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import type * as vscode from 'vscode';
import { makeTempDir, waitFor, type TempDir } from '@baton/test-utils';
import { coordinateWindows, fallbackStateKey, SingleWindow, Windows, type CoordinatedWindows } from '../src/index.js';
import { coordinateWindows as coordinateWebWindows } from '../src/web.js';
import { Uri, fake } from './fakes/vscode.js';

let tmp: TempDir;
const open: CoordinatedWindows[] = [];
beforeEach(async () => {
  tmp = await makeTempDir('baton-vscode-');
  fake.workspaceName = 'api';
  fake.remoteName = undefined;
  fake.focused = true;
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
  await tmp.cleanup();
});

/** An ExtensionContext with what the package reads: the global storage and globalState. */
function context(storage: Uri): { context: vscode.ExtensionContext; globalState: Map<string, unknown> } {
  const globalState = new Map<string, unknown>();
  const memento = {
    keys: () => [...globalState.keys()],
    get: <T>(key: string, fallback?: T) => (globalState.has(key) ? (globalState.get(key) as T) : fallback),
    update: async (key: string, value: unknown) => void (value === undefined ? globalState.delete(key) : globalState.set(key, structuredClone(value))),
  };
  return { context: { globalStorageUri: storage, globalState: memento, subscriptions: [] } as unknown as vscode.ExtensionContext, globalState };
}

async function coordinate(ctx: vscode.ExtensionContext, options: Parameters<typeof coordinateWindows>[1] = {}): Promise<CoordinatedWindows> {
  const windows = await coordinateWindows(ctx, { leaseMs: 1000, ...options });
  open.push(windows);
  return windows;
}

describe('coordinateWindows', () => {
  it('forms one group of the windows sharing the global storage, each shown by its workspace, app and focus', async () => {
    const storage = Uri.file(tmp.path);
    const a = await coordinate(context(storage).context);
    fake.workspaceName = undefined;
    fake.remoteName = 'ssh-remote';
    const b = await coordinate(context(storage).context);
    expect(a.supported && b.supported).toBe(true);
    expect(existsSync(`${tmp.path}/baton`)).toBe(true);
    await waitFor(() => a.members.length === 2 && a.members.every((m) => m.focused === true), { what: 'both windows and their focus in a' });
    expect(a.members.map((m) => [m.workspace, m.app, m.remote, m.isSelf])).toEqual([
      ['api', 'Visual Studio Code', undefined, true],
      ['(no folder)', 'Visual Studio Code', 'ssh-remote', false],
    ]);
    // The focus follows the window's state (both fake windows share one focus here: both change).
    fake.setFocused(false);
    await waitFor(() => a.members.every((m) => m.focused === false), { what: 'the focus lost, seen in a' });
    // State is shared: a Memento, in place of globalState.
    const memento: vscode.Memento = b.sharedState;
    await memento.update('stats', { xp: 10 });
    await waitFor(() => a.sharedState.get<{ xp: number }>('stats')?.xp === 10, { what: "b's write in a" });
  });

  it('keeps a group per name and per directory', async () => {
    const storage = Uri.file(tmp.path);
    const a = await coordinate(context(storage).context, { name: 'probes' });
    const b = await coordinate(context(storage).context, { name: 'sync', directory: 'elsewhere' });
    await waitFor(() => a.isLeader && b.isLeader, { what: 'each leading its own group' });
    expect(existsSync(`${tmp.path}/elsewhere`)).toBe(true);
    expect([a.members.length, b.members.length]).toEqual([1, 1]);
  });

  it('where the storage is not a file system, works alone and says why; state stays in globalState', async () => {
    const warnings: unknown[] = [];
    const log = { trace() {}, debug() {}, info() {}, warn: (obj: object, msg?: string) => void warnings.push([msg, obj]), error() {}, child: () => log };
    const { context: ctx, globalState } = context(Uri.parse('vscode-userdata:/User/globalStorage/me.ext'));
    const windows = await coordinate(ctx, { log });
    expect(windows).toBeInstanceOf(SingleWindow);
    expect(windows.supported).toBe(false);
    expect(warnings).toEqual([['windows are not coordinated here; this window works alone', { reason: "the extension's storage is not on a file system (vscode-userdata:)" }]]);
    expect(windows.describeLeader()).toBe("this window alone: the extension's storage is not on a file system (vscode-userdata:)");
    expect(windows.isLeader).toBe(true);
    const changes: string[] = [];
    windows.sharedState.onDidChange(({ keys, origin }) => changes.push(`${origin}:${keys.join()}`));
    await windows.sharedState.update<number>('n', (n = 0) => n + 1);
    await windows.sharedState.update<number>('n', (n = 0) => n + 1);
    expect(windows.sharedState.get('n')).toBe(2);
    expect(globalState.get(fallbackStateKey)).toMatchObject({ values: { n: 2 } });
    expect(changes).toEqual(['local:n', 'local:n']);
    // Leader work runs at once, and stops with the window.
    let aborted = false;
    windows.runWhileLeader(async (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(void (aborted = true)))));
    await windows.close();
    expect(aborted).toBe(true);
    // A new window (the next session) starts from what was stored.
    const again = await coordinate(ctx);
    expect(again.sharedState.get('n')).toBe(2);
  });

  it('in a web extension host (the browser entry), works alone and says why', async () => {
    const { context: ctx } = context(Uri.file(tmp.path));
    const windows = await coordinateWebWindows(ctx);
    open.push(windows);
    expect(windows.supported).toBe(false);
    expect(windows.describeLeader()).toBe('this window alone: a web extension host has no Node.js to coordinate windows with');
    expect(existsSync(`${tmp.path}/baton`)).toBe(false);
  });

  it('the Node entry returns a Windows, whose group is the @baton/coordinator group', async () => {
    const windows = await coordinate(context(Uri.file(tmp.path)).context);
    expect(windows).toBeInstanceOf(Windows);
    expect((windows as Windows).group.name).toBe('windows');
  });
});
