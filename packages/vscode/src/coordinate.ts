// `coordinateWindows` where the extension host has Node (desktop VS Code and its forks, code-server, remotes).
import type * as vscode from 'vscode';
import { thisWindow, toLogger, type CoordinateWindowsOptions } from './host.js';
import { SingleWindow } from './singleWindow.js';
import { Windows, type CoordinatedWindows } from './windows.js';

/**
 * Joins this extension's windows (one extension host each) into a group: `isLeader` and `runWhileLeader` for work
 * one window should do, `sharedState` in place of `globalState` for data they share, `broadcast` for messages.
 * The group lives under the extension's `globalStorageUri` (so: per extension, per profile, per machine or remote).
 * Push the result to `context.subscriptions`; `deactivate` may `await windows.close()` for the fastest handover.
 *
 * Where the extension's storage is not a file system, and in a web extension host (the package's `browser` entry),
 * it resolves to a single window that leads alone and keeps its state in `globalState` (`supported` false), and
 * logs why.
 */
export async function coordinateWindows(context: vscode.ExtensionContext, options: CoordinateWindowsOptions = {}): Promise<CoordinatedWindows> {
  const logger = toLogger(options.log);
  const { id, info, focus } = thisWindow();
  if (context.globalStorageUri.scheme !== 'file') {
    const reason = `the extension's storage is not on a file system (${context.globalStorageUri.scheme}:)`;
    logger.warn({ reason }, 'windows are not coordinated here; this window works alone');
    return new SingleWindow(id, info, context.globalState, reason, focus);
  }
  return Windows.join({ dir: `${context.globalStorageUri.fsPath}/${options.directory ?? 'baton'}`, name: options.name, id, window: info, logger, leaseMs: options.leaseMs, maxSharedBytes: options.maxSharedBytes, focus });
}
