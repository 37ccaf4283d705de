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
 * A waiter may write `2\n` to get only every other beat (and `1\n` for all again): one that
 * defers its claims to another waiter wakes half as often, and may judge the lease expired up to
 * a renewal interval late (it dates a renewal it was not told of from the scan that found it).
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
  /** Each waiter's connection, with the beats it asked for: every one (1) or every other (2). */
  private readonly _sockets = new Map<Socket, { every: 1 | 2 }>();
  private _beats = 0;
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
      const waiter: { every: 1 | 2 } = { every: 1 };
      this._sockets.set(socket, waiter);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => this._sockets.delete(socket));
      // A waiter sends only its rate, as a line `1` or `2`; any other line is ignored, and all of
      // it is read (a partial line kept to a few bytes), so a stray writer cannot fill a buffer.
      let partial = '';
      socket.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString('latin1')).split('\n');
        partial = (lines.pop() ?? '').slice(0, 8);
        for (const line of lines) {
          if (line === '1') waiter.every = 1;
          else if (line === '2') waiter.every = 2;
        }
      });
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

  /** Tells every waiter that slot `index` was linked (those that asked for every other beat, every other time). */
  beat(index: number): void {
    this._beats += 1;
    this._lastBeat = `${index}\n`;
    for (const [socket, { every }] of this._sockets) {
      if (this._beats % every === 0 && socket.writableLength < maxQueuedBytes) socket.write(this._lastBeat);
    }
  }

  /** Closes the socket and every connection (waiters see the end at once) and removes the path. */
  close(): void {
    if (this._closed) return;
    this._closed = true;
    this._server.close();
    for (const socket of this._sockets.keys()) socket.destroy();
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
  private _everyOther = false;

  constructor(
    readonly term: number,
    path: string,
    everyOther: boolean,
    private readonly _onBeat: (index: number) => void,
    private readonly _onEnd: (wasConnected: boolean) => void,
  ) {
    this._socket = createConnection(path);
    this._socket.setEncoding('utf8');
    this.setEveryOther(everyOther);
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

  /** Asks the holder for every other beat only (true) or for every beat (false). */
  setEveryOther(everyOther: boolean): void {
    if (everyOther === this._everyOther || this._ended) return;
    this._everyOther = everyOther;
    // Written before the connection is up, it is sent once it is.
    this._socket.write(everyOther ? '2\n' : '1\n');
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
