// The entry point VS Code loads: the only modules that import 'vscode' are this one and window.ts.
// activate() registers the commands and returns at once; the window (the core, its stores and the
// group) loads and joins right after, in the background, so that this extension host's other
// extensions are not kept waiting for the coordination (loading the packages and joining the
// other windows take most of the start).
import * as vscode from 'vscode';
import type { WindowHandle } from './window.js';

const commandIds = ['healthWatch.runNow', 'healthWatch.showDashboard', 'healthWatch.showCoordinationStatus', 'healthWatch.mute', 'healthWatch.unmute', 'healthWatch.openLogs'];

let starting: Promise<WindowHandle | undefined> | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const activatedAt = performance.now();
  const channel = vscode.window.createOutputChannel('Baton Health Watch', { log: true });
  context.subscriptions.push(channel);
  starting = import('./window.js')
    .then(({ startWindow }) => startWindow(context, channel, activatedAt))
    .catch((err: unknown) => {
      channel.error(`could not start: ${(err as Error).stack ?? String(err)}`);
      void vscode.window.showErrorMessage(`Health Watch could not start: ${(err as Error).message}`, 'Open Logs').then((choice) => choice && channel.show());
      return undefined;
    });
  for (const id of commandIds) {
    // A command run while the window is still starting waits for it (a few hundred milliseconds at most).
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => (await starting)?.commands[id]?.(...args)));
  }
  channel.info(`activated {"ms":${Math.round((performance.now() - activatedAt) * 10) / 10}}`);
}

export async function deactivate(): Promise<void> {
  const window = await starting;
  starting = undefined;
  // Resigns at once, so another window probes within milliseconds; VS Code gives deactivate a few seconds.
  await window?.close();
}
