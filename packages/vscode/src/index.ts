// @baton/vscode: multi-window coordination for VS Code extensions. `coordinateWindows(context)` is the entry point;
// the rest (also in `@baton/vscode/core`, without the VS Code API) are the pieces it is made of and the ones every
// multi-window extension needs beside it.
export { coordinateWindows } from './coordinate.js';
export type { CoordinateWindowsOptions } from './host.js';
export * from './core.js';
