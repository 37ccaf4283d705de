import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
// The package as it ships (an ES module from dist/), built first if a test run got here before the build.
if (!existsSync(dist)) execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: packageDir });

describe('the OS-lock addon', () => {
  it('loads from `node -e` run in another directory, where a global require resolves from that directory', () => {
    // `node -e` defines a global require that resolves from the current directory, where the addon is not.
    const script = `import(${JSON.stringify(dist)}).then((m) => { m.ensureOsLock(); console.log('loaded'); }, (e) => { console.log(e.code, e.message); process.exit(1); })`;
    expect(execFileSync(process.execPath, ['-e', script], { cwd: tmpdir(), encoding: 'utf8' }).trim()).toBe('loaded');
  });
});
