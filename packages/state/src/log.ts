import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, readFileSync, statSync, unlinkSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  BatonError,
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
import { checksumOf, decodeEnvelope } from './envelope.js';
import { ConflictError, CorruptStateError, StateTooLargeError } from './errors.js';
import type { Store } from './store.js';

/** Options of `openLog`. */
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

/** A record of the log: its event, where it starts, and where the next one starts. */
export interface LogRecord<E> {
  /** Where the record starts. */
  readonly offset: number;
  /** Where the next record starts (pass it as fromOffset to continue). */
  readonly next: number;
  readonly event: E;
}

/** What `compact` did: the records folded into the snapshot, and the new generation. */
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
  /** Bytes after `end` that are not a whole record: a torn tail. */
  torn: boolean;
  /** Bytes between records that are not records (left by a short write), skipped by readers. */
  skipped: { from: number; to: number }[];
  /** The whole records from where the walk began. */
  records: { offset: number; next: number; payload: Buffer }[];
}

/** What a compaction records before it writes the snapshot. */
interface Marker {
  generation: number;
  /** Offset after the last record folded. */
  end: number;
  /** The snapshot store's file and the checksum of the payload the compaction writes to it. */
  snapshotFile: string;
  checksum: string;
}

/** Test-only fault points: `shortWrites` makes the next appends write only that many bytes first. */
export const faultPoints: { shortWrites: number[] } = { shortWrites: [] };

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

  /** Opens the log (made if missing), repairing a torn last record. */
  async open(): Promise<void> {
    await ensureSecureDirectory(this._options.dir);
    await this._exclusive(async () => {
      const scan = this._scan();
      if (!scan) {
        await this._writeGeneration(1, []);
      } else {
        if (scan.torn) {
          const fd = openSync(this.file, 'r+');
          try {
            const size = fstatSync(fd).size;
            ftruncateSync(fd, scan.end);
            this._logger.warn({ at: scan.end, cutBytes: size - scan.end }, 'cut off a torn record at the end of the log (a writer crashed mid-append)');
          } finally {
            closeSync(fd);
          }
        }
        for (const gap of scan.skipped) this._logger.warn(gap, 'bytes between records that are no record (a short write); readers skip them');
      }
      await this._finishInterrupted(false);
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
    const scan = this._scan()!;
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
      this._appendRecord(record);
      if (this._options.durable) await new Promise<void>((resolve, reject) => fdatasync(this._fd!, (err) => (err ? reject(err) : resolve())));
    } finally {
      release();
    }
    this._checkGrowth();
  }

  /**
   * One record in one write. A short write (a full disk, an interrupted call) leaves part of a
   * record in the file, and another appender may already have written after it, so the rest
   * cannot simply follow: the whole record is written again, and readers skip the fragment.
   */
  private _appendRecord(record: Buffer): void {
    for (let attempt = 1; ; attempt++) {
      const short = faultPoints.shortWrites.shift();
      const written = writeSync(this._fd!, short === undefined ? record : record.subarray(0, short));
      if (written === record.length) return;
      this._logger.warn({ written, bytes: record.length, attempt }, 'short write to the log; writing the record again');
      if (attempt >= 3) {
        throw new BatonError('EWRITEFAILED', `log '${this._options.name}': ${attempt} short writes of one ${record.length}-byte record to ${this.file}; the disk may be full`, { data: { path: this.file } });
      }
    }
  }

  /** Reads whole records from `fromOffset` (default: the first of this generation) to the current end. */
  async *read(options: { fromOffset?: number } = {}): AsyncGenerator<LogRecord<E>> {
    const data = await readFileIfExists(this.file);
    if (!data) return;
    // The generation record's end comes from the file itself (another process may have compacted
    // since this one last looked).
    for (const { offset, next, payload } of parseLog(data, this.file, this._maxBytes, options.fromOffset).records) {
      yield { offset, next, event: eventOf<E>(payload) };
    }
  }

  /**
   * Folds every record into `snapshot` with `reduce` and starts a new, empty generation of the
   * log. The snapshot store must be written only by compaction. Steps, each safe to crash after:
   * a marker records the checksum of the snapshot value about to be written; the snapshot is
   * written (one atomic write); the log is replaced by an empty new generation (one rename); the
   * marker is removed. The next open() or compact() finishes the compaction if the snapshot file
   * holds that value, and rolls it back if not, so no record is lost or counted twice.
   */
  async compact<S>(reduce: (state: S, event: E) => S, snapshot: Store<S>): Promise<CompactResult> {
    let folded = 0;
    await this._exclusive(async () => {
      // From the file, not this object's cache: another process may have compacted since (and a
      // damaged snapshot file is repaired first).
      await snapshot.refresh();
      await this._finishInterrupted(true);
      const scan = this._scan();
      if (!scan || scan.records.length === 0) return;
      const { generation, end } = scan;
      const next = scan.records.map(({ payload }) => eventOf<E>(payload)).reduce(reduce, structuredClone(snapshot.get()));
      const marker: Marker = { generation, end, snapshotFile: snapshot.file, checksum: checksumOf(snapshot.payloadText(next)) };
      await writeFileAtomic(this._markerPath, JSON.stringify(marker));
      await crashPoint('after-marker');
      await snapshot.set(next);
      await crashPoint('after-snapshot');
      // Appends wait for the exclusive lock this holds: nothing was appended after `end`.
      await this._writeGeneration(generation + 1, []);
      await crashPoint('after-rotate');
      unlinkSync(this._markerPath);
      folded = scan.records.length;
    });
    this._reopen();
    return { folded, generation: this._generation };
  }

  /**
   * Finishes or rolls back a compaction a crash interrupted (under the exclusive lock): finished
   * when the snapshot file holds the value the marker names (the records up to `end` are in it),
   * rolled back otherwise. When the snapshot cannot be read there is no safe choice: the marker
   * stays for a later try, and `strict` (compact) throws.
   */
  private async _finishInterrupted(strict: boolean): Promise<void> {
    const data = await readFileIfExists(this._markerPath);
    if (!data) return;
    let marker: Marker;
    try {
      marker = JSON.parse(data.toString('utf8')) as Marker;
    } catch (err) {
      marker = {} as Marker;
      this._logger.debug({ err }, 'unparsable compaction marker');
    }
    const folded = typeof marker.snapshotFile === 'string' && typeof marker.checksum === 'string' ? snapshotHolds(marker) : undefined;
    if (folded === undefined) {
      const error = new CorruptStateError('record', `log ${this.file}: a compaction was interrupted and neither its marker (${this._markerPath}) nor its snapshot can tell whether it was written; the marker is kept`);
      this._logger.error({ err: error }, 'cannot finish an interrupted compaction');
      if (strict) throw error;
      return;
    }
    const scan = folded ? this._scan(marker.end) : undefined;
    if (scan && scan.generation === marker.generation) {
      // The snapshot has the records up to `end`: start the new generation with the records
      // appended after them (appends made after the crash).
      await this._writeGeneration(marker.generation + 1, scan.records.map(({ payload }) => eventOf<E>(payload)));
      this._logger.warn({ generation: marker.generation }, 'finished a compaction interrupted after the snapshot was written');
    } else if (!folded) {
      this._logger.warn({ generation: marker.generation }, 'rolled back a compaction interrupted before the snapshot was written');
    }
    unlinkSync(this._markerPath);
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

  /** Reads and parses the log file (records from `fromOffset`); undefined when it does not exist. */
  private _scan(fromOffset?: number): Scan | undefined {
    let data: Buffer;
    try {
      data = readFileSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return parseLog(data, this.file, this._maxBytes, fromOffset);
  }

  /** Stops watching and closes the file, synchronously. */
  override dispose(): void {
    this._watcher?.close();
    this._watcher = undefined;
    if (this._fd !== undefined) closeSync(this._fd);
    this._fd = undefined;
    super.dispose();
  }

  /** Closes the log, waiting for pending appends. */
  async close(): Promise<void> {
    this.dispose();
  }
}

/** A log file's bytes: its generation record, then its whole records from `fromOffset` (default: the first). */
function parseLog(data: Buffer, file: string, maxBytes: number, fromOffset?: number): Scan {
  if (data.length < headerBytes) throw new CorruptStateError('record', `log ${file} has no generation record`);
  const start = headerBytes + data.readUInt32LE(0);
  if (start > data.length || crc32(data.subarray(headerBytes, start)) !== data.readUInt32LE(4)) {
    throw new CorruptStateError('record', `log ${file}: the generation record fails its checksum`);
  }
  const { generation } = JSON.parse(data.subarray(headerBytes, start).toString('utf8')) as { generation: number };
  const walked = walk(data, Math.max(fromOffset ?? start, start), maxBytes);
  return { ...walked, start, generation, torn: walked.end < data.length };
}

function eventOf<E>(payload: Buffer): E {
  return JSON.parse(payload.toString('utf8')) as E;
}

/**
 * The whole records of a log's bytes from `from` on. Bytes that are not a record but are followed
 * by one (a fragment left by a short write) are skipped; `end` is where the last whole record
 * ends, so bytes after it are a torn tail (or an append still being written).
 */
function walk(data: Buffer, from: number, maxBytes: number): { records: { offset: number; next: number; payload: Buffer }[]; end: number; skipped: { from: number; to: number }[] } {
  const records: { offset: number; next: number; payload: Buffer }[] = [];
  const skipped: { from: number; to: number }[] = [];
  let offset = from;
  let end = from;
  while (offset + headerBytes <= data.length) {
    const next = recordEnd(data, offset, maxBytes);
    if (next !== undefined) {
      records.push({ offset, next, payload: data.subarray(offset + headerBytes, next) });
      offset = end = next;
      continue;
    }
    let resume = offset + 1;
    while (resume + headerBytes <= data.length && recordEnd(data, resume, maxBytes) === undefined) resume++;
    if (resume + headerBytes > data.length) break;
    skipped.push({ from: offset, to: resume });
    offset = resume;
  }
  return { records, end, skipped };
}

/** Where the record at `offset` ends, if a whole record with a matching CRC-32 starts there. */
function recordEnd(data: Buffer, offset: number, maxBytes: number): number | undefined {
  const length = data.readUInt32LE(offset);
  const next = offset + headerBytes + length;
  // Every record holds JSON, so at least one byte: eight zero bytes (a hole) are no record.
  if (length === 0 || length > maxBytes || next > data.length) return undefined;
  return crc32(data.subarray(offset + headerBytes, next)) === data.readUInt32LE(offset + 4) ? next : undefined;
}

/** Whether the snapshot file (or, when it is unreadable, its `.bak` copy) holds the value a marker names. */
function snapshotHolds(marker: Marker): boolean | undefined {
  let unreadable = false;
  for (const file of [marker.snapshotFile, `${marker.snapshotFile}.bak`]) {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') unreadable = true;
      continue;
    }
    unreadable = true;
    try {
      return decodeEnvelope(data, file, Number.MAX_SAFE_INTEGER, undefined).checksum === marker.checksum;
    } catch {
      continue;
    }
  }
  // Neither file exists: the snapshot was never written.
  return unreadable ? undefined : false;
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

/** Opens an append-only event log. */
export async function openLog<E>(options: LogOptions): Promise<EventLog<E>> {
  if (!options.name) throw new InvalidArgumentError('openLog: name is required');
  const log = new EventLog<E>(options);
  await log.open();
  return log;
}
