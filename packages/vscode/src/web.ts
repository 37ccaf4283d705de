// @baton/vscode in a web extension host (vscode.dev, github.dev; bundlers pick it by the `browser` condition):
// no Node, no file system, no lock, so no coordination. `coordinateWindows` says so and returns one window alone;
// the portable pieces are the same as the Node entry's.
import type * as vscode from 'vscode';
import { thisWindow, toLogger, type CoordinateWindowsOptions } from './host.js';
import { SingleWindow } from './singleWindow.js';
import type { CoordinatedWindows } from './windows.js';

/** In a web extension host: this window alone (`supported` false), its state in `globalState`; a warning is logged. */
export async function coordinateWindows(context: vscode.ExtensionContext, options: CoordinateWindowsOptions = {}): Promise<CoordinatedWindows> {
  const { id, info, focus } = thisWindow();
  const reason = 'a web extension host has no Node.js to coordinate windows with';
  toLogger(options.log).warn({ reason }, 'windows are not coordinated here; this window works alone');
  return new SingleWindow(id, info, context.globalState, reason, focus);
}

export type { CoordinateWindowsOptions } from './host.js';
export type { CoordinatedWindows, FocusSource, WindowInfo, WindowMember } from './windows.js';
export { SingleWindow, fallbackStateKey, type MementoStore } from './singleWindow.js';
export { SharedState, emptySharedData, sharedDataSchema, type JsonValue, type MementoLike, type SharedData, type SharedDataBacking, type SharedStateChange } from './sharedState.js';
export { WebviewChannel, type WebviewChannelOptions, type WebviewLike } from './webviewChannel.js';
export { Lifecycle, ShuttingDownError, type LifecycleState } from './lifecycle.js';
export { NotificationLimiter, breakerAllows, breakerOnProbe, closedBreaker, nextBreaker, type BreakerOptions, type BreakerSnapshot, type BreakerState } from './breaker.js';
export { createChannelLogger, type LogSink } from './logging.js';
