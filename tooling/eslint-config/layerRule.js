// baton/layers: imports go one way through the layers, never into another package's files,
// and never into an app. See docs/ARCHITECTURE.md.
import { dirname, relative, resolve, sep } from 'node:path';
import { locate, packageLayers, toolingPackages, vscodeApps, vscodePackages } from './layers.js';

function isShippedCode(rest) {
  return rest.startsWith('src/');
}

/** @returns {string | undefined} why the import is refused */
function check(filename, source) {
  const here = locate(filename);
  if (!here || here.group === 'tooling') return undefined;

  if (source === 'vscode' || source.startsWith('vscode/')) {
    const allowed = (here.group === 'apps' && vscodeApps.includes(here.name)) || (here.group === 'packages' && vscodePackages.includes(here.name));
    return allowed ? undefined : `only ${[...vscodeApps.map((name) => `apps/${name}`), ...vscodePackages.map((name) => `packages/${name}`)].join(', ')} may import the VS Code API`;
  }

  if (source.startsWith('.')) {
    const packageRoot = filename.slice(0, filename.length - here.rest.length);
    const target = resolve(dirname(filename), source);
    const inside = relative(packageRoot, target);
    if (inside.startsWith('..') || inside.startsWith(sep)) {
      return `relative import '${source}' leaves ${here.group}/${here.name}; import the other package by its name`;
    }
    return undefined;
  }

  const scoped = /^@baton\/([^/]+)(\/.*)?$/.exec(source);
  if (!scoped) return undefined;
  const [, target, subpath] = scoped;
  if (subpath && /^\/(src|dist)(\/|$)/.test(subpath)) {
    return `'${source}' reaches into @baton/${target}'s files; import '@baton/${target}' (its exports) instead`;
  }
  if (target === here.name) return undefined;
  if (toolingPackages.includes(target)) {
    return isShippedCode(here.rest) ? `@baton/${target} is tooling; code under src/ must not import it` : undefined;
  }
  if (here.group === 'apps') {
    return target in packageLayers ? undefined : `apps may import packages, not @baton/${target}`;
  }
  const allowed = packageLayers[here.name];
  if (!allowed) {
    return `packages/${here.name} has no layer; add it to tooling/eslint-config/layers.js and docs/ARCHITECTURE.md`;
  }
  if (allowed.includes(target)) return undefined;
  const may = allowed.length ? allowed.map((name) => `@baton/${name}`).join(', ') : 'no @baton package';
  return `layer violation: @baton/${here.name} may import ${may}, not @baton/${target}`;
}

export const layerRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the Baton layer table and package boundaries' },
    schema: [],
    messages: { refused: '{{reason}}' },
  },
  create(context) {
    const filename = context.filename;
    function visit(node) {
      if (!node.source || typeof node.source.value !== 'string') return;
      const reason = check(filename, node.source.value);
      if (reason) context.report({ node: node.source, messageId: 'refused', data: { reason } });
    }
    return {
      ImportDeclaration: visit,
      ExportNamedDeclaration: visit,
      ExportAllDeclaration: visit,
      ImportExpression: visit,
    };
  },
};
