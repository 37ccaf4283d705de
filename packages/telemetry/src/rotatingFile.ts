import { closeSync, linkSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidArgumentError } from '@baton/base';

/** Options of `RotatingFile`. */
export interface RotatingFileOptions {
  readonly path: string;
  /** The file is rotated once it reaches this size (bytes). */
  readonly maxBytes: number;
  /** Rotated files kept beside it (`<path>.1` is the newest): at most (keep + 1) x maxBytes, plus one write each, on disk. */
  readonly keep: number;
  /** Mode of the files it creates (default 0o600). */
  readonly mode?: number;
}

/**
 * A file appended to by whole, synchronous writes and rotated by size (`<path>.1` ... `<path>.<keep>`), so that
 * it never holds more than its bound however long the process lives: service logs, a long-lived process's own log.
 * Synchronous, so that a crash loses nothing written; for lines, not bulk data. Opened on the first write.
 */
export class RotatingFile {
  private _fd: number | undefined;
  private _bytes = 0;
  /** What writeSoon was given in this task, written when it ends. */
  private _pending = '';
  private _done: ((err: unknown) => void) | undefined;
  private _maxBytes: number;
  private _keep: number;

  constructor(private readonly _options: RotatingFileOptions) {
    checkLimits(_options.maxBytes, _options.keep, _options.path);
    this._maxBytes = _options.maxBytes;
    this._keep = _options.keep;
  }

  get path(): string {
    return this._options.path;
  }

  /** Changes the bound (a reloaded configuration); it applies from the next write. */
  setLimits(maxBytes: number, keep: number): void {
    checkLimits(maxBytes, keep, this._options.path);
    this._maxBytes = maxBytes;
    this._keep = keep;
  }

  /** Appends `text` (whole lines, one write), then rotates if the file reached its bound. Throws what the file system throws. */
  write(text: string): void {
    if (this._fd === undefined) {
      mkdirSync(dirname(this._options.path), { recursive: true, mode: 0o700 });
      this._fd = openSync(this._options.path, 'a', this._options.mode ?? 0o600);
      this._bytes = statSync(this._options.path).size;
    }
    this._bytes += writeSync(this._fd, text);
    if (this._bytes >= this._maxBytes) this._rotate();
  }

  /**
   * Appends `text` once the current task ends (a microtask), with whatever else was given meanwhile, in one write:
   * for many lines delivered in one turn of the event loop (a service's output), one system call instead of one per
   * line. `done` (the one given last) hears how the write went: undefined, or what the file system threw. `flush()`
   * writes it now.
   */
  writeSoon(text: string, done: (err: unknown) => void): void {
    this._done = done;
    if (this._pending === '') queueMicrotask(() => this.flush());
    this._pending += text;
  }

  /** Writes what writeSoon holds now. */
  flush(): void {
    const text = this._pending;
    if (text === '') return;
    this._pending = '';
    let failure: unknown;
    try {
      this.write(text);
    } catch (err) {
      failure = err;
    }
    this._done?.(failure);
  }

  private _rotate(): void {
    const { path } = this._options;
    const keep = this._keep;
    this._closeFd();
    rmSync(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(`${path}.${i}`, `${path}.${i + 1}`);
      } catch {
        // Not there yet.
      }
    }
    // `path` never goes missing, for a reader between two lines: the full file takes its `.1` name
    // by a hard link, then an empty file replaces `path` in one rename.
    if (keep > 0) linkSync(path, `${path}.1`);
    const fresh = `${path}.new`;
    closeSync(openSync(fresh, 'w', this._options.mode ?? 0o600));
    renameSync(fresh, path);
  }

  /** Writes what writeSoon holds, and closes the file (a later write opens it again). */
  close(): void {
    this.flush();
    this._closeFd();
  }

  private _closeFd(): void {
    if (this._fd !== undefined) closeSync(this._fd);
    this._fd = undefined;
  }
}

function checkLimits(maxBytes: number, keep: number, path: string): void {
  if (!(Number.isInteger(maxBytes) && maxBytes > 0)) throw new InvalidArgumentError(`rotating file ${path}: maxBytes must be a whole number > 0, got ${maxBytes}`);
  if (!(Number.isInteger(keep) && keep >= 0)) throw new InvalidArgumentError(`rotating file ${path}: keep must be a whole number >= 0, got ${keep}`);
}

/** What `rotatingDestination` returns: a pino `DestinationStream` with its file and count of dropped lines. */
export interface RotatingDestination {
  /** Appends one log line (pino calls it); dropped and counted if the file cannot be written. */
  write(line: string): void;
  /** The file written to. */
  readonly file: RotatingFile;
  /** Lines dropped because the file could not be written. */
  readonly dropped: number;
}

/**
 * A logger destination (pino's `DestinationStream`) writing to a `RotatingFile`: for a long-lived process's own
 * JSON log. A line that cannot be written (a full disk) is dropped and counted, and the process goes on; the first
 * such failure after a success is reported once on stderr.
 */
export function rotatingDestination(file: RotatingFile): RotatingDestination {
  let dropped = 0;
  let failing = false;
  return {
    file,
    get dropped() {
      return dropped;
    },
    write(line: string) {
      try {
        file.write(line);
        failing = false;
      } catch (err) {
        dropped++;
        if (!failing) process.stderr.write(`cannot write the log file ${file.path}: ${(err as Error).message}; dropping log lines until it can\n`);
        failing = true;
      }
    },
  };
}
