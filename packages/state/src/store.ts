import { randomUUID } from 'node:crypto';
import { watch, type FSWatcher, linkSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Disposable,
  Emitter,
  InvalidArgumentError,
  ensureSecureDirectory,
  lockFile,
  noopLogger,
  onAbort,
  toFileName,
  writeFileAtomic,
  type Event,
  type Logger,
} from '@baton/base';
import { decodeEnvelope, encodeEnvelope, type Envelope, type Schema } from './envelope.js';
import { ConflictError, CorruptStateError, InvalidStateError, StateTooLargeError } from './errors.js';

export type WatchMode = 'auto' | 'poll' | false;

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
  /** This writer's id in the envelope (default a random UUID). */
  id?: string;
  logger?: Logger;
  /** Closes the store when aborted. */
  signal?: AbortSignal;
}

export interface ChangeEvent<T> {
  readonly value: T;
  readonly version: number;
  readonly previousVersion: number;
  readonly writer: { id: string; pid: number };
  /** 'local': written by this store; 'remote': by another process (or another store object). */
  readonly origin: 'local' | 'remote';
}

export interface StoreErrorEvent {
  readonly error: Error;
  readonly file: string;
}

export interface WriteResult<T> {
  readonly value: T;
  readonly version: number;
}

export interface WriteOptions {
  /** Write-lock tries before ECONFLICT (default: the store's lockAttempts). */
  retries?: number;
  /** Cancels the operation if it has not been written yet. */
  signal?: AbortSignal;
}

type Op<T> = {
  readonly apply: (current: T) => T;
  readonly options: WriteOptions;
  resolve(result: WriteResult<T>): void;
  reject(error: unknown): void;
};

interface Good<T> {
  version: number;
  value: T;
  writer: { id: string; pid: number };
}

/**
 * Versioned state shared by the processes of one machine through one file. Writes are
 * compare-and-swap under a critical section that no dead process can hold, so no update is lost;
 * other processes see changes through a directory watch in milliseconds. Bad data on disk never
 * crashes the process and never replaces the last good value.
 */
export class Store<T> extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<ChangeEvent<T>>());
  readonly onDidChange: Event<ChangeEvent<T>> = this._onDidChange.event;
  private readonly _onDidError = this._register(new Emitter<StoreErrorEvent>());
  /** Bad data seen on disk (corrupt, failing checksum or schema, too large); the last good value stays. */
  readonly onDidError: Event<StoreErrorEvent> = this._onDidError.event;

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

  constructor(private readonly _options: StoreOptions<T>) {
    super();
    const base = toFileName(_options.name, 'store name');
    this.file = join(_options.dir, `${base}.state.json`);
    this._bak = `${this.file}.bak`;
    this._lockPath = join(_options.dir, `${base}.state.lock`);
    this._maxBytes = _options.maxBytes ?? 1 << 20;
    this.id = _options.id ?? randomUUID();
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'state', name: _options.name });
    this._good = { version: 0, value: _options.initial, writer: { id: '', pid: 0 } };
    if (_options.signal) this._register(onAbort(_options.signal, () => void this.close()));
  }

  /** The last good value this process has seen. */
  get(): T {
    return this._good.value;
  }

  get version(): number {
    return this._good.version;
  }

  /** Reads the file, recovering from `.bak` when it is bad, and starts watching. */
  async open(): Promise<void> {
    await ensureSecureDirectory(this._options.dir);
    const current = this._tryRead(this.file);
    if ('envelope' in current) this._accept(current.envelope, 'remote');
    else if (current.error) {
      this._report(current.error);
      const backup = this._tryRead(this._bak);
      if ('envelope' in backup) {
        this._logger.warn({ version: backup.envelope.version }, 'state file is bad; recovering the last good version from .bak');
        this._accept(backup.envelope, 'remote');
        await this._enqueue((value) => value, {});
      }
    }
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

  private _enqueue(apply: (current: T) => T, options: WriteOptions): Promise<WriteResult<T>> {
    if (this._closed) return Promise.reject(new InvalidArgumentError(`store '${this._options.name}' is closed`));
    return new Promise((resolve, reject) => {
      this._pending.push({ apply, options, resolve, reject });
      this._draining ??= this._drain();
    });
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
      const current = this._tryRead(this.file);
      let base: Good<T>;
      if ('envelope' in current) base = { version: current.envelope.version, value: current.envelope.payload, writer: current.envelope.writer };
      else {
        // Missing or bad: start from the last good value known (never from the bad bytes), and
        // keep the bad file for inspection.
        base = { ...this._good, value: structuredClone(this._good.value) };
        const backup = this._tryRead(this._bak);
        if ('envelope' in backup && backup.envelope.version > base.version) {
          base = { version: backup.envelope.version, value: backup.envelope.payload, writer: backup.envelope.writer };
        }
        base.version = Math.max(base.version, current.version ?? 0);
        if (current.error) {
          this._report(current.error);
          const aside = `${this.file}.corrupt-${Date.now()}`;
          try {
            renameSync(this.file, aside);
            this._logger.warn({ movedTo: aside }, 'moved the bad state file aside');
          } catch {
            // Gone meanwhile.
          }
        }
      }
      let value = base.value;
      let text: string | undefined;
      const accepted: { op: Op<T>; value: T }[] = [];
      for (const op of ops) {
        if (op.options.signal?.aborted) {
          op.reject(op.options.signal.reason);
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
        const bytes = Buffer.byteLength(nextText ?? '');
        if (nextText === undefined) {
          op.reject(new InvalidStateError(`store '${this._options.name}': the value is not JSON-serializable`));
          continue;
        }
        if (bytes > this._maxBytes) {
          op.reject(new StateTooLargeError(`store '${this._options.name}': the value is ${bytes} bytes, over maxBytes (${this._maxBytes}); nothing was written`));
          continue;
        }
        value = next;
        text = nextText;
        accepted.push({ op, value: next });
      }
      if (accepted.length === 0 || text === undefined) return;
      const version = base.version + 1;
      const writer = { id: this.id, pid: process.pid };
      if ('envelope' in current) this._keepBackup();
      try {
        await writeFileAtomic(this.file, encodeEnvelope(text, version, writer));
      } catch (err) {
        for (const { op } of accepted) op.reject(err);
        return;
      }
      release();
      release = undefined;
      this._accept({ version, payload: value, writer }, 'local');
      for (const { op, value: result } of accepted) op.resolve({ value: result, version });
    } finally {
      release?.();
    }
  }

  private _validate(value: T): T {
    const schema = this._options.schema;
    if (!schema) return value;
    const result = schema.safeParse(value);
    if (!result.success) throw new InvalidStateError(`store '${this._options.name}': the value does not match the schema: ${result.error.message}; nothing was written`);
    return result.data;
  }

  /** The current file becomes `.bak` (a hard link: no copy) before it is replaced. */
  private _keepBackup(): void {
    const temp = `${this._bak}.${process.pid}.tmp`;
    try {
      linkSync(this.file, temp);
      renameSync(temp, this._bak);
    } catch (err) {
      try {
        unlinkSync(temp);
      } catch {
        // Not created.
      }
      this._logger.debug({ err }, 'could not keep a .bak of the state file');
    }
  }

  /** Reads and verifies a state file: its envelope, a decode error, or neither when the file is missing. */
  private _tryRead(file: string): { envelope: Envelope<T> } | { error?: CorruptStateError; version?: number } {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { error: new CorruptStateError('envelope', `cannot read ${file}: ${(err as Error).message}`, { cause: err }) };
    }
    try {
      return { envelope: decodeEnvelope(data, file, this._maxBytes, this._options.schema) };
    } catch (err) {
      // Keep any version the bad file still shows: the next write must go past it, or processes
      // that saw it would take the new version for an old one.
      const match = /"version":\s*(\d{1,15})/.exec(data.subarray(0, 4096).toString('utf8'));
      return { error: err as CorruptStateError, version: match ? Number(match[1]) : undefined };
    }
  }

  private _accept(envelope: Pick<Envelope<T>, 'version' | 'payload' | 'writer'>, origin: 'local' | 'remote'): void {
    if (envelope.version <= this._good.version) return;
    const previousVersion = this._good.version;
    this._good = { version: envelope.version, value: envelope.payload, writer: envelope.writer };
    this._lastErrorKey = undefined;
    const from = envelope.writer.id === this.id ? 'local' : origin;
    this._onDidChange.fire({ value: envelope.payload, version: envelope.version, previousVersion, writer: envelope.writer, origin: from });
  }

  private _report(error: CorruptStateError): void {
    // The same bad file is reported once, not on every poll.
    const key = `${error.reason}:${error.message}`;
    if (key === this._lastErrorKey) return;
    this._lastErrorKey = key;
    this._logger.error({ err: error }, 'bad state file; keeping the last good value');
    this._onDidError.fire({ error, file: this.file });
  }

  /** Reads the file now and emits a change if its version is newer. */
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
    let data: Buffer;
    try {
      data = await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this._logger.debug({ err }, 'could not read the state file');
      return;
    }
    try {
      this._accept(decodeEnvelope(data, this.file, this._maxBytes, this._options.schema), 'remote');
    } catch (err) {
      this._report(err as CorruptStateError);
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

export async function openStore<T>(options: StoreOptions<T>): Promise<Store<T>> {
  const store = new Store(options);
  await store.open();
  return store;
}
