import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import WebSocket from 'ws';
import { sleep, waitFor } from '@baton/test-utils';
import { RelayConnection, type WebSocketConstructor } from '../src/index.js';

let server: Server | undefined;
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('RelayConnection', () => {
  it('closes while its socket is still connecting without an unhandled error (the aborted handshake is reported after close)', async () => {
    // A relay that accepts the TCP connection and never answers the WebSocket upgrade.
    let accepted = 0;
    server = createServer((socket) => {
      accepted += 1;
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const connection = new RelayConnection({
      url: `ws://127.0.0.1:${port}/`,
      hello: () => ({ type: 'desktop_connect', payload: { clientId: 'c', deviceToken: 't' } }) as never,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
    });
    connection.open();
    await waitFor(() => accepted === 1, { what: 'the TCP connection' });
    expect(connection.status).toBe('connecting');
    connection.close();
    // ws reports the aborted handshake on a later tick; without a listener that is an uncaught error.
    await sleep(100);
    expect(connection.status).toBe('closed');
    connection.dispose();
  });
});
