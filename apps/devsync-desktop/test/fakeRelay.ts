import type { WebSocket } from 'ws';
import { ScriptedWebSocketServer, type ScriptedMessage } from '@baton/test-utils';

export type Sent = ScriptedMessage;

/**
 * The relay and the page in one, played by the test: it sees every message the agent sends and decides exactly
 * what arrives in which order, which is what the conflict cases need. It answers the agent's hellos itself.
 */
export class FakeRelay extends ScriptedWebSocketServer {
  readonly hellos: Sent[] = [];
  /** The limit named to the agent when it connects. */
  maxCodeBytes = 1000;

  static start(port = 0): Promise<FakeRelay> {
    return new FakeRelay().listen(port, '/web-dev-sync/ws');
  }

  protected override intercept(message: Sent, _socket: WebSocket): boolean {
    if (message.type !== 'desktop_connect') return false;
    this.hellos.push(message);
    const known = message.payload?.userId !== undefined;
    this.send({
      type: 'connection_ack',
      userId: known ? String(message.payload!.userId) : 'user-000000000000001',
      payload: {
        role: 'desktop',
        heartbeatMs: 60_000,
        maxCodeBytes: this.maxCodeBytes,
        ...(known ? {} : { secret: 'desktop-secret-0000000001' }),
        ...(!known || message.payload?.pair ? { pairingToken: 'ABCD-EFGH', pairingExpiresInMs: 600_000 } : {}),
      },
    });
    return true;
  }
}
