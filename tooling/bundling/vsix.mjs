// Packs a bundled VS Code extension into a .vsix with vsce, the way apps/extension and @baton/vscode's example ship.
//
// vsce collects dependencies with npm, which cannot read pnpm's linked node_modules, so the extension is staged in
// a directory of its own: its manifest, its files, and in node_modules the one thing a bundle does not contain, the
// OS-lock addon (fs-native-extensions) with its dependencies, copied from this install.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The addon the bundles keep external (it loads its prebuilt binary relative to its own directory). */
export const nativeAddon = 'fs-native-extensions';

/**
 * Stages and packs. `root`: the extension's directory; `manifest`: the .vsix's
 * package.json (without `dependencies`: the addon is added); `files`: [from, to-in-stage] pairs; `out`: the .vsix;
 * `vsceFrom`: a directory from which `@vscode/vsce` resolves, `addonFrom` one from which the addon does. Throws with a
 * message naming what is missing.
 */
export function packVsix({ root, stage, manifest, files, out, vsceFrom = root, addonFrom = root }) {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const shipped = closure(nativeAddon, addonFrom);
  const addonVersion = JSON.parse(readFileSync(join(shipped.get(nativeAddon), 'package.json'), 'utf8')).version;
  for (const [pkg, dir] of shipped) cpSync(dir, join(stage, 'node_modules', pkg), { recursive: true, dereference: true });
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify({ ...manifest, dependencies: { [nativeAddon]: `^${addonVersion}` } }, null, 2)}\n`);
  for (const [from, to] of files) cpSync(from, join(stage, to), { recursive: true });
  writeFileSync(join(stage, '.vscodeignore'), `**/*.map\n**/*.c\n**/*.h\n**/CMakeLists.txt\nnode_modules/${nativeAddon}/src/**\nnode_modules/${nativeAddon}/include/**\n`);
  const vsce = join(dirname(createRequire(join(vsceFrom, 'package.json')).resolve('@vscode/vsce/package.json')), 'vsce');
  try {
    execFileSync(process.execPath, [vsce, 'package', '--allow-missing-repository', '--skip-license', '--out', out], { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    throw new Error('vsce package failed (its message is above)');
  }
  return { out, kib: Math.round(statSync(out).size / 1024) };
}

/**
 * The directory of `pkg` as Node finds it from `fromDir` (the nearest node_modules/<pkg> up the tree; not
 * require.resolve, which a package's `exports` may refuse), pnpm's link resolved.
 */
function packageDir(pkg, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    try {
      return realpathSync(join(dir, 'node_modules', pkg));
    } catch {
      if (dirname(dir) === dir) throw new Error(`${pkg} is not installed (looked up from ${fromDir}): run pnpm install`);
    }
  }
}

/** `pkg` and everything it depends on, each once, by name -> directory. */
function closure(pkg, fromDir, found = new Map()) {
  if (found.has(pkg)) return found;
  const dir = packageDir(pkg, fromDir);
  found.set(pkg, dir);
  const deps = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies ?? {};
  for (const dep of Object.keys(deps)) closure(dep, dir, found);
  return found;
}
