import { rename, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from '@jest/globals';
import { killAllFixtures, makeTempDir, spawnFixture, type Fixture, type TempDir } from '@baton/test-utils';

export const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
/** The bundle `bin/orchestrator.mjs` runs; turbo builds it before these tests. */
export const bundlePath = fileURLToPath(new URL('../dist/orchestrator.mjs', import.meta.url));
export const worker = fileURLToPath(new URL('./fixtures/worker.mjs', import.meta.url));

/** Runs the CLI to completion in `cwd`. */
export async function cli(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const f = spawnFixture(cliPath, args, { cwd, env: { CI: '1' } });
  const { code } = await f.exited;
  return { code, stdout: f.lines.join('\n'), stderr: f.stderr() };
}

/** Starts `orchestrator start` in `cwd` (from the source, or `file`) and waits until it runs. */
export async function startOrchestrator(cwd: string, file = cliPath): Promise<Fixture> {
  const f = spawnFixture(file, ['start'], { cwd, env: { CI: '1' } });
  await f.waitForLine('"to":"running"', 30_000);
  return f;
}

/** A service running the test worker. */
export function service(mode: string, arg: string | undefined, extra = ''): string {
  return `    command: ${process.execPath}\n    args: [${worker}, ${mode}${arg ? `, "${arg}"` : ''}]\n${extra}`;
}

export async function writeConfig(dir: string, services: Record<string, string>, top = ''): Promise<void> {
  const body = Object.entries(services).map(([name, spec]) => `  ${name}:\n${spec}`).join('\n');
  // Whole, as editors save (a temp file renamed over it): written in place, a truncate and a write are two events,
  // and on a loaded machine the reload's quiet time can end between them and read an empty file.
  const temp = join(dir, `.orchestrator.yaml.${process.pid}.tmp`);
  await writeFile(temp, `${top}services:\n${body}\n`);
  await rename(temp, join(dir, 'orchestrator.yaml'));
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * A temporary directory for each test of the file that calls it, for an orchestrator to run in: after the test, the
 * orchestrator there is stopped, every fixture killed, the directory removed.
 */
export function orchestratorDirPerTest(): { readonly path: string } {
  let tmp: TempDir | undefined;
  beforeEach(async () => {
    tmp = await makeTempDir();
  });
  afterEach(async () => {
    if (!tmp) return;
    await cli(tmp.path, ['stop']).catch(() => {});
    await killAllFixtures();
    await tmp.cleanup();
  });
  return {
    get path() {
      return tmp!.path;
    },
  };
}
