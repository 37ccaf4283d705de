// Shows that the layer rule refuses what docs/ARCHITECTURE.md forbids, by linting code
// as if it sat at real paths in the monorepo.
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: repo, overrideConfigFile: fileURLToPath(new URL('../index.js', import.meta.url)) });

async function lint(relativePath, code) {
  const [result] = await eslint.lintText(code, { filePath: join(repo, relativePath) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('baton/layers', () => {
  it('refuses base importing lock', async () => {
    const messages = await lint('packages/base/src/x.ts', "import { createElection } from '@baton/lock';\nexport const y = createElection;\n");
    expect(messages).toEqual(['baton/layers: layer violation: @baton/base may import no @baton package, not @baton/lock']);
  });

  it('refuses lock importing state (upward) and accepts lock importing base', async () => {
    expect(await lint('packages/lock/src/x.ts', "export { openStore } from '@baton/state';\n")).toEqual([
      'baton/layers: layer violation: @baton/lock may import @baton/base, not @baton/state',
    ]);
    expect(await lint('packages/lock/src/x.ts', "export { Emitter } from '@baton/base';\n")).toEqual([]);
  });

  it('refuses deep imports into another package, by name or by relative path', async () => {
    expect(await lint('packages/state/src/x.ts', "export * from '@baton/lock/src/election.js';\n")).toEqual([
      "baton/layers: '@baton/lock/src/election.js' reaches into @baton/lock's files; import '@baton/lock' (its exports) instead",
    ]);
    expect(await lint('packages/state/src/x.ts', "export * from '../../lock/src/election.js';\n")).toEqual([
      "baton/layers: relative import '../../lock/src/election.js' leaves packages/state; import the other package by its name",
    ]);
    expect(await lint('packages/state/src/sub/x.ts', "export * from '../y.js';\n")).toEqual([]);
  });

  it('refuses packages importing apps, and vscode outside the extension', async () => {
    expect(await lint('packages/supervisor/src/x.ts', "export * from '@baton/orchestrator';\n")).toEqual([
      'baton/layers: layer violation: @baton/supervisor may import @baton/base, @baton/lock, @baton/ipc, @baton/telemetry, not @baton/orchestrator',
    ]);
    expect(await lint('packages/state/src/x.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n")).toEqual([
      'baton/layers: only apps/extension, packages/vscode may import the VS Code API',
    ]);
    expect(await lint('packages/vscode/src/x.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n")).toEqual([]);
    expect(await lint('packages/vscode/src/x.ts', "export * from '@baton/etcd';\n")).toEqual([
      'baton/layers: layer violation: @baton/vscode may import @baton/base, @baton/coordinator, @baton/state, not @baton/etcd',
    ]);
    expect(await lint('apps/orchestrator/src/x.ts', "export * from '@baton/supervisor';\n")).toEqual([]);
  });

  it('keeps test helpers out of shipped code', async () => {
    expect(await lint('packages/lock/src/x.ts', "export * from '@baton/test-utils';\n")).toEqual([
      'baton/layers: @baton/test-utils is tooling; code under src/ must not import it',
    ]);
    expect(await lint('packages/lock/test/x.test.ts', "export * from '@baton/test-utils';\n")).toEqual([]);
  });

  it('refuses console in packages', async () => {
    expect(await lint('packages/ipc/src/x.ts', "console.log('hi');\n")).toEqual([
      'no-console: Unexpected console statement.',
    ]);
  });
});
