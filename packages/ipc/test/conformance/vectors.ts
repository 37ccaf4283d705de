// The conformance vectors (vectors.json) and the server they are run against, shared by the Node
// runner (vectors.test.ts) and the test that runs the Python runner (conformance.test.ts).
import { readFileSync } from 'node:fs';
import { BatonError } from '@baton/base';
import { createServer, type IpcServer } from '../../src/index.js';

/** One step of a session; see README.md beside vectors.json. */
export type Step =
  | { send: unknown }
  | { sendText: string }
  | { sendHex: string }
  | { shutdown: true }
  | { expect: Record<string, unknown>; absent?: string[]; absentIn?: Record<string, string[]> }
  | { expectNothing: number }
  | { expectClose: true };

export interface Session {
  readonly name: string;
  readonly section: string;
  readonly steps: readonly Step[];
}

export interface Vectors {
  readonly protocol: number;
  readonly server: { token: string; maxFrameBytes: number; handshakeTimeoutMs: number; heartbeat: { intervalMs: number; timeoutMs: number } };
  readonly sessions: readonly Session[];
  /** Sessions against a client: the runner plays the server. */
  readonly clientSessions: readonly Session[];
  readonly frames: ReadonlyArray<{ name: string; hex: string; maxFrameBytes?: number; messages?: unknown[]; error?: string }>;
  readonly paths: ReadonlyArray<{ name: string; root: string; scope: string; socket: string; platform: NodeJS.Platform; runtimeDir: string; path: string }>;
}

export const vectorsFile = new URL('./vectors.json', import.meta.url);
export const vectors = JSON.parse(readFileSync(vectorsFile, 'utf8')) as Vectors;

class QuotaError extends BatonError {
  constructor(message: string) {
    super('EQUOTA', message, { data: { limit: 10 } });
  }
}

class PlainDataError extends Error {
  override name = 'PlainDataError';
  data = [5, 'five'];
}

/** A server as vectors.json's "server" describes it, on `path`. */
export async function startVectorServer(path: string): Promise<IpcServer> {
  const { token, maxFrameBytes, handshakeTimeoutMs, heartbeat } = vectors.server;
  const server = await createServer({ path, auth: { token }, maxFrameBytes, handshakeTimeoutMs, heartbeat });
  server.handle('echo', (p) => p);
  server.handle('slow', (p) => {
    const { ms, value } = p as { ms: number; value: unknown };
    return new Promise((resolve) => setTimeout(resolve, ms, value));
  });
  server.handle('fail', () => {
    throw new QuotaError('quota of 10 used up');
  });
  server.handle('fail-plain', () => {
    throw new PlainDataError('plain error with data');
  });
  server.handle('fail-caused', () => {
    throw new Error('outer', { cause: new BatonError('EINNER', 'inner') });
  });
  server.handle('big', (p) => 'x'.repeat(p as number));
  server.handle('publish', (p) => {
    const { topic, p: payload } = p as { topic: string; p: unknown };
    return server.publish(topic, payload);
  });
  return server;
}

/** Whether `actual` has everything `pattern` has: objects by their listed keys, arrays and values exactly. */
export function matches(pattern: unknown, actual: unknown): boolean {
  if (Array.isArray(pattern)) {
    return Array.isArray(actual) && actual.length === pattern.length && pattern.every((p, i) => matches(p, actual[i]));
  }
  if (typeof pattern === 'object' && pattern !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    return Object.entries(pattern).every(([key, value]) => key in actual && matches(value, (actual as Record<string, unknown>)[key]));
  }
  return Object.is(pattern, actual);
}
