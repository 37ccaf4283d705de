// @baton/vscode/core: everything of the package but the VS Code API, so that an extension's own core runs and is
// tested in plain Node processes, the way N extension hosts run it.
export { Windows, type CoordinatedWindows, type FocusSource, type WindowInfo, type WindowMember, type WindowsOptions } from './windows.js';
export { SingleWindow, fallbackStateKey, type MementoStore } from './singleWindow.js';
export { SharedState, emptySharedData, sharedDataSchema, type JsonValue, type MementoLike, type SharedData, type SharedDataBacking, type SharedStateChange } from './sharedState.js';
export { WebviewChannel, type WebviewChannelOptions, type WebviewLike } from './webviewChannel.js';
export { Lifecycle, ShuttingDownError, type LifecycleState } from './lifecycle.js';
export { NotificationLimiter, breakerAllows, breakerOnProbe, closedBreaker, nextBreaker, type BreakerOptions, type BreakerSnapshot, type BreakerState } from './breaker.js';
export { createChannelLogger, type LogSink } from './logging.js';
