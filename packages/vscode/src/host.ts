// What both entries (Node and web) read of the VS Code window they run in. Portable: no Node built-ins.
import type { Logger } from '@baton/base/portable';
import * as vscode from 'vscode';
import { createChannelLogger } from './logging.js';
import type { FocusSource, WindowInfo } from './windows.js';

/** Options of `coordinateWindows`. */
export interface CoordinateWindowsOptions {
  /**
   * The group's name (default 'windows'). The windows of one extension, in one profile, on one machine (or one
   * remote) form a group per name; an extension with two independent concerns may use two names.
   */
  name?: string;
  /** Where the package logs: a Baton/pino `Logger`, or a `LogOutputChannel` (default: nothing is logged). */
  log?: Logger | vscode.LogOutputChannel;
  /** How long a stalled leader window keeps the lead (default 5000 ms). A window that closes hands over at once. */
  leaseMs?: number;
  /** Largest shared state, all keys together (default 1 MiB). */
  maxSharedBytes?: number;
  /** The directory under the extension's `globalStorageUri` that holds the group's files (default 'baton'). */
  directory?: string;
}

/** This window as the other windows see it, under a new member id. */
export function thisWindow(): { id: string; info: WindowInfo; focus: FocusSource } {
  const id = globalThis.crypto.randomUUID();
  const info: WindowInfo = {
    workspace: vscode.workspace.name ?? '(no folder)',
    window: id.slice(0, 8),
    app: vscode.env.appName,
    ...(vscode.env.remoteName ? { remote: vscode.env.remoteName } : {}),
  };
  const focus: FocusSource = { focused: () => vscode.window.state.focused, onDidChange: (listener) => vscode.window.onDidChangeWindowState((state) => listener(state.focused)) };
  return { id, info, focus };
}

export function toLogger(log: CoordinateWindowsOptions['log']): Logger {
  if (!log) return noop;
  if ('child' in log && typeof log.child === 'function') return log as Logger;
  return createChannelLogger(log as vscode.LogOutputChannel, { pkg: 'vscode' });
}

const noop: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => noop };
