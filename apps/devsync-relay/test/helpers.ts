import { MessageLog, byType, makeTempDir, type TempDir } from '@baton/test-utils';
import WebSocket from 'ws';
import { parseRelayConfig, Relay, type RelayConfig } from '../src/index.js';

export interface TestRelay {
  relay: Relay;
  dir: TempDir;
  config: RelayConfig;
  ws: string;
  /** Stops the relay (the data directory stays, for a restart test). */
  stop(): Promise<void>;
  restart(): Promise<TestRelay>;
  cleanup(): Promise<void>;
}

/** A relay on a free loopback port with its data in a temp dir; `overrides` as a config file would give them. */
export async function startRelay(overrides: Record<string, unknown> = {}, existing?: TempDir): Promise<TestRelay> {
  const dir = existing ?? (await makeTempDir('devsync-relay-'));
  const parsed = parseRelayConfig(JSON.stringify({ port: 0, dataDir: `${dir.path}/data`, ...overrides }), {});
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const relay = await Relay.start({ config: parsed.config });
  const result: TestRelay = {
    relay,
    dir,
    config: parsed.config,
    ws: relay.webSocketUrl,
    stop: () => relay.close(),
    restart: async () => {
      const port = relay.port;
      await relay.close();
      // The same port: clients reconnect to the address they know.
      return startRelay({ ...overrides, port }, dir);
    },
    cleanup: async () => {
      await relay.close();
      await dir.cleanup();
    },
  };
  return result;
}

export interface RawMessage {
  type: string;
  connectionId?: string;
  userId?: string;
  sessionId?: string;
  payload?: Record<string, unknown> & { code?: string };
}

/** A bare protocol client: what a stranger implementing the protocol would write, used to probe the relay. */
export class RawClient {
  private readonly _log = new MessageLog<RawMessage>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this._log.push(JSON.parse(String(data)) as RawMessage));
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  get messages(): readonly RawMessage[] {
    return this._log.all;
  }

  /** `autoPong: false`: a peer that does not answer pings (a dead or frozen one, as the relay sees it). */
  static open(url: string, options: { origin?: string; headers?: Record<string, string>; autoPong?: boolean } = {}): Promise<RawClient> {
    const socket = new WebSocket(url, { ...(options.origin ? { origin: options.origin } : {}), ...(options.headers ? { headers: options.headers } : {}), autoPong: options.autoPong ?? true });
    const client = new RawClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
    });
  }

  send(message: RawMessage | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message (after the ones already taken by earlier calls) that matches; rejects after `timeoutMs`. */
  next(match: string | ((m: RawMessage) => boolean), timeoutMs = 5000): Promise<RawMessage> {
    return this._log.next(byType(match), timeoutMs, typeof match === 'string' ? match : undefined);
  }

  close(): void {
    this.socket.close();
  }
}

/** A desktop registered as a new user: its credentials and the pairing token the relay issued. */
export async function registerDesktop(ws: string): Promise<{ desktop: RawClient; userId: string; secret: string; token: string }> {
  const desktop = await RawClient.open(ws);
  desktop.send({ type: 'desktop_connect', payload: { protocol: 1 } });
  const ack = await desktop.next('connection_ack');
  return { desktop, userId: ack.userId!, secret: String(ack.payload!.secret), token: String(ack.payload!.pairingToken) };
}

/** A browser paired through `token`. */
export async function pairBrowser(ws: string, token: string, origin?: string): Promise<{ browser: RawClient; userId: string; secret: string }> {
  const browser = await RawClient.open(ws, origin ? { origin } : {});
  browser.send({ type: 'browser_connect', payload: { protocol: 1, pairingToken: token } });
  const ack = await browser.next((m) => m.type === 'connection_ack' || m.type === 'error');
  if (ack.type === 'error') throw new Error(`pairing refused: ${JSON.stringify(ack.payload)}`);
  return { browser, userId: ack.userId!, secret: String(ack.payload!.secret) };
}

export const sessionId = (n: number): string => `test-session-${String(n).padStart(8, '0')}`;
