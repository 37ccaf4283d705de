// The conformance vectors (test/conformance/vectors.json) against the server, from raw sockets:
// the same cases the Python runner (conformance/vectors.py) runs, so the document, this server and
// any client are held to one set of bytes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { coordinationPaths } from '@baton/base';
import { makeTempDir, type TempDir } from '@baton/test-utils';
import { createServer as createNetServer, type Socket } from 'node:net';
import { FrameDecoder, connect, encodeFrames, encodePayload, type IpcServer } from '../src/index.js';
import { rawPeer, rawSocketPeer, type RawPeer } from './helpers.js';
import { matches, startVectorServer, vectors, type Step } from './conformance/vectors.js';

let tmp: TempDir;
let server: IpcServer;
let path: string;
beforeAll(async () => {
  tmp = await makeTempDir();
  path = (await coordinationPaths({ scope: 'vectors', root: tmp.path }).ensure()).socketPath('control');
  server = await startVectorServer(path);
});
afterAll(async () => {
  await server.close();
  await tmp.cleanup();
});

/** Payload text as one frame. */
function frameText(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
}

/** The next message that is not a heartbeat ping; 'closed' once the server closed and all it sent was taken; 'nothing' after `ms`. */
async function next(peer: RawPeer, ms: number): Promise<Record<string, unknown> | 'closed' | 'nothing'> {
  let closed = false;
  void peer.closed.then(() => (closed = true));
  const deadline = performance.now() + ms;
  for (;;) {
    const wasClosed = closed;
    const message = await peer.next(Math.max(1, Math.min(20, deadline - performance.now()))).catch(() => undefined);
    if (message?.t === 'ping') continue;
    if (message) return message;
    if (wasClosed) return 'closed';
    if (performance.now() >= deadline) return 'nothing';
  }
}

async function run(peer: RawPeer, step: Step): Promise<void> {
  if ('send' in step) peer.socket.write(encodeFrames([encodePayload(step.send)]));
  else if ('sendText' in step) peer.socket.write(frameText(step.sendText));
  else if ('sendHex' in step) peer.socket.write(Buffer.from(step.sendHex, 'hex'));
  else if ('shutdown' in step) peer.socket.end();
  else if ('expect' in step) {
    const message = await next(peer, 3000);
    expect({ matches: matches(step.expect, message), message }).toEqual({ matches: true, message });
    for (const key of step.absent ?? []) expect(Object.keys(message as object)).not.toContain(key);
    for (const [field, keys] of Object.entries(step.absentIn ?? {})) {
      for (const key of keys) expect(Object.keys((message as Record<string, object>)[field]!)).not.toContain(key);
    }
  } else if ('expectNothing' in step) expect(await next(peer, step.expectNothing)).toBe('nothing');
  else if ('expectClose' in step) expect(await next(peer, 3000)).toBe('closed');
}

describe('conformance vectors: sessions against the server', () => {
  it.each(vectors.sessions.map((s) => [`${s.name} (section ${s.section})`, s] as const))('%s', async (_name, session) => {
    const peer = await rawPeer(path);
    try {
      for (const step of session.steps) await run(peer, step);
    } finally {
      peer.socket.destroy();
    }
  });
});

describe('conformance vectors: client sessions against the client, the test playing the server', () => {
  it.each(vectors.clientSessions.map((s) => [`${s.name} (section ${s.section})`, s] as const))('%s', async (_name, session) => {
    const fakePath = coordinationPaths({ scope: 'vectors', root: tmp.path }).socketPath('fake');
    const fake = createNetServer();
    const accepted = new Promise<Socket>((resolve) => fake.once('connection', resolve));
    await new Promise<void>((resolve) => fake.listen(fakePath, resolve));
    const { token, heartbeat } = vectors.server;
    const client = connect({ path: fakePath, auth: { token }, name: 'vectors', reconnect: false, heartbeat });
    client.catch(() => {}); // refused in some sessions: what the session checks is the wire
    const peer = rawSocketPeer(await accepted);
    try {
      for (const step of session.steps) await run(peer, step);
    } finally {
      peer.socket.destroy();
      await client.then((c) => c.close(), () => {});
      await new Promise((resolve) => fake.close(resolve));
    }
  });
});

describe('conformance vectors: frames', () => {
  it.each(vectors.frames.map((f) => [f.name, f] as const))('%s', (_name, vector) => {
    const bytes = Buffer.from(vector.hex, 'hex');
    // Whole, and a byte at a time: a reader must not assume one frame per read.
    for (const chunks of [[bytes], [...bytes].map((b) => Buffer.from([b]))]) {
      const decoder = new FrameDecoder(vector.maxFrameBytes);
      const messages: unknown[] = [];
      let error: string | undefined;
      try {
        for (const chunk of chunks) decoder.push(chunk, (m) => messages.push(m));
      } catch (err) {
        error = (err as { code?: string }).code;
      }
      if (vector.error) expect(error).toBe(vector.error);
      else expect({ error, messages }).toEqual({ error: undefined, messages: vector.messages });
    }
  });
});

describe('conformance vectors: socket paths', () => {
  it.each(vectors.paths.map((p) => [p.name, p] as const))('%s', (_name, vector) => {
    const paths = coordinationPaths({ scope: vector.scope, root: vector.root, runtimeDir: vector.runtimeDir, platform: vector.platform });
    expect(paths.socketPath(vector.socket)).toBe(vector.path);
  });
});
