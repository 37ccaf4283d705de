import { randomUUID } from 'node:crypto';
import { Disposable, Emitter, InvalidArgumentError, noopLogger, onAbort, throwIfAborted, type Event, type Logger } from '@baton/base';
import {
  ConflictError,
  CorruptStateError,
  InvalidStateError,
  StateTooLargeError,
  decodeEnvelope,
  encodeEnvelope,
  type ChangeEvent,
  type Envelope,
  type Recovery,
  type Schema,
  type StoreErrorEvent,
  type WriteOptions,
  type WriteResult,
} from '@baton/state';
import type { Etcd3, IKeyValue } from 'etcd3';
import { keySegment, normalizePrefix, revisionOf } from './client.js';

export interface EtcdStoreOptions<T> {
  client: Etcd3;
  /** The store's name: the key is `<prefix>state/<name>`. */
  name: string;
  /** The value before anything was ever written. */
  initial: T;
  /** Validates every value read and written (anything with zod's `safeParse`). */
  schema?: Schema<T>;
  /** Largest serialized value accepted (default 1 MiB; etcd's own request limit is 1.5 MiB). */
  maxBytes?: number;
  /** Key prefix (default 'baton/'). */
  prefix?: string;
  /** Compare-and-swap attempts before ECONFLICT (default 1000). */
  retries?: number;
  /** This writer's id in the envelope (default a random UUID). */
  id?: string;
  logger?: Logger;
  /** Closes the store when aborted. */
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
  recovery?: Recovery;
}

/** What the key holds, as last read: its mod revision (0: missing) and a verified envelope or why not. */
type Read<T> = { modRevision: number; envelope?: Envelope<T>; error?: CorruptStateError; missing: boolean; raw?: Buffer };

/**
 * Versioned state kept in one etcd key, with the surface of `@baton/state`'s `Store`: the same
 * checksummed envelope, versions that only grow, change events (from an etcd watch, for writes
 * by any process on any machine). `update()` is compare-and-swap on the key's mod revision,
 * retried with the value etcd returns, so no update is lost; writes queued together go in one
 * transaction.
 */
export class EtcdStore<T> extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<ChangeEvent<T>>());
  readonly onDidChange: Event<ChangeEvent<T>> = this._onDidChange.event;
  private readonly _onDidError = this._register(new Emitter<StoreErrorEvent>());
  /** Bad data seen in etcd (corrupt, failing checksum or schema, too large); the last good value stays. */
  readonly onDidError: Event<StoreErrorEvent> = this._onDidError.event;
  private readonly _onDidRecover = this._register(new Emitter<Recovery>());
  /** A write that replaced a deleted or damaged value with the last good one, by any process. */
  readonly onDidRecover: Event<Recovery> = this._onDidRecover.event;

  /** The etcd key (shown where the file store shows its file). */
  readonly file: string;
  readonly id: string;
  private readonly _key: Buffer;
  private readonly _maxBytes: number;
  private readonly _logger: Logger;
  private _good: Good<T>;
  private _last: Read<T> = { modRevision: 0, missing: true };
  private _pending: Op<T>[] = [];
  private _draining: Promise<void> | undefined;
  private _watcher: Awaited<ReturnType<ReturnType<Etcd3['watch']>['create']>> | undefined;
  private _lastErrorKey: string | undefined;
  private _closed = false;

  constructor(private readonly _options: EtcdStoreOptions<T>) {
    super();
    if (!_options.client) throw new InvalidArgumentError('etcd store: client is required (createEtcdClient({ hosts }))');
    this.file = `${normalizePrefix(_options.prefix)}state/${keySegment(_options.name, 'store name')}`;
    this._key = Buffer.from(this.file);
    this._maxBytes = _options.maxBytes ?? 1 << 20;
    this.id = _options.id ?? randomUUID();
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'etcd', store: _options.name });
    this._good = { version: 0, value: _options.initial, writer: { id: '', pid: 0 } };
    if (_options.signal) this._register(onAbort(_options.signal, () => void this.close()));
  }

  get(): T {
    return this._good.value;
  }

  get version(): number {
    return this._good.version;
  }

  get recovery(): Recovery | undefined {
    return this._good.recovery;
  }

  /** Reads the key and starts watching it. Rejects with ECORRUPT if it holds data this store cannot accept. */
  async open(): Promise<void> {
    throwIfAborted(this._options.signal);
    const response = await this._options.client.kv.range({ key: this._key });
    const read = this._decode(response.kvs[0]);
    if (read.error) {
      this._report(read.error);
      throw read.error;
    }
    this._take(read, 'remote');
    const watcher = await this._options.client.watch().key(this._key).startRevision(String(revisionOf(response.header.revision) + 1)).create();
    if (this._closed) {
      void watcher.cancel().catch(() => {});
      return;
    }
    this._watcher = watcher;
    // This store's own writes come back too: known by their revision, not decoded again.
    watcher.on('put', (kv: IKeyValue) => {
      if (revisionOf(kv.mod_revision) > this._last.modRevision) this._take(this._decode(kv), 'remote');
    });
    watcher.on('delete', () => {
      this._take({ modRevision: 0, missing: true }, 'remote');
      if (this._good.version > 0) this._report(new CorruptStateError('missing', `etcd key ${this.file} was deleted; the next write restores version ${this._good.version}'s value under a new version`));
    });
    watcher.on('error', (err: Error) => this._logger.warn({ err }, 'etcd watch failed'));
  }

  /** Compare-and-swap: `updater` gets the current value and returns the next; it may run more than once, so it must be pure. */
  update(updater: (current: T) => T, options: WriteOptions = {}): Promise<WriteResult<T>> {
    return this._enqueue(updater, options);
  }

  /** Writes `value` as the next version. */
  set(value: T, options: WriteOptions = {}): Promise<WriteResult<T>> {
    return this._enqueue(() => value, options);
  }

  /** Reads the key now and emits a change if it is newer. */
  async refresh(): Promise<void> {
    const response = await this._options.client.kv.range({ key: this._key });
    this._take(this._decode(response.kvs[0]), 'remote');
  }

  /** Reads the key if `version` is newer than this store's (or when not given). */
  notifyChanged(version?: number): void {
    if (version !== undefined && version <= this._good.version) return;
    this.refresh().catch((err: unknown) => this._logger.debug({ err }, 'could not read the key'));
  }

  private _enqueue(apply: (current: T) => T, options: WriteOptions): Promise<WriteResult<T>> {
    if (this._closed) return Promise.reject(new InvalidArgumentError(`store '${this._options.name}' is closed`));
    return new Promise((resolve, reject) => {
      this._pending.push({ apply, options, resolve, reject });
      // Started on the next microtask, so that writes queued in the same turn share one transaction.
      this._draining ??= Promise.resolve().then(() => this._drain());
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

  /** One transaction for every queued operation, retried against what etcd returns until it applies. */
  private async _commit(ops: Op<T>[]): Promise<void> {
    const attempts = Math.max(...ops.map((op) => op.options.retries ?? this._options.retries ?? 1000));
    let current = this._last;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const live = ops.filter((op) => {
        if (!op.options.signal?.aborted) return true;
        op.reject(op.options.signal.reason);
        return false;
      });
      if (live.length === 0) return;
      if (current.error && current.error.reason !== 'json' && current.error.reason !== 'checksum' && current.error.reason !== 'envelope') {
        // Intact data this process cannot accept (another format, too large, failing the schema): never overwritten.
        for (const op of live) op.reject(current.error);
        return;
      }
      // Built on the last good value: the key's, or this process's memory when the key is gone or damaged.
      const base = current.envelope ? { value: current.envelope.payload, version: current.envelope.version } : this._good;
      const version = Math.max(base.version, this._good.version) + 1;
      let value = base.value;
      const applied: Op<T>[] = [];
      for (const op of live) {
        try {
          value = this._validate(op.apply(value));
          applied.push(op);
        } catch (err) {
          op.reject(err);
        }
      }
      if (applied.length === 0) return;
      const text = JSON.stringify(value);
      if (text === undefined || Buffer.byteLength(text) > this._maxBytes) {
        const error =
          text === undefined
            ? new InvalidStateError(`store '${this._options.name}': the value is not JSON-serializable; nothing was written`)
            : new StateTooLargeError(`store '${this._options.name}': the value is ${Buffer.byteLength(text)} bytes, over maxBytes ${this._maxBytes}; nothing was written`);
        for (const op of applied) op.reject(error);
        return;
      }
      const recovery: Omit<Recovery, 'version' | 'writer'> | undefined =
        current.envelope || this._good.version === 0
          ? undefined
          : { reason: current.missing ? 'missing' : 'corrupt', source: 'memory', fromVersion: this._good.version, highestVersion: this._good.version };
      const writer = { id: this.id, pid: process.pid };
      // Damaged bytes are kept beside the key, in the same transaction, not overwritten.
      const movedAside = current.raw ? `${this.file}.corrupt-${current.modRevision}` : undefined;
      const envelopeText = encodeEnvelope(text, version, writer, recovery ? { ...recovery, version, writer, ...(movedAside ? { movedAside } : {}) } : undefined);
      let response;
      try {
        response = await this._options.client.kv.txn({
          compare: [{ key: this._key, target: 'Mod', result: 'Equal', mod_revision: current.modRevision }],
          success: [
            { request_put: { key: this._key, value: Buffer.from(envelopeText) } },
            ...(movedAside ? [{ request_put: { key: Buffer.from(movedAside), value: current.raw } }] : []),
          ],
          failure: [{ request_range: { key: this._key } }],
        });
      } catch (err) {
        for (const op of applied) op.reject(err);
        return;
      }
      if (response.succeeded) {
        const modRevision = revisionOf(response.header.revision);
        const envelope = decodeEnvelope<T>(Buffer.from(envelopeText), this.file, this._maxBytes, undefined);
        this._take({ modRevision, envelope, missing: false }, 'local');
        for (const op of applied) op.resolve({ value, version });
        return;
      }
      current = this._decode(response.responses[0]?.response_range.kvs[0]);
      this._take(current, 'remote');
      // Lost to another writer: a short random pause, so that contenders stop colliding in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(8, 1 + attempt)));
    }
    const error = new ConflictError(`store '${this._options.name}': ${attempts} compare-and-swap attempts lost to other writers; nothing was written`);
    for (const op of ops) op.reject(error);
  }

  private _validate(value: T): T {
    const schema = this._options.schema;
    if (!schema) return value;
    const result = schema.safeParse(value);
    if (!result.success) throw new InvalidStateError(`store '${this._options.name}': the value does not match the schema: ${result.error.message}; nothing was written`);
    return result.data;
  }

  private _decode(kv: IKeyValue | undefined): Read<T> {
    if (!kv) return { modRevision: 0, missing: true };
    const modRevision = revisionOf(kv.mod_revision);
    try {
      return { modRevision, envelope: decodeEnvelope<T>(kv.value, `etcd key ${this.file}`, this._maxBytes, this._options.schema), missing: false };
    } catch (err) {
      return { modRevision, error: err as CorruptStateError, missing: false, raw: kv.value };
    }
  }

  /** Records what the key holds and emits a change when it is a newer version. */
  private _take(read: Read<T>, origin: 'local' | 'remote'): void {
    if (read.modRevision < this._last.modRevision && read.modRevision !== 0) return;
    this._last = read;
    if (read.error) {
      this._report(read.error);
      return;
    }
    const envelope = read.envelope;
    if (!envelope || envelope.version <= this._good.version) return;
    const previousVersion = this._good.version;
    const { version, payload: value, writer, recovery } = envelope;
    this._good = { version, value, writer, ...(recovery ? { recovery } : {}) };
    this._lastErrorKey = undefined;
    this._onDidChange.fire({ value, version, previousVersion, writer, origin: writer.id === this.id ? 'local' : origin, ...(recovery ? { recovery } : {}) });
    if (recovery) this._onDidRecover.fire(recovery);
  }

  private _report(error: CorruptStateError): void {
    const key = `${error.reason}:${error.message}`;
    if (key === this._lastErrorKey) return;
    this._lastErrorKey = key;
    this._logger.error({ err: error }, 'bad value in etcd; keeping the last good value');
    this._onDidError.fire({ error, file: this.file });
  }

  /** Stops watching and refuses new writes, synchronously; writes already queued still complete. */
  override dispose(): void {
    if (this._closed) return;
    this._closed = true;
    const watcher = this._watcher;
    this._watcher = undefined;
    void watcher?.cancel().catch(() => {});
    super.dispose();
  }

  /** Waits for queued writes, then dispose(). */
  async close(): Promise<void> {
    if (this._closed) return;
    await this._draining;
    this.dispose();
  }
}

export async function openEtcdStore<T>(options: EtcdStoreOptions<T>): Promise<EtcdStore<T>> {
  const store = new EtcdStore(options);
  try {
    await store.open();
  } catch (err) {
    store.dispose();
    throw err;
  }
  return store;
}
