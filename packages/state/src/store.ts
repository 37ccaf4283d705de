import { randomUUID } from 'node:crypto';
import { watch, type FSWatcher, readFileSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  Disposable,
  Emitter,
  InvalidArgumentError,
  ensureSecureDirectory,
  isAtomicWriteTempFile,
  lockFile,
  noopLogger,
  onAbort,
  toFileName,
  writeFileAtomic,
  NotDurableError,
  type Event,
  type Logger,
} from '@baton/base';
import { checksumOf, decodeEnvelope, encodeEnvelope, type Envelope, type Recovery, type Schema } from './envelope.js';
import { ConflictError, CorruptStateError, InvalidStateError, StateTooLargeError } from './errors.js';

/** How a store sees other processes' writes: the directory watch (with a poll behind it), or polling alone. */
export type WatchMode = 'auto' | 'poll' | false;

/** Test-only fault points: `afterRemoteRead` runs between reading the file and judging what was read. */
export const storeFaultPoints: { afterRemoteRead?: () => Promise<void> } = {};

/** Options of `openStore`. */
export interface StoreOptions<T> {
  /** Coordination directory (0700; created if missing). */
  dir: string;
  /** The store's name: the file is `<dir>/<name>.state.json`. */
  name: string;
  /** The value before anything was ever written. */
  initial: T;
  /** Validates every value read and written (anything with zod's `safeParse`). */
  schema?: Schema<T>;
  /** Largest serialized value accepted (default 1 MiB). */
  maxBytes?: number;
  /**
   * How changes by other processes are noticed: 'auto' (default) watches the directory, with a
   * slow poll as a safety net; 'poll' polls every pollMs; false only on refresh()/notifyChanged().
   */
  watch?: WatchMode;
  /** Poll period: default 5000 ms with 'auto' (safety net), 1000 ms with 'poll'. */
  pollMs?: number;
  /** Tries for the write lock before ECONFLICT (default 2000, about 15 s of waiting). */
  lockAttempts?: number;
  /**
   * When the file cannot be read and nothing else holds its value (no good `.bak`, nothing in
   * memory), or holds data this process cannot accept (another format, over maxBytes, failing the
   * schema): 'error' (default) fails `openStore` and every write with ECORRUPT and overwrites
   * nothing; 'reset' moves the unreadable files aside and starts again from `initial`, at a
   * version above every one seen, reported as a recovery.
   */
  ifUnreadable?: 'error' | 'reset';
  /** This writer's id in the envelope (default a random UUID). */
  id?: string;
  logger?: Logger;
  /** Closes the store when aborted. */
  signal?: AbortSignal;
}

/** A change of a store's value: the version, the value, and whether this process wrote it. */
export interface ChangeEvent<T> {
  readonly value: T;
  readonly version: number;
  readonly previousVersion: number;
  readonly writer: { id: string; pid: number };
  /** 'local': written by this store; 'remote': by another process (or another store object). */
  readonly origin: 'local' | 'remote';
  /** Set when this version was written by a recovery (also fired on onDidRecover). */
  readonly recovery?: Recovery;
}

/** An error a store met in the background (a file it could not read), and the file. */
export interface StoreErrorEvent {
  readonly error: Error;
  readonly file: string;
}

/** What a write returns: the value and the version written. */
export interface WriteResult<T> {
  /** The value written at `version`, exactly as on disk (with the later operations of the same write). */
  readonly value: T;
  readonly version: number;
}

/** Options of a write: the write-lock tries, and a cancelling signal. */
export interface WriteOptions {
  /** Write-lock tries before ECONFLICT (default: the store's lockAttempts). */
  retries?: number;
  /** Cancels the operation if it has not been written yet. */
  signal?: AbortSignal;
}

type Op<T> = {
  readonly apply: (current: T) => T;
  readonly options: WriteOptions;
  /** A repair: writes only when the file needs recovering, and changes nothing itself. */
  readonly repairOnly?: boolean;
  resolve(result: WriteResult<T>): void;
  reject(error: unknown): void;
};

interface Good<T> {
  version: number;
  value: T;
  writer: { id: string; pid: number };
  checksum: string;
  recovery?: Recovery;
}

/** One state file as read: a verified envelope, missing, damaged bytes, or intact data this process cannot accept. */
type FileRead<T> =
  | { kind: 'ok'; envelope: Envelope<T> }
  | { kind: 'missing' }
  | { kind: 'damaged'; error: CorruptStateError; version?: number }
  | { kind: 'foreign'; error: CorruptStateError };

/** What a write starts from, at which version, and whether it is a recovery; or why it cannot. */
type Plan<T> =
  | { base: Pick<Good<T>, 'value' | 'version'>; version: number; recovery?: Omit<Recovery, 'version' | 'writer' | 'movedAside'>; moveAside: string[] }
  | { error: CorruptStateError };

/** Damaged bytes are repaired from a copy; other failures are intact data that must not be overwritten. */
const damagedReasons = new Set<CorruptStateError['reason']>(['json', 'checksum', 'envelope']);

/**
 * Versioned state shared by the processes of one machine through one file. Writes are
 * compare-and-swap under a critical section that no dead process can hold, so no update is lost;
 * other processes see changes through a directory watch in milliseconds. Bad data on disk never
 * crashes the process and never replaces the last good value; versions never go back and are
 * never reused, and every recovery is recorded in the file and reported.
 */
export class Store<T> extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<ChangeEvent<T>>());
  readonly onDidChange: Event<ChangeEvent<T>> = this._onDidChange.event;
  private readonly _onDidError = this._register(new Emitter<StoreErrorEvent>());
  /** Bad data seen on disk (corrupt, failing checksum or schema, too large); the last good value stays. */
  readonly onDidError: Event<StoreErrorEvent> = this._onDidError.event;
  private readonly _onDidRecover = this._register(new Emitter<Recovery>());
  /**
   * A recovery, by this process or another, after open (one found at open is in `recovery`):
   * the file was damaged, deleted, or went back to an older version, and the best value left
   * was written under a new version.
   */
  readonly onDidRecover: Event<Recovery> = this._onDidRecover.event;

  readonly file: string;
  readonly id: string;
  private readonly _bak: string;
  private readonly _lockPath: string;
  private readonly _maxBytes: number;
  private readonly _logger: Logger;
  private _good: Good<T>;
  private _pending: Op<T>[] = [];
  private _draining: Promise<void> | undefined;
  private _refreshing: Promise<void> | undefined;
  private _refreshAgain = false;
  private _lastErrorKey: string | undefined;
  private _watcher: FSWatcher | undefined;
  private _poll: NodeJS.Timeout | undefined;
  private _closed = false;
  private _opened = false;

  constructor(private readonly _options: StoreOptions<T>) {
    super();
    const base = toFileName(_options.name, 'store name');
    this.file = join(_options.dir, `${base}.state.json`);
    this._bak = `${this.file}.bak`;
    this._lockPath = join(_options.dir, `${base}.state.lock`);
    this._maxBytes = _options.maxBytes ?? 1 << 20;
    this.id = _options.id ?? randomUUID();
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'state', name: _options.name });
    this._good = { version: 0, value: _options.initial, writer: { id: '', pid: 0 }, checksum: '' };
    if (_options.signal) this._register(onAbort(_options.signal, () => void this.close()));
  }

  /** The last good value this process has seen. */
  get(): T {
    return this._good.value;
  }

  get version(): number {
    return this._good.version;
  }

  /**
   * Set when the current version was written by a recovery (by this process at open, or by
   * another): check it after `openStore` to learn that the value is a recovered one.
   */
  get recovery(): Recovery | undefined {
    return this._good.recovery;
  }

  /**
   * Reads the file and starts watching. A damaged, deleted or regressed file is recovered first
   * (see `recovery`); an unreadable one rejects with ECORRUPT unless `ifUnreadable` is 'reset'.
   */
  async open(): Promise<void> {
    await ensureSecureDirectory(this._options.dir);
    const main = this._read(this.file);
    const plan = this._plan(main, this._read(this._bak));
    if ('error' in plan || plan.recovery) {
      if (main.kind === 'damaged' || main.kind === 'foreign') this._report(main.error);
      try {
        await this._repair();
      } catch (err) {
        this.dispose();
        throw err;
      }
    } else {
      if (main.kind === 'ok') this._accept(main.envelope, 'remote');
      await this._sweepTempFiles();
    }
    this._opened = true;
    this._startWatching();
  }

  /**
   * Compare-and-swap: `updater` gets the current value (re-read under the lock) and returns the
   * next one, written as version + 1. It may run again if the write has to be retried, so it must
   * be pure. Resolves after the write is durable.
   */
  update(updater: (current: T) => T, options: WriteOptions = {}): Promise<WriteResult<T>> {
    return this._enqueue(updater, options);
  }

  /** Writes `value` (versioned and atomic). Sets queued together are written once, the latest winning. */
  set(value: T, options: WriteOptions = {}): Promise<WriteResult<T>> {
    return this._enqueue(() => value, options);
  }

  private _enqueue(apply: (current: T) => T, options: WriteOptions, repairOnly = false): Promise<WriteResult<T>> {
    if (this._closed) return Promise.reject(new InvalidArgumentError(`store '${this._options.name}' is closed`));
    return new Promise((resolve, reject) => {
      this._pending.push({ apply, options, repairOnly, resolve, reject });
      this._draining ??= this._drain();
    });
  }

  /** Takes the lock and recovers the file if it still needs it; a no-op when it does not. */
  private _repair(): Promise<WriteResult<T>> {
    return this._enqueue((value) => value, {}, true);
  }

  private async _drain(): Promise<void> {
    try {
      while (this._pending.length > 0) {
        const ops = this._pending;
        this._pending = [];
        await this._commit(ops);
      }
    } finally {
      this._draining = undefined;
    }
  }

  /** One critical section for every queued operation: read, apply in order, one durable write. */
  private async _commit(ops: Op<T>[]): Promise<void> {
    const attempts = Math.max(...ops.map((op) => op.options.retries ?? this._options.lockAttempts ?? 2000));
    let release: (() => void) | undefined;
    try {
      release = await lockFile(this._lockPath, { attempts });
    } catch (err) {
      for (const op of ops) op.reject(err);
      return;
    }
    if (!release) {
      const error = new ConflictError(`Could not get the write lock of store '${this._options.name}' after ${attempts} tries; another process keeps it (${this._lockPath})`);
      for (const op of ops) op.reject(error);
      return;
    }
    try {
      const main = this._read(this.file);
      const plan = this._plan(main, this._read(this._bak));
      if ('error' in plan) {
        this._report(plan.error);
        for (const op of ops) op.reject(plan.error);
        return;
      }
      let value = plan.base.value;
      let text: string | undefined;
      const accepted: Op<T>[] = [];
      for (const op of ops) {
        if (op.options.signal?.aborted) {
          op.reject(op.options.signal.reason);
          continue;
        }
        if (op.repairOnly) {
          accepted.push(op);
          continue;
        }
        let next: T;
        try {
          next = this._validate(op.apply(value));
        } catch (err) {
          op.reject(err);
          continue;
        }
        const nextText = JSON.stringify(next);
        if (nextText === undefined) {
          op.reject(new InvalidStateError(`store '${this._options.name}': the value is not JSON-serializable`));
          continue;
        }
        const bytes = Buffer.byteLength(nextText);
        if (bytes > this._maxBytes) {
          op.reject(new StateTooLargeError(`store '${this._options.name}': the value is ${bytes} bytes, over maxBytes (${this._maxBytes}); nothing was written`));
          continue;
        }
        value = next;
        text = nextText;
        accepted.push(op);
      }
      if (accepted.length === 0) return;
      if (text === undefined && !plan.recovery) {
        // Only repairs, and nothing to repair: the file is sound (another process fixed it first).
        if (main.kind === 'ok') this._accept(main.envelope, 'remote');
        for (const op of accepted) op.resolve({ value: this._good.value, version: this._good.version });
        return;
      }
      text ??= JSON.stringify(value);
      const version = plan.version;
      const writer = { id: this.id, pid: process.pid };
      const movedAside = this._moveAside(plan.moveAside);
      const recovery: Recovery | undefined = plan.recovery && { ...plan.recovery, version, writer, ...(movedAside ? { movedAside } : {}) };
      const data = encodeEnvelope(text, version, writer, recovery);
      try {
        await writeFileAtomic(this.file, data);
      } catch (err) {
        if (!(err instanceof NotDurableError)) {
          // Nothing was written: the main file and `.bak` are as they were.
          for (const op of accepted) op.reject(err);
          return;
        }
        // Written and visible to every reader, not known to be durable: the update happened, and reporting it as
        // failed would have the caller apply it again.
        this._logger.warn({ err, file: this.file, version }, 'wrote the state file, but could not make it durable (directory fsync failed)');
      }
      try {
        // Then the copy: whatever happens to the main file later (damaged, deleted, restored over), `.bak` holds
        // this version in another inode. Written after the main file, so that it never holds a version whose
        // write failed. It needs no fsync: after a power loss the durable main file is at least as new, and a torn
        // copy fails its checksum.
        await writeFileAtomic(this._bak, data, { fsync: false });
      } catch (err) {
        this._logger.warn({ err, file: this._bak, version }, 'could not write the .bak copy; the state file holds the new version');
      }
      if (recovery) await this._sweepTempFiles(true);
      release();
      release = undefined;
      if (recovery) this._logger.error({ recovery }, recoveryMessage(recovery));
      this._accept({ version, payload: value, writer, checksum: checksumOf(text), recovery }, 'local');
      for (const op of accepted) op.resolve({ value, version });
    } finally {
      release?.();
    }
  }

  /**
   * Decides what a write starts from. The next version is above every version seen: this
   * process's, the main file's, the `.bak` copy's (one behind after a writer died between the two
   * writes, or one ahead if an older version of this code wrote it) and any version a damaged file still shows. A damaged or deleted main file is
   * recovered from the newest of `.bak` and memory; a main file older than what was seen (restored
   * over, or a version reused) keeps its value under a new version; intact data this process
   * cannot accept, or nothing left to recover from, is an error unless the caller chose 'reset'.
   */
  private _plan(main: FileRead<T>, bak: FileRead<T>): Plan<T> {
    const versionOf = (read: FileRead<T>) => (read.kind === 'ok' ? read.envelope.version : read.kind === 'damaged' ? (read.version ?? 0) : 0);
    const highestVersion = Math.max(this._good.version, versionOf(main), versionOf(bak));
    const version = highestVersion + 1;
    if (main.kind === 'ok') {
      const file = main.envelope;
      const base = { value: file.payload, version: file.version };
      const regressed = this._isBehind(file) || (bak.kind === 'ok' && bak.envelope.version > file.version + 1);
      if (!regressed) return { base, version, moveAside: [] };
      return { base, version, recovery: { reason: 'restored', source: 'file', fromVersion: file.version, highestVersion }, moveAside: [] };
    }
    if (main.kind === 'missing' && bak.kind === 'missing' && this._good.version === 0) {
      return { base: { value: structuredClone(this._options.initial), version: 0 }, version, moveAside: [] };
    }
    const unreadable = (error: CorruptStateError): Plan<T> => {
      if (this._options.ifUnreadable !== 'reset') return { error };
      const moveAside = [...(main.kind === 'missing' ? [] : [this.file]), ...(bak.kind === 'ok' || bak.kind === 'missing' ? [] : [this._bak])];
      return { base: { value: structuredClone(this._options.initial), version: 0 }, version, recovery: { reason: 'reset', source: 'initial', fromVersion: 0, highestVersion }, moveAside };
    };
    if (main.kind === 'foreign') return unreadable(main.error);
    const fromBackup = bak.kind === 'ok' && bak.envelope.version >= this._good.version;
    const reason = main.kind === 'damaged' ? 'corrupt' : 'missing';
    const moveAside = main.kind === 'damaged' ? [this.file] : [];
    if (fromBackup) {
      const base = { value: bak.envelope.payload, version: bak.envelope.version };
      return { base, version, recovery: { reason, source: 'backup', fromVersion: base.version, highestVersion }, moveAside };
    }
    if (this._good.version > 0) {
      const base = { value: structuredClone(this._good.value), version: this._good.version };
      return { base, version, recovery: { reason, source: 'memory', fromVersion: base.version, highestVersion }, moveAside };
    }
    const why = bak.kind === 'missing' ? 'there is no .bak copy' : bak.kind === 'ok' ? 'nothing newer is known' : `the .bak copy is unreadable too (${bak.error.message})`;
    const error =
      main.kind === 'damaged'
        ? new CorruptStateError(main.error.reason, `${main.error.message}; ${why}, so there is nothing to recover from. Nothing was overwritten; open with ifUnreadable: 'reset' to start again from initial`, { cause: main.error })
        : new CorruptStateError('missing', `${this.file} is missing and ${why}. Nothing was overwritten; open with ifUnreadable: 'reset' to start again from initial`);
    return unreadable(error);
  }

  /**
   * Whether a valid file went back: below the version this process has seen, or at that version
   * with other content (a version reused after the files were replaced).
   */
  private _isBehind(file: Envelope<T>): boolean {
    const seen = this._good;
    return file.version < seen.version || (file.version === seen.version && file.version > 0 && file.checksum !== seen.checksum);
  }

  /** Renames damaged files to `<file>.corrupt-<time>` (kept for inspection); returns the main file's new name. */
  private _moveAside(files: string[]): string | undefined {
    let mainMovedTo: string | undefined;
    for (const file of files) {
      const aside = `${file}.corrupt-${Date.now()}`;
      try {
        renameSync(file, aside);
        if (file === this.file) mainMovedTo = aside;
      } catch {
        // Gone meanwhile.
      }
    }
    return mainMovedTo;
  }

  /**
   * Removes temp files of writers killed mid-write. Every write of this store's files happens
   * under its lock, so while this process holds it no temp file is in use. Without the lock
   * (`locked` false) it tries the lock once and skips the sweep if another process has it.
   */
  private async _sweepTempFiles(locked = false): Promise<void> {
    const prefix = `.${basename(this.file)}.`;
    // Earlier versions made `<name>.state.json.bak.<pid>.tmp` while keeping the backup.
    const legacyPrefix = `${basename(this._bak)}.`;
    const isLegacy = (name: string) => name.startsWith(legacyPrefix) && /^\d+\.tmp$/.test(name.slice(legacyPrefix.length));
    let names: string[];
    try {
      names = readdirSync(this._options.dir).filter((name) => (name.startsWith(prefix) && isAtomicWriteTempFile(name)) || isLegacy(name));
    } catch {
      return;
    }
    if (names.length === 0) return;
    const release = locked ? undefined : await lockFile(this._lockPath, { attempts: 1 });
    if (!locked && !release) return;
    try {
      let removed = 0;
      for (const name of names) {
        try {
          unlinkSync(join(this._options.dir, name));
          removed++;
        } catch {
          // Gone meanwhile.
        }
      }
      if (removed > 0) this._logger.info({ removed }, 'removed temp files left by writers that died mid-write');
    } finally {
      release?.();
    }
  }

  /**
   * @internal For EventLog.compact: the payload text a write of `value` would store (validated
   * and size-checked as a write is), so its checksum can be recorded before the write.
   */
  payloadText(value: T): string {
    const text = JSON.stringify(this._validate(value));
    if (text === undefined) throw new InvalidStateError(`store '${this._options.name}': the value is not JSON-serializable`);
    return text;
  }

  private _validate(value: T): T {
    const schema = this._options.schema;
    if (!schema) return value;
    const result = schema.safeParse(value);
    if (!result.success) throw new InvalidStateError(`store '${this._options.name}': the value does not match the schema: ${result.error.message}; nothing was written`);
    return result.data;
  }

  /** Reads and verifies a state file. */
  private _read(file: string): FileRead<T> {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      return { kind: 'foreign', error: new CorruptStateError('envelope', `cannot read ${file}: ${(err as Error).message}`, { cause: err }) };
    }
    return this._decode(data, file);
  }

  private _decode(data: Buffer, file: string): FileRead<T> {
    try {
      return { kind: 'ok', envelope: decodeEnvelope(data, file, this._maxBytes, this._options.schema) };
    } catch (err) {
      const error = err as CorruptStateError;
      if (!damagedReasons.has(error.reason)) return { kind: 'foreign', error };
      // Keep any version the damaged file still shows: the next write must go past it, or
      // processes that saw it would take the new version for an old one.
      const match = /"version":\s*(\d{1,15})/.exec(data.subarray(0, 4096).toString('utf8'));
      return { kind: 'damaged', error, version: match ? Number(match[1]) : undefined };
    }
  }

  private _accept(envelope: Pick<Envelope<T>, 'version' | 'payload' | 'writer' | 'checksum' | 'recovery'>, origin: 'local' | 'remote'): void {
    if (envelope.version <= this._good.version) return;
    const previousVersion = this._good.version;
    const { version, payload: value, writer, checksum, recovery } = envelope;
    this._good = { version, value, writer, checksum, ...(recovery ? { recovery } : {}) };
    this._lastErrorKey = undefined;
    const from = writer.id === this.id ? 'local' : origin;
    if (recovery && writer.id !== this.id) this._logger.error({ recovery }, recoveryMessage(recovery));
    this._onDidChange.fire({ value, version, previousVersion, writer, origin: from, ...(recovery ? { recovery } : {}) });
    // One found at open is in `recovery`; later ones are events.
    if (recovery && this._opened) this._onDidRecover.fire(recovery);
  }

  private _report(error: CorruptStateError): void {
    // The same bad file is reported once, not on every poll.
    const key = `${error.reason}:${error.message}`;
    if (key === this._lastErrorKey) return;
    this._lastErrorKey = key;
    this._logger.error({ err: error }, 'bad state file; keeping the last good value');
    this._onDidError.fire({ error, file: this.file });
  }

  /** Reads the file now, emits a change if its version is newer, and repairs it if it needs it. */
  refresh(): Promise<void> {
    if (this._refreshing) {
      this._refreshAgain = true;
      return this._refreshing;
    }
    this._refreshing = (async () => {
      try {
        do {
          this._refreshAgain = false;
          await this._readRemote();
        } while (this._refreshAgain && !this._closed);
      } finally {
        this._refreshing = undefined;
      }
    })();
    return this._refreshing;
  }

  /**
   * The hook for change notifications from elsewhere (for example a leader publishing `{ version }`
   * over IPC): reads the file if `version` is newer than what this store has, or when not given.
   */
  notifyChanged(version?: number): void {
    if (version !== undefined && version <= this._good.version) return;
    void this.refresh();
  }

  private async _readRemote(): Promise<void> {
    // A write by this process can complete while the file is being read (writes and reads are not
    // serialized): the read may then return the version before it, which is not the file going back.
    const seenBefore = this._good;
    let read: FileRead<T>;
    try {
      // Read at once, on this thread: a state file is at most maxBytes (1 MiB by default; a larger
      // one is refused once read), and through the thread pool each of open, stat, read and close
      // waits behind the pool's other work, which on a busy machine put milliseconds between a
      // push (or the watch's event) and onDidChange.
      const data = readFileSync(this.file);
      await storeFaultPoints.afterRemoteRead?.();
      read = this._decode(data, this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this._logger.debug({ err }, 'could not read the state file');
        return;
      }
      read = { kind: 'missing' };
    }
    if (this._good !== seenBefore && (read.kind !== 'ok' || read.envelope.version <= this._good.version)) return;
    let needsRepair: boolean;
    if (read.kind === 'ok') {
      const file = read.envelope;
      needsRepair = this._isBehind(file);
      if (!needsRepair) this._accept(file, 'remote');
      else this._logger.error({ file: this.file, version: file.version, seen: this._good.version }, 'the state file went back to an older version; writing it anew above every version seen');
    } else if (read.kind === 'missing') {
      needsRepair = this._good.version > 0;
    } else {
      this._report(read.error);
      needsRepair = read.kind === 'damaged';
    }
    if (!needsRepair || this._closed) return;
    try {
      await this._repair();
    } catch (err) {
      if (err instanceof CorruptStateError) this._report(err);
      else if (!this._closed) this._logger.warn({ err }, 'could not repair the state file');
    }
  }

  private _startWatching(): void {
    const mode = this._options.watch ?? 'auto';
    if (mode === false) return;
    const pollMs = this._options.pollMs ?? (mode === 'poll' ? 1000 : 5000);
    this._poll = setInterval(() => void this.refresh(), pollMs);
    this._poll.unref();
    if (mode !== 'auto') return;
    const name = this.file.slice(this._options.dir.length + 1);
    try {
      // The directory, not the file: an atomic write replaces the file's inode with every version.
      this._watcher = watch(this._options.dir, { persistent: false }, (_event, filename) => {
        if (filename === null || filename === name) void this.refresh();
      });
      this._watcher.on('error', (err) => {
        this._logger.warn({ err }, 'directory watch failed; polling only');
        this._watcher?.close();
        this._watcher = undefined;
      });
    } catch (err) {
      this._logger.warn({ err }, 'cannot watch the directory; polling only');
    }
  }

  /**
   * Stops watching and polling and refuses new writes, synchronously; writes already queued still
   * complete (their promises settle). For `context.subscriptions` and other dispose() owners.
   */
  override dispose(): void {
    if (this._closed) return;
    this._closed = true;
    this._watcher?.close();
    if (this._poll) clearInterval(this._poll);
    super.dispose();
  }

  /** Waits for queued writes, then dispose(), then waits for a refresh in flight. */
  async close(): Promise<void> {
    if (this._closed) return;
    await this._draining;
    this.dispose();
    await this._refreshing;
  }
}

/** Opens a store: reads its file (or writes the initial value) and starts watching it. */
export async function openStore<T>(options: StoreOptions<T>): Promise<Store<T>> {
  const store = new Store(options);
  await store.open();
  return store;
}

function recoveryMessage(recovery: Recovery): string {
  const lost = recovery.highestVersion > recovery.fromVersion ? `; versions ${recovery.fromVersion + 1} to ${recovery.highestVersion} are lost` : '';
  return `state recovered (${recovery.reason}): the value of version ${recovery.fromVersion} from ${recovery.source} is now version ${recovery.version}${lost}`;
}
