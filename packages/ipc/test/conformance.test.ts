// The Python client in conformance/ was written from PROTOCOL.md alone; it must pass against the
// real server. It needs python3 on PATH (every Linux and macOS machine and GitHub runner has it).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BatonError, coordinationPaths } from '@baton/base';
import { makeTempDir, waitFor, type TempDir } from '@baton/test-utils';
import { connect, createServer, ensureAuthToken, type IpcClient, type IpcServer } from '../src/index.js';
import { startVectorServer, vectors, vectorsFile } from './conformance/vectors.js';

const clientScript = fileURLToPath(new URL('./conformance/client.py', import.meta.url));
const vectorsScript = fileURLToPath(new URL('./conformance/vectors.py', import.meta.url));

class QuotaError extends BatonError {
  constructor(message: string) {
    super('EQUOTA', message, { data: { limit: 10 } });
  }
}

let tmp: TempDir;
let server: IpcServer | undefined;
let listener: IpcClient | undefined;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await listener?.close();
  await server?.close();
  await tmp.cleanup();
});

function runPython(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', (err) => reject(new Error(`cannot run python3 (the conformance client needs it on PATH): ${err.message}`)));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('conformance', () => {
  (process.platform === 'win32' ? it.skip : it)('a Python client written from PROTOCOL.md passes every step against the server', async () => {
    const paths = await coordinationPaths({ scope: 'conformance', root: tmp.path }).ensure();
    const token = await ensureAuthToken(paths.tokenFile);
    const path = paths.socketPath('control');
    server = await createServer({ path, auth: { token }, heartbeat: { intervalMs: 100, timeoutMs: 5000 }, handshakeTimeoutMs: 2000 });
    let sawCancel = false;
    server.handle('echo', (p) => p);
    server.handle('fail', () => {
      throw new QuotaError('quota of 10 used up');
    });
    server.handle('slow', (_p, { signal }) => new Promise((resolve) => signal.addEventListener('abort', () => {
      sawCancel = true;
      resolve('too late');
    })));
    server.handle('cancelled', () => sawCancel);
    server.handle('publish', (p) => {
      const { topic, p: payload } = p as { topic: string; p: unknown };
      return server!.publish(topic, payload);
    });
    listener = await connect({ path, auth: { token }, name: 'node-listener' });
    const fromPython: unknown[] = [];
    listener.subscribe('from-python', (m) => fromPython.push(m));
    await waitFor(() => server!.subscriberCount('from-python') === 1);

    const { code, output } = await runPython([clientScript, path, paths.tokenFile]);
    expect({ code, output }).toEqual({ code: 0, output: expect.not.stringContaining('FAILED') });
    expect(output.trim().split('\n')).toEqual([
      'ok token file',
      'ok refusals',
      'ok version negotiation',
      'ok handshake',
      'ok request',
      'ok error reply',
      'ok cancel',
      'ok subscribe and publish',
      'ok ping and pong',
      'ok request ids',
    ]);
    expect(fromPython).toEqual([{ hello: 'node' }]);
  }, 60_000);

  (process.platform === 'win32' ? it.skip : it)('the Python client passes every conformance vector (vectors.json) against the server', async () => {
    const path = (await coordinationPaths({ scope: 'vectors', root: tmp.path }).ensure()).socketPath('control');
    server = await startVectorServer(path);
    const { code, output } = await runPython([vectorsScript, fileURLToPath(vectorsFile), path]);
    const lines = output.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('ok '))).toEqual([]);
    expect(lines).toHaveLength(vectors.sessions.length + vectors.clientSessions.length + vectors.frames.length + vectors.paths.length);
    expect(code).toBe(0);
  }, 120_000);
});
