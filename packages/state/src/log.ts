import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, readSync, statSync, unlinkSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  Disposable,
  Emitter,
  InvalidArgumentError,
  ensureSecureDirectory,
  lockFile,
  noopLogger,
  readFileIfExists,
  syncDirectory,
  toFileName,
  writeFileAtomic,
  type Event,
  type Logger,
} from '@baton/base';
import { ConflictError, CorruptStateError, StateTooLargeError } from './errors.js';
import type { Store } from './store.js';

export interface LogOptions {
  dir: string;
  /** The log is `<dir>/<name>.log`. */
  name: string;
  /** Largest record accepted (default 1 MiB). */
  maxBytes?: number;
  /** fsync after each append (default false: a record survives a process crash, not a power loss). */
  durable?: boolean;
  /** Watch the file to fire onDidAppend for other processes' appends (default true). */
  watch?: boolean;
  logger?: Logger;
}

export interface LogRecord<E> {
  /** Where the record starts. */
  readonly offset: number;
  /** Where the next record starts (pass it as fromOffset to continue). */
  readonly next: number;
  readonly event: E;
}

export interface CompactResult {
  /** Records folded into the snapshot. */
  readonly folded: number;
  /** The log's generation after compaction (offsets of older generations are void). */
  readonly generation: number;
}

const headerBytes = 8; // u32 length + u32 crc32 of the payload
const lockAttempts = 5000;

interface Scan {
  /** Offset after the last whole record. */
  end: number;
  generation: number;
  /** Where the first event record starts (after the generation record). */
  start: number;
  torn: boolean;
}

/**
 * An append-only event log shared by processes, for data where many writers would conflict on a
 * single value: each record is framed by its length and CRC-32 and appended with O_APPEND in one
 * write, so concurrent appends neither interleave nor overwrite. A record torn by a crash is
 * detected and cut off on open. `compact` folds the records into a snapshot store and starts a new
 * generation of the log; a crash at any step of it loses and doubles nothing.
 */
export class EventLog<E> extends Disposable {
  private readonly _onDidAppend = this._register(new Emitter<{ size: number }>());
  /** The log grew (an append by this or another process). */
  readonly onDidAppend: Event<{ size: number }> = this._onDidAppend.event;

  readonly file: string;
  private readonly _lockPath: string;
  private readonly _markerPath: string;
  private readonly _maxBytes: number;
  private readonly _logger: Logger;
  private _fd: number | undefined;
  private _generation = 0;
  private _start = 0;
  private _watcher: FSWatcher | undefined;
  private _lastSize = 0;

  constructor(private readonly _options: LogOptions) {
    super();
    const base = toFileName(_options.name, 'log name');
    this.file = join(_options.dir, `${base}.log`);
    this._lockPath = join(_options.dir, `${base}.log.lock`);
    this._markerPath = join(_options.dir, `${base}.log.compacting`);
    this._maxBytes = _options.maxBytes ?? 1 << 20;
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'state', log: _options.name });
  }

  get generation(): number {
    return this._generation;
  }

  /** Offset of the first event record of the current generation. */
  get start(): number {
    return this._start;
  }

  async open(): Promise<void> {
    await ensureSecureDirectory(this._options.dir);
    await this._exclusive(async () => {
      const scan = this._scanFile();
      if (!scan) {
        await this._writeGeneration(1, []);
      } else if (scan.torn) {
        const fd = openSync(this.file, 'r+');
        try {
          const size = fstatSync(fd).size;
          ftruncateSync(fd, scan.end);
          this._logger.warn({ at: scan.end, cutBytes: size - scan.end }, 'cut off a torn record at the end of the log (a writer crashed mid-append)');
        } finally {
          closeSync(fd);
        }
      }
    });
    this._reopen();
    if (this._options.watch ?? true) {
      try {
        this._watcher = watch(this._options.dir, { persistent: false }, (_e, filename) => {
          if (filename === null || this.file.endsWith(filename)) this._checkGrowth();
        });
        this._watcher.on('error', () => {
          this._watcher?.close();
          this._watcher = undefined;
        });
      } catch (err) {
        this._logger.warn({ err }, 'cannot watch the log; onDidAppend fires only for this process');
      }
    }
  }

  private _reopen(): void {
    if (this._fd !== undefined) closeSync(this._fd);
    this._fd = openSync(this.file, 'a', 0o600);
    const scan = this._scanFile()!;
    this._generation = scan.generation;
    this._start = scan.start;
    this._lastSize = scan.end;
  }

  private _checkGrowth(): void {
    let size: number;
    try {
      const fd = openSync(this.file, 'r');
      size = fstatSync(fd).size;
      closeSync(fd);
    } catch {
      return;
    }
    if (size !== this._lastSize) {
      this._lastSize = size;
      this._onDidAppend.fire({ size });
    }
  }

  /** Appends one event as one record. Resolves once it is in the file (and on disk, with `durable`). */
  async append(event: E): Promise<void> {
    const payload = Buffer.from(JSON.stringify(event) ?? 'null', 'utf8');
    if (payload.length > this._maxBytes) {
      throw new StateTooLargeError(`log '${this._options.name}': a record of ${payload.length} bytes is over maxBytes (${this._maxBytes})`);
    }
    const record = frame(payload);
    // Shared lock: appends run side by side; compaction and recovery take it exclusively.
    const release = await lockFile(this._lockPath, { attempts: lockAttempts, shared: true });
    if (!release) throw new ConflictError(`log '${this._options.name}': could not get the append lock (compaction holding it too long?)`);
    try {
      // Compaction (in any process) replaces the file by rename: a new inode means reopen.
      if (fstatSync(this._fd!).ino !== statSync(this.file).ino) this._reopen();
      writeSync(this._fd!, record);
      if (this._options.durable) await new Promise<void>((resolve, reject) => fdatasync(this._fd!, (err) => (err ? reject(err) : resolve())));
    } finally {
      release();
    }
    this._checkGrowth();
  }

  /** Reads whole records from `fromOffset` (default: the first of this generation) to the current end. */
  async *read(options: { fromOffset?: number } = {}): AsyncGenerator<LogRecord<E>> {
    const data = await readFileIfExists(this.file);
    if (!data || data.length < headerBytes) return;
    // The generation record comes first; take its end from the file itself (another process may
    // have compacted since this one last looked).
    const start = headerBytes + data.readUInt32LE(0);
    let offset = Math.max(options.fromOffset ?? start, start);
    while (offset + headerBytes <= data.length) {
      const length = data.readUInt32LE(offset);
      const end = offset + headerBytes + length;
      if (end > data.length) return; // being written: a later read gets it
      const payload = data.subarray(offset + headerBytes, end);
      if (crc32(payload) !== data.readUInt32LE(offset + 4)) {
        throw new CorruptStateError('record', `log ${this.file}: record at offset ${offset} fails its checksum`);
      }
      yield { offset, next: end, event: JSON.parse(payload.toString('utf8')) as E };
      offset = end;
    }
  }

  /**
   * Folds every record into `snapshot` with `reduce` and starts a new, empty generation of the
   * log. The snapshot store must be written only by compaction. Steps, each safe to crash after:
   * a marker records the snapshot's version; the snapshot is updated (one atomic write); the log
   * is replaced by an empty new generation (one rename); the marker is removed. A later open or
   * compact finishes or rolls back a compaction that a crash interrupted.
   */
  async compact<S>(reduce: (state: S, event: E) => S, snapshot: Store<S>): Promise<CompactResult> {
    let folded = 0;
    await this._exclusive(async () => {
      await this._finishInterrupted(snapshot);
      const records: E[] = [];
      let end = 0;
      for await (const record of this._readAll()) {
        records.push(record.event);
        end = record.next;
      }
      if (records.length === 0) return;
      const generation = this._peekGeneration();
      await writeFileAtomic(this._markerPath, JSON.stringify({ generation, snapshotVersion: snapshot.version, end }));
      await crashPoint('after-marker');
      await snapshot.update((state) => records.reduce(reduce, state));
      await crashPoint('after-snapshot');
      await this._writeGeneration(generation + 1, await this._eventsFrom(end));
      await crashPoint('after-rotate');
      unlinkSync(this._markerPath);
      folded = records.length;
    });
    this._reopen();
    return { folded, generation: this._generation };
  }

  private async _finishInterrupted<S>(snapshot: Store<S>): Promise<void> {
    const marker = await readFileIfExists(this._markerPath);
    if (!marker) return;
    const { generation, snapshotVersion, end } = JSON.parse(marker.toString('utf8')) as { generation: number; snapshotVersion: number; end: number };
    await snapshot.refresh();
    if (this._peekGeneration() === generation && snapshot.version > snapshotVersion) {
      // The snapshot has the records up to `end`: start the new generation with the records
      // appended after them (appends made after the crash).
      await this._writeGeneration(generation + 1, await this._eventsFrom(end));
      this._logger.warn({ generation }, 'finished a compaction interrupted after the snapshot was written');
    } else {
      this._logger.warn({ generation }, 'rolled back a compaction interrupted before the snapshot was written');
    }
    unlinkSync(this._markerPath);
  }

  private async _eventsFrom(offset: number): Promise<E[]> {
    const events: E[] = [];
    for await (const record of this.read({ fromOffset: offset })) events.push(record.event);
    return events;
  }

  private async *_readAll(): AsyncGenerator<LogRecord<E>> {
    const scan = this._scanFile();
    if (!scan) return;
    this._start = scan.start;
    yield* this.read({ fromOffset: scan.start });
  }

  private async _exclusive(fn: () => Promise<void>): Promise<void> {
    const release = await lockFile(this._lockPath, { attempts: lockAttempts });
    if (!release) throw new ConflictError(`log '${this._options.name}': could not get the exclusive lock`);
    try {
      await fn();
    } finally {
      release();
    }
  }

  /** Writes a fresh log file holding only the generation record, atomically. */
  private async _writeGeneration(generation: number, events: E[]): Promise<void> {
    const parts = [frame(Buffer.from(JSON.stringify({ $log: 1, generation })))];
    for (const event of events) parts.push(frame(Buffer.from(JSON.stringify(event))));
    await writeFileAtomic(this.file, Buffer.concat(parts));
    await syncDirectory(this._options.dir);
  }

  private _peekGeneration(): number {
    return this._scanFile(true)?.generation ?? 0;
  }

  /** Reads the generation record and (unless headerOnly) finds the end of the last whole record. */
  private _scanFile(headerOnly = false): Scan | undefined {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const size = fstatSync(fd).size;
      const head = Buffer.alloc(headerBytes);
      const readAt = (buffer: Buffer, position: number) => readSync(fd, buffer, 0, buffer.length, position);
      if (readAt(head, 0) < headerBytes) throw new CorruptStateError('record', `log ${this.file} has no generation record`);
      const length = head.readUInt32LE(0);
      const payload = Buffer.alloc(length);
      readAt(payload, headerBytes);
      if (crc32(payload) !== head.readUInt32LE(4)) throw new CorruptStateError('record', `log ${this.file}: the generation record fails its checksum`);
      const generation = (JSON.parse(payload.toString('utf8')) as { generation: number }).generation;
      const start = headerBytes + length;
      if (headerOnly) return { end: start, start, generation, torn: false };
      let offset = start;
      let torn = false;
      while (offset < size) {
        if (offset + headerBytes > size) {
          torn = true;
          break;
        }
        readAt(head, offset);
        const recordLength = head.readUInt32LE(0);
        if (offset + headerBytes + recordLength > size || recordLength > this._maxBytes) {
          torn = true;
          break;
        }
        const body = Buffer.alloc(recordLength);
        readAt(body, offset + headerBytes);
        if (crc32(body) !== head.readUInt32LE(4)) {
          torn = true;
          break;
        }
        offset += headerBytes + recordLength;
      }
      return { end: offset, start, generation, torn };
    } finally {
      closeSync(fd);
    }
  }

  /** Stops watching and closes the file, synchronously. */
  override dispose(): void {
    this._watcher?.close();
    this._watcher = undefined;
    if (this._fd !== undefined) closeSync(this._fd);
    this._fd = undefined;
    super.dispose();
  }

  async close(): Promise<void> {
    this.dispose();
  }
}

function frame(payload: Buffer): Buffer {
  const record = Buffer.allocUnsafe(headerBytes + payload.length);
  record.writeUInt32LE(payload.length, 0);
  record.writeUInt32LE(crc32(payload), 4);
  payload.copy(record, headerBytes);
  return record;
}

/** Test hook: BATON_TEST_COMPACT_CRASH=<step> kills the process at that step of compaction. */
async function crashPoint(step: string): Promise<void> {
  if (process.env.BATON_TEST_COMPACT_CRASH === step) process.kill(process.pid, 'SIGKILL');
}

export async function openLog<E>(options: LogOptions): Promise<EventLog<E>> {
  if (!options.name) throw new InvalidArgumentError('openLog: name is required');
  const log = new EventLog<E>(options);
  await log.open();
  return log;
}
