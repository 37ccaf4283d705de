import { chmodSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { maxSocketPathBytes, type Logger } from '@baton/base';
import { unlinkQuietly } from './leaseFiles.js';

/**
 * The holder's beacon: a Unix socket in the name's directory, one per term (`<token>.beacon`),
 * that waiters connect to instead of polling. The kernel closes it the moment the holder dies, so
 * a waiter learns of a death or a release at once; while the holder lives, it sends one line per
 * renewal (`<slot index>\n`), so a waiter sees the lease move without reading the directory.
 *
 * A beacon carries no authority. Safety stays with the slot files and the OS lock: a waiter
 * claims only after its own scan of the directory, and a beat can only push its expiry check
 * later (it is recorded as "seen at the time it arrived", which is never before the renewal was
 * linked). A missing, late or lost beacon costs speed, never safety: the waiter polls instead.
 *
 * Not on Windows (named pipes live in one machine-wide namespace that other users can squat), and
 * not when the path does not fit the Unix socket limit: there waiters poll every pollMs.
 */
export function beaconPath(lockDir: string, term: number): string | undefined {
  if (process.platform === 'win32') return undefined;
  const path = join(lockDir, `${term}.beacon`);
  return Buffer.byteLength(path) <= maxSocketPathBytes() ? path : undefined;
}

/** Bytes queued to one waiter beyond which beats are skipped (a stopped waiter reads nothing). */
const maxQueuedBytes = 1024;

export class BeaconServer {
  private readonly _server: Server;
  private readonly _sockets = new Set<Socket>();
  private _lastBeat = '';
  private _closed = false;

  constructor(
    readonly path: string,
    private readonly _logger: Logger,
  ) {
    // A file at this path is a dead process's socket of the same term: tokens are never reused.
    unlinkQuietly(path);
    this._server = createServer((socket) => {
      if (this._closed) {
        socket.destroy();
        return;
      }
      this._sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => this._sockets.delete(socket));
      // Waiters send nothing; read anyway so a stray byte cannot fill a buffer.
      socket.resume();
      if (this._lastBeat) socket.write(this._lastBeat);
    });
    this._server.on('error', (err) => {
      this._logger.debug({ err, path }, 'beacon unavailable; waiters poll instead');
      this.close();
    });
    this._server.listen(path, () => {
      try {
        // The directory is private already; the socket is too, like every file the lock makes.
        if (!this._closed) chmodSync(path, 0o600);
      } catch {
        // Closed meanwhile.
      }
    });
  }

  /** Tells every waiter that slot `index` was linked. */
  beat(index: number): void {
    this._lastBeat = `${index}\n`;
    for (const socket of this._sockets) {
      if (socket.writableLength < maxQueuedBytes) socket.write(this._lastBeat);
    }
  }

  /** Closes the socket and every connection (waiters see the end at once) and removes the path. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this._server.close();
    for (const socket of this._sockets) socket.destroy();
    this._sockets.clear();
    unlinkQuietly(this.path);
  }
}

/** A waiter's connection to the beacon of one term. */
export class BeaconWatch {
  private readonly _socket: Socket;
  private _connected = false;
  private _ended = false;
  private _partial = '';

  constructor(
    readonly term: number,
    path: string,
    private readonly _onBeat: (index: number) => void,
    private readonly _onEnd: (wasConnected: boolean) => void,
  ) {
    this._socket = createConnection(path);
    this._socket.setEncoding('utf8');
    this._socket.on('connect', () => {
      this._connected = true;
    });
    this._socket.on('data', (chunk: string) => this._receive(chunk));
    this._socket.on('error', () => this._socket.destroy());
    this._socket.on('close', () => {
      if (this._ended) return;
      this._ended = true;
      this._onEnd(this._connected);
    });
  }

  get connected(): boolean {
    return this._connected && !this._ended;
  }

  private _receive(chunk: string): void {
    const lines = (this._partial + chunk).split('\n');
    this._partial = (lines.pop() ?? '').slice(0, 32);
    let highest = 0;
    for (const line of lines) {
      const index = Number(line);
      if (Number.isSafeInteger(index) && index > highest) highest = index;
    }
    if (highest > 0) this._onBeat(highest);
  }

  /** Closes the connection without reporting its end. */
  dispose(): void {
    this._ended = true;
    this._socket.destroy();
  }
}
