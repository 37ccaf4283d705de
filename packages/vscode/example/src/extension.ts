// The @baton/vscode quick start: every window shows one click counter, which any window can add to without losing
// a click, and one window at a time does the leader's work. Bundled by ../scripts/example.mjs.
import { coordinateWindows, type CoordinatedWindows } from '@baton/vscode';
import * as vscode from 'vscode';

let windows: CoordinatedWindows | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Baton Windows Example', { log: true });
  windows = await coordinateWindows(context, { log });
  const w = windows;
  context.subscriptions.push(log, w);

  // Shared state: a Memento (get, keys, update) whose update can be a compare-and-swap, with a change event.
  await w.sharedState.migrateFrom(context.globalState, ['clicks']);
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left);
  const count = () => `${w.members.length} window${w.members.length === 1 ? '' : 's'}`;
  const show = () => {
    status.text = `$(pulse) ${w.sharedState.get<number>('clicks', 0)} clicks`;
    status.tooltip = `Baton Example: ${w.isLeader ? 'this window leads' : 'another window leads'} (${count()})`;
    status.accessibilityInformation = { label: `Baton Example: ${w.sharedState.get<number>('clicks', 0)} clicks, ${w.isLeader ? 'leader' : 'follower'}, ${count()}` };
  };
  status.command = 'batonExample.click';
  status.show();
  show();
  context.subscriptions.push(
    status,
    w.sharedState.onDidChange(show),
    w.onDidChangeRole(show),
    w.onDidChangeMembers(show),
    vscode.commands.registerCommand('batonExample.click', () => w.sharedState.update<number>('clicks', (n = 0) => n + 1)),
    vscode.commands.registerCommand('batonExample.hello', () => w.broadcast('hello', { workspace: vscode.workspace.name ?? 'a window' })),
    w.onDidReceive('hello', (data) => void vscode.window.showInformationMessage(`Hello from ${(data as { workspace: string }).workspace}`)),
    // Leader work: one window at a time, stopped (signal) when this window stops leading.
    // End promptly when the signal aborts: closing the window waits for the task.
    w.runWhileLeader(async (signal, token) => {
      log.info(`leading (fencing token ${token})`);
      while (!signal.aborted) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, 10_000);
          signal.addEventListener('abort', () => resolve(clearTimeout(timer)), { once: true });
        });
        if (!signal.aborted) log.info(`${w.members.length} windows, ${w.sharedState.get<number>('clicks', 0)} clicks`);
      }
    }),
  );

  // The end-to-end test's measurements (BATON_VSCODE_E2E names its directory); nothing runs without it.
  if (process.env.BATON_VSCODE_E2E) context.subscriptions.push((await import('./e2e.js')).startMeasuring(context, w, process.env.BATON_VSCODE_E2E));
}

export async function deactivate(): Promise<void> {
  // Hands the lead to another window at once.
  await windows?.close();
}
