import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@baton/test-utils';
import { spawnProblem } from '../src/index.js';

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir();
  await mkdir(join(tmp.path, 'bin'));
  await writeFile(join(tmp.path, 'bin', 'runs'), '#!/bin/sh\necho hi\n');
  await chmod(join(tmp.path, 'bin', 'runs'), 0o755);
  await writeFile(join(tmp.path, 'bin', 'plain'), 'not a program\n');
  await chmod(join(tmp.path, 'bin', 'plain'), 0o644);
});
afterAll(() => tmp.cleanup());

const posix = process.platform !== 'win32';

describe('spawnProblem', () => {
  (posix ? it : it.skip)('says why a program cannot be started, before spawning it', () => {
    const env = { PATH: join(tmp.path, 'bin') };
    expect(spawnProblem({ command: 'runs', args: [], env })).toBeUndefined();
    expect(spawnProblem({ command: 'ghost', args: [], env })).toBe(`the program 'ghost' was not found in PATH (${join(tmp.path, 'bin')})`);
    expect(spawnProblem({ command: 'plain', args: [], env })).toBe(`'plain' was found in PATH (${join(tmp.path, 'bin', 'plain')}) but is not executable`);
    expect(spawnProblem({ command: './bin/runs', args: [], cwd: tmp.path })).toBeUndefined();
    expect(spawnProblem({ command: './bin/plain', args: [], cwd: tmp.path })).toMatch(/bin\/plain is not executable \(chmod \+x it/);
    expect(spawnProblem({ command: './bin/none', args: [], cwd: tmp.path })).toBe(`the program ${join(tmp.path, 'bin', 'none')} does not exist`);
    expect(spawnProblem({ command: 'runs', args: [], cwd: join(tmp.path, 'gone'), env })).toBe(`its cwd ${join(tmp.path, 'gone')} is not a directory`);
    // A shell command line is the shell's to resolve: it reports a missing program itself.
    expect(spawnProblem({ command: 'ghost --flag' })).toBeUndefined();
  });
});
