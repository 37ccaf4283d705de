import { closeSync, constants, fstatSync, ftruncate, ftruncateSync, openSync, readSync, watch, type FSWatcher } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { Disposable, toDisposable, type Clock, type Logger } from '@baton/base';

/**
 * How large a service's output file may grow before it is cut back to empty: once read in full, or, when the service
 * writes faster than it can be read, at once, dropping what was not read (counted, never silently).
 */
export const outputFileLimitBytes = 8 * 1024 * 1024;
/** At most this much is read and delivered in one turn of the event loop: a flood never starves timers, signals or sockets. */
const bytesPerTurn = 128 * 1024;
/**
 * The CPU time that reading and delivering output may take: `share` of one core over time, `burstMs` of it at once.
 * One is shared by every output file of a supervisor, so that services printing without end, however many, have what
 * cannot be read within it dropped (counted), and the process keeps the rest of the core for its other work and the
 * machine's.
 */
export class CpuBudget {
  private _ms: number;
  private _at = performance.now();

  constructor(
    readonly share = 0.25,
    readonly burstMs = 250,
  ) {
    this._ms = burstMs;
  }

  /** What may be spent now (ms; below zero: overspent), refilled for the time since the last look. */
  available(): number {
    const now = performance.now();
    this._ms = Math.min(this.burstMs, this._ms + (now - this._at) * this.share);
    this._at = now;
    return this._ms;
  }

  /** Records `ms` of CPU time taken by a read. */
  spend(ms: number): void {
    this._ms -= ms;
  }
}
/** Out of CPU time, a file's size is looked at this often (to drop what falls too far behind) until reading resumes. */
const maxWaitMs = 10;
/** A backstop read for platforms whose file watch reports appends late (Windows) or drops them (an overflowed inotify queue). */
const pollMs = 500;
const chunkBytes = 64 * 1024;
/** A longer line is delivered in pieces of this many characters (see _split). */
export const maxLineChars = 64 * 1024;

/**
 * Opens a service's output file for the child to write (truncated, 0600, append mode) and returns
 * the descriptor to hand to the child. The file, unlike a pipe, has no reader that can die: a
 * service whose supervisor was SIGKILLed keeps printing without EPIPE or SIGPIPE.
 */
export function openOutputForChild(path: string): number {
  // Append mode, so that after the reader truncates the file the child's next write lands at its
  // new end instead of at the child's old offset (which would leave a hole of zeros).
  return openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND, 0o600);
}

/**
 * Follows a file that a child appends to and delivers it line by line. Reads on every change the
 * file watch reports and every `pollMs` as a backstop; `drain()` reads what is left and delivers
 * a last partial line (call it once the writer has exited). Once everything written has been read
 * and the file is over `limitBytes`, it is truncated so a chatty service does not fill the disk;
 * a line appended between that check and the truncation is lost, a window of microseconds.
 */
export class OutputTail extends Disposable {
  private readonly _fd: number;
  private _offset = 0;
  private readonly _decoder = new StringDecoder('utf8');
  private _partial = '';
  private _closed = false;
  private readonly _buffer = Buffer.allocUnsafe(chunkBytes);
  private _watcher: FSWatcher | undefined;
  /** False once a watch failed (polling only, every `pollMs`). */
  private _canWatch = true;

  /** A read was cut short by the per-turn budget: the rest comes in the next turn, or once the CPU budget allows. */
  private _more: { immediate: NodeJS.Immediate } | { timer: NodeJS.Timeout } | undefined;

  /**
   * The file is being cut back to empty, off the event loop's thread (a truncation of a large file that a writer
   * keeps appending to can take tens of milliseconds here): nothing is read until it is done.
   */
  private _truncating = false;

  constructor(
    readonly path: string,
    private readonly _onLine: (line: string) => void,
    private readonly _logger: Logger,
    clock: Clock,
    private readonly _limitBytes = outputFileLimitBytes,
    /** Called with the number of bytes dropped unread (the service wrote more than `limitBytes` ahead of the reader). */
    private readonly _onDrop: (bytes: number) => void = () => {},
    /** The CPU the reads may take, shared with the supervisor's other output files (default: this file's own). */
    private readonly _cpu: CpuBudget = new CpuBudget(),
  ) {
    super();
    this._fd = openSync(path, 'r+');
    // Closed when the truncation in flight is done, if there is one: the descriptor's number must not be reused under it.
    this._register(toDisposable(() => this._truncating || closeSync(this._fd)));
    this._register(toDisposable(() => this._unwatch()));
    this._watch();
    this._register(clock.setInterval(() => this._read(), pollMs, { unref: true }));
  }

  /**
   * Follows appends by the file watch: while the service is quiet. A service printing more than one turn reads is
   * followed by the chain of reads instead (each schedules the next), without the watch: one event per write of the
   * service would cost more than the reads themselves. The watch resumes once the reads have caught up.
   */
  private _watch(): void {
    if (this._watcher || !this._canWatch || this._closed) return;
    try {
      this._watcher = watch(this.path, { persistent: false }, () => this._read());
      this._watcher.on('error', () => {});
    } catch (err) {
      this._canWatch = false;
      this._logger.debug({ err, path: this.path }, 'cannot watch the output file; reading it by polling');
    }
  }

  private _unwatch(): void {
    this._watcher?.close();
    this._watcher = undefined;
  }

  /** Reads the rest of the file, delivers a final unterminated line, and stops following. */
  drain(): void {
    if (this._closed) return;
    this._read(true);
    const rest = this._partial + this._decoder.end();
    this._partial = '';
    if (rest) this._deliver(rest);
    this.dispose();
  }

  override dispose(): void {
    if (this._closed) return;
    this._closed = true;
    this._cancelMore();
    super.dispose();
  }

  /** The next read of a chain (a turn later, or once the CPU budget allows). */
  private readonly _readNext = (): void => {
    this._more = undefined;
    this._read();
  };

  private _cancelMore(): void {
    const more = this._more;
    this._more = undefined;
    if (more && 'immediate' in more) clearImmediate(more.immediate);
    else if (more) clearTimeout(more.timer);
  }

  /**
   * Reads what was appended, up to `bytesPerTurn` (`all`: everything, for `drain`), and within the CPU budget: past
   * it, the next read waits. More than `limitBytes` unread is dropped: the file is cut back to
   * empty, the partial line with it, and `onDrop` told how many bytes.
   */
  private _read(all = false): void {
    if (this._closed || this._truncating) return;
    const started = performance.now();
    this._cancelMore();
    try {
      const buffer = this._buffer;
      let budget = all ? Infinity : bytesPerTurn;
      for (;;) {
        const size = fstatSync(this._fd).size;
        // Truncated by someone else: start again from the beginning.
        if (size < this._offset) this._offset = 0;
        if (size === this._offset) {
          // Caught up: follow by the watch again, and look once more, for what came before it was set.
          if (!all && !this._watcher && this._canWatch && !this._closed) {
            this._watch();
            continue;
          }
          break;
        }
        if (!all && size - this._offset > this._limitBytes) {
          this._shed(size - this._offset);
          return;
        }
        const left = all ? Infinity : this._cpu.available() - (performance.now() - started);
        if (left <= 0) {
          // Out of CPU time: nothing is read until the budget refills, but the size is looked at every few
          // milliseconds meanwhile, so that what falls too far behind is dropped and the file stays bounded.
          this._more = { timer: setTimeout(this._readNext, Math.min(maxWaitMs, 1 - left / this._cpu.share)) };
          this._unwatch();
          break;
        }
        if (budget <= 0) {
          this._more = { immediate: setImmediate(this._readNext) };
          this._unwatch();
          break;
        }
        const n = readSync(this._fd, buffer, 0, Math.min(chunkBytes, size - this._offset, budget), this._offset);
        if (n === 0) break;
        budget -= n;
        this._offset += n;
        this._split(this._decoder.write(buffer.subarray(0, n)));
      }
      // All read: cut back at once (a line appended between the check and the truncation is lost, a window of
      // microseconds; the writer is not outrunning the reader here, so the file is small and the call quick).
      if (this._offset > this._limitBytes && fstatSync(this._fd).size === this._offset) {
        ftruncateSync(this._fd, 0);
        this._offset = 0;
      }
    } catch (err) {
      this._logger.warn({ err, path: this.path }, 'cannot read the service output file');
    } finally {
      this._cpu.spend(performance.now() - started);
    }
  }

  /** Drops `unread` bytes: the file is cut back to empty (the writer appends from its new end) and reading starts there. */
  private _shed(unread: number): void {
    const partial = Buffer.byteLength(this._partial);
    this._partial = '';
    this._decoder.end();
    // At least this much: what the writer appends until the truncation takes effect goes too.
    this._onDrop(unread + partial);
    // Off the event loop's thread: cutting back a large file that a writer keeps appending to took up to 100 ms here.
    this._truncating = true;
    ftruncate(this._fd, 0, (err) => {
      this._truncating = false;
      this._offset = 0;
      if (this._closed) closeSync(this._fd);
      else {
        if (err) this._logger.warn({ err, path: this.path }, 'cannot cut the service output file back');
        this._read();
      }
    });
  }

  private _split(chunk: string): void {
    const text = this._partial + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this._deliverLong(text.slice(start, end));
      start = nl + 1;
    }
    // A line without its end yet: held, but never more than a line's bound (output without newlines, a binary dump).
    let rest = text.slice(start);
    while (rest.length > maxLineChars) {
      this._deliver(rest.slice(0, maxLineChars));
      rest = rest.slice(maxLineChars);
    }
    this._partial = rest;
  }

  /** A line longer than `maxLineChars` is delivered in pieces of that length: nothing is lost, and memory stays bounded. */
  private _deliverLong(line: string): void {
    for (let at = 0; at < line.length; at += maxLineChars) this._deliver(line.slice(at, at + maxLineChars));
    if (line.length === 0) this._deliver(line);
  }

  private _deliver(line: string): void {
    try {
      this._onLine(line);
    } catch (err) {
      this._logger.error({ err }, 'an output listener threw');
    }
  }
}
