import { createRequire } from 'node:module';

// webpack's name for Node's own require in a bundle it made (its `require` is its module loader).
declare const __non_webpack_require__: NodeJS.Require | undefined;

/**
 * Node's `require`, for loading a package at run time (a native addon, an optional dependency) from code that may run
 * as an ES module (pass `import.meta.url`: the require resolves from that module), in an esbuild CommonJS bundle
 * (`import.meta` is empty there: the bundle's own require, resolving from the bundle's directory), or in a webpack
 * bundle (webpack writes the build machine's path for `import.meta.url`, so Node's require is taken instead, also
 * resolving from the bundle's directory, where an extension ships its node_modules).
 */
export function nodeRequire(moduleUrl: string | undefined): NodeJS.Require {
  if (typeof __non_webpack_require__ === 'function') return __non_webpack_require__;
  if (typeof moduleUrl === 'string' && moduleUrl !== '') return createRequire(moduleUrl);
  return require;
}
