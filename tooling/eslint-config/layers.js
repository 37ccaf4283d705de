// The layer table from docs/ARCHITECTURE.md, as the lint rule enforces it.
// Key: a directory under packages/; value: the @baton packages its code may import.
export const packageLayers = {
  base: [],
  lock: ['base'],
  ipc: ['base'],
  telemetry: ['base'],
  state: ['base', 'lock', 'ipc', 'telemetry'],
  supervisor: ['base', 'lock', 'ipc', 'telemetry'],
  coordinator: ['base', 'lock', 'ipc', 'state', 'telemetry'],
  etcd: ['base', 'lock', 'state'],
  // Runs in browsers: only @baton/base's portable entry (no Node built-ins).
  'devsync-client': ['base'],
  // For VS Code extensions: the one package that may import the VS Code API (types, and the module the extension
  // host provides at run time).
  vscode: ['base', 'coordinator', 'state'],
};

// Tooling packages (tooling/*): configs, test helpers. Anything outside src/ may import them
// (tests, benchmarks, config files); shipped code never does.
export const toolingPackages = ['bundling', 'eslint-config', 'jest-preset', 'test-utils', 'tsconfig'];

// Only these may import the VS Code API: apps/extension and packages/vscode.
export const vscodeApps = ['extension'];
export const vscodePackages = ['vscode'];

const locationPattern = /[\\/](packages|apps|tooling)[\\/]([^\\/]+)[\\/](.*)$/;

/** Where a file sits in the monorepo: { group, name, rest } or undefined outside it. */
export function locate(filename) {
  const match = locationPattern.exec(filename);
  if (!match) return undefined;
  return { group: match[1], name: match[2], rest: match[3].replaceAll('\\', '/') };
}
