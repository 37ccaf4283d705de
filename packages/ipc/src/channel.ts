import type { Duplex } from 'node:stream';
import { Disposable, Emitter, type Logger } from '@baton/base';
import { FrameDecoder, encodeFrames, encodeFramesInto, encodePayload, framesLength, defaultMaxFrameBytes } from './codec.js';
import { SlowConsumerError } from './errors.js';

/** What a channel does when its peer does not read: drop the oldest droppable messages, or disconnect it. */
export type SlowConsumerPolicy = 'disconnect' | 'drop-oldest';

/** Options of a FramedChannel: the frame size limit, the send queue's bound, and the slow-consumer policy. */
export interface ChannelOptions {
  maxFrameBytes?: number;
  /** Bound on bytes waiting to be sent to this peer (ours plus the socket's buffer). Default 8 MiB. */
  maxQueueBytes?: number;
  /** What to do when the bound is reached: close the connection, or drop the oldest droppable (pub/sub) messages. */
  slowConsumer?: SlowConsumerPolicy;
  /**
   * The message sent before the channel closes itself over bad input (a frame over the limit,
   * bytes that are not a frame), so the peer learns why: the protocol's `refuse`.
   */
  farewell?: (error: Error) => unknown;
  /** The largest frame accepted from the peer until `acceptFramesUpTo` raises it (default: maxFrameBytes). */
  incomingMaxFrameBytes?: number;
  logger: Logger;
}

/** A message framed once, to be sent on several channels (a broadcast). */
export interface EncodedMessage {
  readonly text: string;
  readonly bytes: number;
}

/** A message waiting to be sent, or (while the peer does not read) a run of droppable ones already framed. */
type Queued =
  | { readonly text: string; readonly bytes: number; readonly droppable: boolean; readonly packed?: undefined }
  | { readonly packed: Buffer; readonly count: number; readonly droppable: true; readonly inRing: boolean };

/** Bytes an entry adds to the queue: its frames, headers included. */
const cost = (item: Queued) => (item.packed ? item.packed.length : item.bytes + 4);
const count = (item: Queued) => (item.packed ? item.count : 1);

/** Why a channel closed, and the error if one closed it. */
export interface CloseEvent {
  readonly reason: string;
  readonly error?: Error;
}

const dropWarningIntervalMs = 10_000;
const resolved = Promise.resolve();
/**
 * Messages sent in one tick go out in one write, but no more than this many (or bytes) wait:
 * measured on 2 cores with 64 requests in flight, 16 per write gave 2-3x the throughput of one
 * write per tick, and 8 was no better than 16 while costing more system calls.
 */
const batchMessages = 16;
const batchBytes = 64 * 1024;
/**
 * While the peer does not read, droppable messages are framed into one buffer per this many bytes.
 * Kept as strings, a full queue of small messages is tens of thousands of heap objects that live
 * long enough to be promoted and then die, and the heap grows to several times the queue's size;
 * framed, they are a few dozen views of one reused buffer outside the heap (a ring, see _reserve):
 * nothing is allocated or freed per message while the peer does not read.
 */
const packBytes = 256 * 1024;
/**
 * Frames handed on from one connection before the others get a turn: the rest wait, with the
 * socket paused, for the next turn of the event loop. Without a bound, one peer pipelining
 * thousands of requests has them all served before any other connection is read.
 */
export const framesPerTurn = 64;
/** After end(), how long the peer has to close its side before the socket is destroyed. */
const endGraceMs = 1000;
/**
 * After a refusal, the same, for a peer that is read no more. A peer that reads the refusal closes
 * at once; one that does not (a stranger flooding the server with frames it will not read) is held,
 * paused, as long as the handshake's deadline would hold a silent one. Released sooner, it only
 * comes back sooner: each reconnection costs the machine the peer's writes into a new socket buffer
 * (with 4 such peers, healthy round trips' p99 1.37x the no-flood figure at a 1 s grace, 1.15x at 5 s).
 */
const refusedGraceMs = 5000;

/** The frames of `batch` in one new buffer; packed runs (views of the ring) are copied. */
function encodeBatch(batch: readonly Queued[]): Buffer {
  if (!batch.some((item) => item.packed)) return encodeFrames(batch as Array<Extract<Queued, { text: string }>>);
  const parts: Buffer[] = [];
  let texts: Array<Extract<Queued, { text: string }>> = [];
  for (const item of batch) {
    if (!item.packed) {
      texts.push(item);
      continue;
    }
    if (texts.length > 0) parts.push(encodeFrames(texts));
    texts = [];
    parts.push(item.packed);
  }
  if (texts.length > 0) parts.push(encodeFrames(texts));
  return Buffer.concat(parts);
}

/**
 * Messages over a byte stream: length-prefixed JSON frames in, validated by the caller; frames
 * out, batched so that everything sent in one tick goes to the socket in one write. Outbound bytes
 * are bounded: past `maxQueueBytes` the peer is a slow consumer and the policy applies.
 * The codec and this class know nothing of sockets beyond Duplex, so other byte transports fit.
 */
export class FramedChannel extends Disposable {
  private readonly _onMessage = this._register(new Emitter<unknown>());
  readonly onMessage = this._onMessage.event;
  private readonly _onClose = this._register(new Emitter<CloseEvent>());
  readonly onClose = this._onClose.event;

  private readonly _decoder: FrameDecoder;
  private readonly _maxFrameBytes: number;
  private readonly _maxQueueBytes: number;
  private readonly _policy: SlowConsumerPolicy;
  /** Outbound messages in order; a dropped one leaves a hole (undefined) until the next flush or compaction. */
  private _queue: Array<Queued | undefined> = [];
  private _queuedBytes = 0;
  /** Positions in _queue of droppable messages, oldest first from _droppableHead: dropping is O(1). */
  private _droppable: number[] = [];
  private _droppableHead = 0;
  private _holes = 0;
  /** Messages in _queue (a packed entry holds many). */
  private _queuedCount = 0;
  /** Where the trailing run of unpacked droppable messages begins in _queue, and its bytes. */
  private _runStart = 0;
  private _runBytes = 0;
  /**
   * The bytes of packed runs while the peer does not read, in the order they were packed; since
   * packed entries are only ever dropped oldest first or sent all at once, the live region is
   * [_ringHead, _ringTail), wrapping once at the end.
   */
  private _ring: Buffer | undefined;
  private _ringHead = 0;
  private _ringTail = 0;
  private _ringLive = 0;
  private _flushScheduled = false;
  private _blocked = false;
  private _closed = false;
  private _ending = false;
  /** Frames decoded but not yet handed on (over this turn's budget), from _inboxHead. */
  private _inbox: unknown[] = [];
  private _inboxHead = 0;
  private _budget = framesPerTurn;
  private _nextTurn: NodeJS.Immediate | undefined;
  private _dropped = 0;
  private readonly _onDidDrain = this._register(new Emitter<void>());
  private _lastDropWarning = -Infinity;
  /**
   * Asked when the peer half-closes (sends its FIN): true keeps the connection open for answers
   * still owed to the peer, and the owner calls end() once they are sent. Unset, or false: the
   * connection closes at once.
   */
  keepOpenAfterPeerEnd: (() => boolean) | undefined;
  private _peerEnded = false;
  /** Monotonic time of the last frame received (heartbeats use it). */
  lastReceivedAt = performance.now();
  /** Monotonic time the frame being received began to arrive; undefined between frames. */
  partialSince: number | undefined;

  private readonly _flushSoon = (): void => {
    this._flushScheduled = false;
    try {
      this._flush();
    } catch (err) {
      this.destroy(err as Error);
    }
  };

  private readonly _deliver = (value: unknown): void => {
    if (this._closed) return;
    if (this._budget > 0 && this._inboxHead === this._inbox.length) {
      this._budget--;
      this._onMessage.fire(value);
    } else this._inbox.push(value);
  };

  private readonly _takeTurn = (): void => {
    this._nextTurn = undefined;
    this._budget = framesPerTurn;
    while (!this._closed && this._budget > 0 && this._inboxHead < this._inbox.length) {
      const value = this._inbox[this._inboxHead];
      this._inbox[this._inboxHead++] = undefined;
      this._budget--;
      this._onMessage.fire(value);
    }
    if (this._closed) return;
    if (this._inboxHead < this._inbox.length) {
      this._nextTurn = setImmediate(this._takeTurn);
      return;
    }
    this._inbox = [];
    this._inboxHead = 0;
    // Refused meanwhile: stays paused (see endWith).
    if (!this._endReason) this._socket.resume();
  };

  constructor(private readonly _socket: Duplex, private readonly _options: ChannelOptions) {
    super();
    this._maxFrameBytes = _options.maxFrameBytes ?? defaultMaxFrameBytes;
    this._maxQueueBytes = _options.maxQueueBytes ?? 8 * 1024 * 1024;
    this._policy = _options.slowConsumer ?? 'disconnect';
    this._decoder = new FrameDecoder(_options.incomingMaxFrameBytes ?? this._maxFrameBytes);
    const onData = (chunk: Buffer) => this._onData(chunk);
    const onDrain = () => {
      this._blocked = false;
      this._flush();
      if (!this._blocked) this._onDidDrain.fire();
    };
    const onError = (err: Error) => this._close(`socket error: ${err.message}`, err);
    // The peer sends nothing more (a FIN: a half-close, or its process is gone). Unless the owner
    // still has answers to deliver (see keepOpenAfterPeerEnd), the socket is destroyed at once.
    // (Client and server sockets are opened half-open-capable, so Node does not first send its
    // own end and wait out the shutdown: on the failover path, in every follower at once, that
    // is a good part of what a closed connection costs.)
    const onEnd = () => {
      this._peerEnded = true;
      if (this._closed) return;
      // A frame cut off by the end can never complete; and after our own end() nothing is owed.
      if (!this._ending && this._decoder.bufferedBytes === 0 && this.keepOpenAfterPeerEnd?.()) return;
      this._close('peer closed the connection');
      _socket.destroy();
    };
    const onClose = () => this._close('connection closed');
    _socket.on('data', onData);
    _socket.on('drain', onDrain);
    _socket.on('error', onError);
    _socket.on('end', onEnd);
    _socket.on('close', onClose);
    this._register({
      dispose: () => {
        _socket.off('data', onData);
        _socket.off('drain', onDrain);
        _socket.off('end', onEnd);
        _socket.off('close', onClose);
        // Keep an error listener: a late socket error must not become an uncaught exception.
        _socket.off('error', onError);
        _socket.on('error', () => {});
      },
    });
  }

  get isClosed(): boolean {
    return this._closed;
  }

  /** The peer sent its FIN: it sends nothing more, though it may still read (a half-close). */
  get peerEnded(): boolean {
    return this._peerEnded;
  }

  /** Bytes waiting: our queue plus what the socket has buffered. */
  get queuedBytes(): number {
    return this._queuedBytes + this._socket.writableLength;
  }

  get droppedMessages(): number {
    return this._dropped;
  }

  /** Resolves when the socket accepts more without buffering (at once if it does now, or on close). */
  whenWritable(): Promise<void> {
    if (!this._blocked || this._closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        drain.dispose();
        close.dispose();
        resolve();
      };
      const drain = this._onDidDrain.event(done);
      const close = this.onClose(done);
    });
  }

  /** From now on, frames from the peer up to maxFrameBytes are accepted (a server calls it once the peer authenticated). */
  acceptFullFrames(): void {
    this._decoder.setMaxFrameBytes(this._maxFrameBytes);
  }

  /** Encodes and queues a message. Throws FrameTooLargeError for a message over maxFrameBytes. */
  send(message: unknown, droppable = false): void {
    this.sendEncoded(encodePayload(message, this._maxFrameBytes), droppable);
  }

  /** Queues an already encoded message (a broadcast encodes once for all peers). */
  sendEncoded(encoded: EncodedMessage, droppable = false): void {
    if (this._closed || this._ending) return;
    if (droppable && this._policy === 'drop-oldest') {
      this._droppable.push(this._queue.length);
      this._runBytes += encoded.bytes + 4;
    } else {
      this._runStart = this._queue.length + 1;
      this._runBytes = 0;
    }
    this._queue.push({ text: encoded.text, bytes: encoded.bytes, droppable });
    this._queuedBytes += encoded.bytes + 4;
    this._queuedCount++;
    if (this._blocked && this._runBytes >= packBytes) this._pack();
    if (this.queuedBytes > this._maxQueueBytes && !this._relieve()) return;
    if (this._blocked) return;
    if (this._queue.length >= batchMessages || this._queuedBytes >= batchBytes) {
      // A full batch goes out now, so the peer starts on it while this side produces the rest.
      // Waiting for the end of the tick makes the two processes take turns (one idle while the
      // other works), which halves pipelined throughput on two cores.
      this._flush();
      return;
    }
    if (!this._flushScheduled) {
      this._flushScheduled = true;
      // A bare promise reaction: queueMicrotask creates an async resource per call, which
      // costs more than the rest of sending a small message.
      void resolved.then(this._flushSoon);
    }
  }

  /**
   * Writes what is queued now instead of at the end of this turn: for a message that others are
   * waiting on, sent from code that has more to do before it returns.
   */
  flush(): void {
    this._flush();
  }

  /** Over the bound: drop or disconnect by policy. Returns false when the channel was closed. */
  private _relieve(): boolean {
    if (this._policy === 'drop-oldest') {
      let dropped = 0;
      while (this.queuedBytes > this._maxQueueBytes && this._droppableHead < this._droppable.length) {
        const index = this._droppable[this._droppableHead++]!;
        const item = this._queue[index]!;
        this._queue[index] = undefined;
        this._holes++;
        if (item.packed && item.inRing) this._releaseRing(item.packed);
        this._queuedBytes -= cost(item);
        this._queuedCount -= count(item);
        dropped += count(item);
      }
      // Holes are cleared once they are half the queue: each message is moved at most once per
      // drop of another, so dropping stays O(1) amortized however long the queue.
      if (this._holes > 64 && this._holes * 2 > this._queue.length) this._compact();
      if (dropped > 0) {
        this._dropped += dropped;
        const now = performance.now();
        if (now - this._lastDropWarning >= dropWarningIntervalMs) {
          this._lastDropWarning = now;
          this._options.logger.warn({ dropped: this._dropped, maxQueueBytes: this._maxQueueBytes }, 'slow consumer: dropping oldest messages');
        }
      }
      if (this.queuedBytes <= this._maxQueueBytes) return true;
    }
    const error = new SlowConsumerError(
      `Peer did not read: ${this.queuedBytes} bytes queued, over the ${this._maxQueueBytes}-byte bound (maxQueueBytes); disconnecting`,
    );
    this._options.logger.warn({ err: error }, 'slow consumer disconnected');
    this.destroy(error);
    return false;
  }

  /** Frames the trailing run of droppable messages into one buffer (only while the peer does not read). */
  private _pack(): void {
    const run = this._queue.splice(this._runStart);
    const live = run.filter(Boolean) as Array<Extract<Queued, { text: string }>>;
    this._holes -= run.length - live.length;
    // Their positions were the last ones in _droppable (some perhaps dropped already).
    while (this._droppable.length > 0 && this._droppable[this._droppable.length - 1]! >= this._runStart) this._droppable.pop();
    this._droppableHead = Math.min(this._droppableHead, this._droppable.length);
    if (live.length > 0) {
      const length = framesLength(live);
      const reserved = this._reserve(length);
      const packed = reserved ?? Buffer.allocUnsafe(length);
      encodeFramesInto(live, packed);
      this._droppable.push(this._queue.length);
      this._queue.push({ packed, count: live.length, droppable: true, inRing: reserved !== undefined });
    }
    this._runStart = this._queue.length;
    this._runBytes = 0;
  }

  /** `length` bytes of the ring after the newest packed run, or undefined when they do not fit. */
  private _reserve(length: number): Buffer | undefined {
    // Room for a full queue of packed runs plus the run being packed, and the gap a wrap leaves.
    this._ring ??= Buffer.allocUnsafe(this._maxQueueBytes + 3 * packBytes);
    const capacity = this._ring.length;
    if (this._ringLive === 0) this._ringHead = this._ringTail = 0;
    let at: number;
    if (this._ringTail >= this._ringHead) {
      if (this._ringTail + length <= capacity) at = this._ringTail;
      else if (length < this._ringHead) at = 0;
      else return undefined;
    } else if (this._ringTail + length < this._ringHead) at = this._ringTail;
    else return undefined;
    this._ringTail = at + length;
    this._ringLive += length;
    return this._ring.subarray(at, at + length);
  }

  /** The oldest packed run in the ring was dropped. */
  private _releaseRing(packed: Buffer): void {
    this._ringHead = packed.byteOffset - this._ring!.byteOffset + packed.length;
    this._ringLive -= packed.length;
  }

  private _compact(): void {
    const kept: Queued[] = [];
    const droppable: number[] = [];
    for (const item of this._queue) {
      if (!item) continue;
      if (item.droppable) droppable.push(kept.length);
      kept.push(item);
    }
    this._queue = kept;
    this._droppable = droppable;
    this._droppableHead = 0;
    this._holes = 0;
    this._runStart = kept.length;
    this._runBytes = 0;
  }

  /** Messages waiting in the outbound queue, not counting what the socket has buffered. */
  get queueLength(): number {
    return this._queuedCount;
  }

  private _flush(force = false): void {
    if (this._closed || (this._blocked && !force) || this._queue.length === 0) return;
    const batch = this._holes > 0 ? (this._queue.filter(Boolean) as Queued[]) : (this._queue as Queued[]);
    this._resetQueue();
    if (batch.length === 0) return;
    const ok = this._socket.write(encodeBatch(batch));
    if (!ok) this._blocked = true;
  }

  private _resetQueue(): void {
    this._queue = [];
    this._droppable = [];
    this._droppableHead = 0;
    this._holes = 0;
    this._queuedBytes = 0;
    this._queuedCount = 0;
    this._runStart = 0;
    this._runBytes = 0;
    // The batch was copied out (encodeBatch); a peer that reads again needs no ring.
    this._ring = undefined;
    this._ringHead = this._ringTail = this._ringLive = 0;
  }

  private _onData(chunk: Buffer): void {
    // After a refusal nothing the peer says matters; after a plain end() its answers still do
    // (a half-close: requests sent before it are answered and delivered).
    if (this._endReason) return;
    const now = performance.now();
    this.lastReceivedAt = now;
    try {
      this._decoder.push(chunk, this._deliver);
    } catch (err) {
      this._options.logger.warn({ err, bytes: chunk.length }, 'closing connection: bad frame');
      this.endWith(err as Error);
      return;
    }
    if (this._decoder.bufferedBytes === 0) this.partialSince = undefined;
    else this.partialSince ??= now;
    if (this._inboxHead < this._inbox.length && this._nextTurn === undefined && !this._closed) {
      // Over this turn's budget: read nothing more from this peer until its frames are handed on.
      this._socket.pause();
      this._nextTurn = setImmediate(this._takeTurn);
    }
  }

  /**
   * Sends `farewell` (by default the one the owner's `farewell` option makes for `error`), then
   * ends the connection; `error` is the reason the close reports.
   */
  endWith(error: Error, farewell: unknown = this._options.farewell?.(error)): void {
    if (this._closed || this._ending) return;
    if (farewell !== undefined) {
      try {
        this.send(farewell);
      } catch {
        // Could not even say why: just close.
      }
    }
    this._endReason = error;
    // Nothing the peer says matters now: read nothing more. A peer that keeps sending (a stranger writing 16 MiB
    // frames) otherwise had every byte read and dropped until the grace below ran out, for each connection it opened.
    this._socket.pause();
    this.end(refusedGraceMs);
  }

  private _endReason: Error | undefined;

  /**
   * Sends what is queued (under backpressure too: the socket buffers it), then closes. Nothing
   * sent afterwards is queued. A peer that does not close its side within `graceMs` is cut off.
   */
  end(graceMs = endGraceMs): void {
    if (this._closed || this._ending) return;
    this._ending = true;
    this._flush(true);
    this._socket.end();
    const grace = setTimeout(() => this.destroy(this._endReason), graceMs);
    grace.unref();
    this._register({ dispose: () => clearTimeout(grace) });
  }

  /** Closes at once, dropping anything queued. */
  destroy(error?: Error): void {
    this._close(error ? error.message : 'closed', error);
    this._socket.destroy();
  }

  private _close(reason: string, error?: Error): void {
    if (this._closed) return;
    this._closed = true;
    error ??= this._endReason;
    if (error) reason = error.message;
    this._resetQueue();
    this._inbox = [];
    this._inboxHead = 0;
    if (this._nextTurn) clearImmediate(this._nextTurn);
    this._nextTurn = undefined;
    this._onClose.fire(error ? { reason, error } : { reason });
    this.dispose();
  }
}
