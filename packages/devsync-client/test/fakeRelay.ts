import type { WebSocket } from 'ws';
import { ScriptedWebSocketServer, type ScriptedMessage } from '@baton/test-utils';

export type Sent = ScriptedMessage;

/** The relay and the desktop in one, played by the test, so it decides what arrives in which order. */
export class FakeRelay extends ScriptedWebSocketServer {
  readonly hellos: Sent[] = [];
  /** Answer the next browser_connect with this error instead of an ack. */
  refuseWith: string | undefined;

  static start(port = 0): Promise<FakeRelay> {
    return new FakeRelay().listen(port, '/web-dev-sync/ws');
  }

  protected override intercept(message: Sent, socket: WebSocket): boolean {
    if (message.type !== 'browser_connect') return false;
    this.hellos.push(message);
    if (this.refuseWith) {
      this.send({ type: 'error', payload: { code: this.refuseWith, message: 'refused by the test', retryable: false } });
      socket.close(1008);
      return true;
    }
    const sessions = (message.payload?.sessions as Array<{ sessionId: string }> | undefined) ?? [];
    const pairing = message.payload?.pairingToken !== undefined;
    this.send({
      type: 'connection_ack',
      userId: 'user-000000000000001',
      payload: { role: 'browser', heartbeatMs: 60_000, maxCodeBytes: 100_000, ...(pairing ? { secret: 'browser-secret-000000001' } : {}), sessions: sessions.map((s) => s.sessionId) },
    });
    return true;
  }
}
