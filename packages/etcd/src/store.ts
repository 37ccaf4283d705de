import { randomUUID } from 'node:crypto';
import { Disposable, Emitter, InvalidArgumentError, noopLogger, onAbort, retry, throwIfAborted, type Event, type Logger } from '@baton/base';
import {
  ConflictError,
  CorruptStateError,
  InvalidStateError,
  StateTooLargeError,
  decodeEnvelope,
  encodeEnvelopeWithValue,
  type ChangeEvent,
  type Envelope,
  type Recovery,
  type Schema,
  type StoreErrorEvent,
  type WriteOptions,
  type WriteResult,
} from '@baton/state';
import type { Etcd3, IKeyValue } from 'etcd3';
import { keySegment, neverSent, normalizePrefix, revisionOf, withoutBlindRetry } from './client.js';
import { OutcomeUnknownError, toEtcdError } from './errors.js';
import { KeyWatch } from './keyWatch.js';

/** Options of `openEtcdStore`. */
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
  /**
   * After a write whose answer was lost: how long to keep trying to read the key to learn whether it landed, before
   * failing with EOUTCOMEUNKNOWN (default 10000 ms).
   */
  settleTimeoutMs?: number;
  logger?: Logger;
  /** Closes the store when aborted. */
  signal?: AbortSignal;
}

/** Attempts on one revision of the key (`base`, as `baseRead` showed it) whose answers were lost, by write id. */
interface Unsettled<T> {
  readonly base: number;
  readonly baseRead: Read<T>;
  readonly writes: Map<string, Attempt<T>>;
}

/** Whether `current` is the only write to the key since `base` was read: the next write of the same key, or its creation. */
function oneWriteSince(base: Read<unknown>, current: Read<unknown>): boolean {
  // From a missing key, a create, a delete and a create again also shows version 1: only the history tells.
  if (base.missing || current.missing || current.keyVersion === undefined || base.keyVersion === undefined) return false;
  return current.createRevision === base.createRevision && current.keyVersion === base.keyVersion + 1;
}

/** One attempt at a transaction: what it wrote, under which write id, for which operations. */
interface Attempt<T> {
  readonly writeId: string;
  readonly value: T;
  readonly version: number;
  readonly applied: readonly Op<T>[];
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

/** A write this store is sending: its bytes, and the envelope they hold (known without decoding them). */
type OwnWrite<T> = { bytes: Buffer; envelope: Envelope<T> };

/** What the key holds, as last read: its mod revision (0: missing) and a verified envelope or why not. */
type Read<T> = {
  modRevision: number;
  /** etcd's count of writes to the key since it was created, and the revision that created it (0 when missing). */
  keyVersion?: number;
  createRevision?: number;
  envelope?: Envelope<T>;
  error?: CorruptStateError;
  missing: boolean;
  raw?: Buffer;
};

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
  private readonly _watch: KeyWatch;
  /** The write being sent (the last one), so that its watch event is known by its bytes. */
  private _inFlight: OwnWrite<T> | undefined;
  private _lastErrorKey: string | undefined;
  /** Attempts at a write so far: with the store's id, each one's write id. */
  private _writes = 0;
  /** A write's outcome was unknown: read the key before the next write. */
  private _stale = false;
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
    this._watch = new KeyWatch({
      client: _options.client,
      key: this._key,
      logger: this._logger,
      lastRevision: () => this._last.modRevision,
      // This store's own writes come back too: known by their revision (the answer came first) or by their bytes
      // (the event did), not decoded again.
      onPut: (kv) => {
        if (revisionOf(kv.mod_revision) <= this._last.modRevision) return;
        const own = this._inFlight;
        this._take(own && kv.value.equals(own.bytes) ? { ...this._keyOf(kv), envelope: own.envelope } : this._decode(kv), 'remote');
      },
      onDelete: () => {
        this._take({ modRevision: 0, keyVersion: 0, createRevision: 0, missing: true }, 'remote');
        if (this._good.version > 0) this._report(new CorruptStateError('missing', `etcd key ${this.file} was deleted; the next write restores version ${this._good.version}'s value under a new version`));
      },
      readAfresh: async () => {
        const response = await _options.client.kv.range({ key: this._key });
        this._take(this._decode(response.kvs[0]), 'remote');
        return revisionOf(response.header.revision) + 1;
      },
    });
    if (_options.signal) this._register(onAbort(_options.signal, () => void this.close()));
  }

  /** The current value (the last version read or written). */
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
    const response = await this._options.client.kv.range({ key: this._key }).catch((err: unknown) => {
      throw toEtcdError(err, this._options.client, `store '${this._options.name}': open (key ${this.file})`);
    });
    const read = this._decode(response.kvs[0]);
    if (read.error) {
      this._report(read.error);
      throw read.error;
    }
    this._take(read, 'remote');
    await this._watch.start(revisionOf(response.header.revision) + 1).catch((err: unknown) => {
      throw toEtcdError(err, this._options.client, `store '${this._options.name}': watch (key ${this.file})`);
    });
  }

  /**
   * Runs `read` (a read, safe to repeat) again while etcd does not answer, for about `settleTimeoutMs`, unless
   * `final(err)`; then rethrows its last error.
   */
  private _readUntilSettleDeadline<R>(read: () => Promise<R>, final: (err: unknown) => boolean = () => false): Promise<R> {
    const deadline = performance.now() + (this._options.settleTimeoutMs ?? 10_000);
    return retry(read, {
      attempts: Infinity,
      backoff: { initialMs: 50, maxMs: 1000, jitter: 'none' },
      shouldRetry: (err) => !final(err) && performance.now() < deadline,
    });
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
    const response = await this._options.client.kv.range({ key: this._key }).catch((err: unknown) => {
      throw toEtcdError(err, this._options.client, `store '${this._options.name}': read (key ${this.file})`);
    });
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

  /**
   * One transaction for every queued operation, retried against what etcd returns until it applies. Each attempt
   * carries its own write id in the envelope. An attempt whose answer is lost (a dropped connection, a deadline) is
   * unsettled: it may have landed, or may land still, until the key moves past the revision it compared. It is
   * settled by looking for its id (in the key, or in the key's history since that revision), never by running the
   * updaters again on top of it. A new attempt is made only on the same revision (its compare fences the lost one
   * out: one of them lands) or once the lost ones are known dead, so every unsettled attempt wrote the same value.
   */
  private async _commit(ops: Op<T>[]): Promise<void> {
    this._watch.writing();
    try {
      await this._commitOps(ops);
    } finally {
      this._watch.ended();
    }
  }

  private async _commitOps(ops: Op<T>[]): Promise<void> {
    const attempts = Math.max(...ops.map((op) => op.options.retries ?? this._options.retries ?? 1000));
    const open = new Set(ops);
    const reject = (op: Op<T>, error: unknown) => void (open.delete(op) && op.reject(error));
    if (this._stale) {
      // An earlier write's outcome was unknown: this store's view may be far behind. Read before writing again, so
      // that a lost answer now is settled from a recent revision (whose history etcd still has).
      try {
        this._take(await this._readKey(), 'remote');
        this._stale = false;
      } catch (err) {
        const error = toEtcdError(err, this._options.client, `store '${this._options.name}': read before writing (key ${this.file})`);
        for (const op of ops) op.reject(error);
        return;
      }
    }
    let current = this._last;
    /** Attempts on revision `unsettled.base` (the key as `baseRead` shows it) whose answers were lost, by write id. */
    let unsettled: Unsettled<T> | undefined;
    const landed = (attempt: Attempt<T>, read: Read<T>) => {
      this._take(read, 'local');
      for (const op of attempt.applied) if (open.delete(op)) op.resolve({ value: attempt.value, version: attempt.version });
    };
    try {
      for (let attempt = 0; attempt < attempts; attempt++) {
        // A caller's abort is honoured only while nothing sent is unsettled: an update that may have landed is
        // reported as landed or unknown, not as cancelled.
        if (!unsettled) for (const op of open) if (op.options.signal?.aborted) reject(op, op.options.signal.reason);
        if (open.size === 0) return;
        if (current.error && current.error.reason !== 'json' && current.error.reason !== 'checksum' && current.error.reason !== 'envelope') {
          // Intact data this process cannot accept (another format, too large, failing the schema): never overwritten.
          for (const op of open) reject(op, current.error);
          return;
        }
        const next = this._prepare(current, [...open], reject);
        if (!next) return;
        let response;
        this._inFlight = next.own;
        try {
          response = await withoutBlindRetry(() => this._options.client.kv.txn(next.txn));
        } catch (err) {
          if (neverSent(err as Error) && !unsettled) {
            // No connection to etcd was made: nothing was sent. Look at the key again and try again.
            current = await this._readBack(new Map([[next.attempt.writeId, next.attempt]]), err);
            this._take(current, 'remote');
            continue;
          }
          // Sent or not, committed or not: unknown. Read back, and settle before anything else is written.
          unsettled ??= { base: current.modRevision, baseRead: current, writes: new Map() };
          unsettled.writes.set(next.attempt.writeId, next.attempt);
          current = await this._readBack(unsettled.writes, err);
          // What etcd holds is this store's latest view from now on, whatever the settling finds.
          this._take(current, 'remote');
          const settled = await this._settle(unsettled, current, err);
          if (settled) return landed(settled, current);
          if (current.modRevision !== unsettled.base) {
            // The key moved on past the lost attempts, without them: none can land now.
            unsettled = undefined;
            this._take(current, 'remote');
          }
          continue;
        }
        if (response.succeeded) {
          return landed(next.attempt, { modRevision: revisionOf(response.header.revision), envelope: next.own.envelope, missing: false });
        }
        current = this._decode(response.responses[0]?.response_range.kvs[0]);
        // This very attempt, retried inside the client after a lost answer (a client of the caller's own, with
        // etcd3's default retry), finds its own write: it landed once.
        if (current.envelope?.writeId === next.attempt.writeId) return landed(next.attempt, current);
        if (unsettled) {
          const settled = await this._settle(unsettled, current);
          if (settled) return landed(settled, current);
          unsettled = undefined;
        }
        this._take(current, 'remote');
        // Lost to another writer: a short random pause, so that contenders stop colliding in lockstep.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(8, 1 + attempt)));
      }
      if (unsettled) this._stale = true;
      const error = unsettled
        ? this._unknown(unsettled.writes, undefined)
        : new ConflictError(`store '${this._options.name}': ${attempts} compare-and-swap attempts lost to other writers; nothing was written`);
      for (const op of open) reject(op, error);
    } catch (err) {
      if (err instanceof OutcomeUnknownError) this._stale = true;
      const error = toEtcdError(err, this._options.client, `store '${this._options.name}': write (key ${this.file})`);
      for (const op of open) reject(op, error);
    }
  }

  /**
   * The transaction that writes every open operation on top of `current` (the last good value: the key's, or this
   * process's memory when the key is gone or damaged), or undefined when none is left to write. Operations whose
   * updater throws, or whose value cannot be written, are rejected here.
   */
  private _prepare(current: Read<T>, ops: Op<T>[], reject: (op: Op<T>, error: unknown) => void): { attempt: Attempt<T>; own: OwnWrite<T>; txn: Parameters<Etcd3['kv']['txn']>[0] } | undefined {
    const base = current.envelope ? { value: current.envelope.payload, version: current.envelope.version } : this._good;
    const version = Math.max(base.version, this._good.version) + 1;
    let value = base.value;
    const applied: Op<T>[] = [];
    for (const op of ops) {
      try {
        value = this._validate(op.apply(value));
        applied.push(op);
      } catch (err) {
        reject(op, err);
      }
    }
    if (applied.length === 0) return undefined;
    const text = JSON.stringify(value);
    if (text === undefined || Buffer.byteLength(text) > this._maxBytes) {
      const error =
        text === undefined
          ? new InvalidStateError(`store '${this._options.name}': the value is not JSON-serializable; nothing was written`)
          : new StateTooLargeError(`store '${this._options.name}': the value is ${Buffer.byteLength(text)} bytes, over maxBytes ${this._maxBytes}; nothing was written`);
      for (const op of applied) reject(op, error);
      return undefined;
    }
    const recovery: Omit<Recovery, 'version' | 'writer'> | undefined =
      current.envelope || this._good.version === 0
        ? undefined
        : { reason: current.missing ? 'missing' : 'corrupt', source: 'memory', fromVersion: this._good.version, highestVersion: this._good.version };
    const writer = { id: this.id, pid: process.pid };
    const writeId = `${this.id}:${++this._writes}`;
    // Damaged bytes are kept beside the key, in the same transaction, not overwritten.
    const movedAside = current.raw ? `${this.file}.corrupt-${current.modRevision}` : undefined;
    const encoded = encodeEnvelopeWithValue<T>(text, version, writer, recovery ? { ...recovery, version, writer, ...(movedAside ? { movedAside } : {}) } : undefined, writeId);
    const bytes = Buffer.from(encoded.text);
    return {
      attempt: { writeId, value, version, applied },
      own: { bytes, envelope: encoded.envelope },
      txn: {
        compare: [{ key: this._key, target: 'Mod', result: 'Equal', mod_revision: current.modRevision }],
        success: [
          { request_put: { key: this._key, value: bytes } },
          ...(movedAside ? [{ request_put: { key: Buffer.from(movedAside), value: current.raw } }] : []),
        ],
        failure: [{ request_range: { key: this._key } }],
      },
    };
  }

  /**
   * Reads the key after a write whose answer was lost, trying again while etcd does not answer (for about
   * `settleTimeoutMs`); rejects with EOUTCOMEUNKNOWN when it never does.
   */
  private async _readBack(writes: Map<string, Attempt<T>>, cause: unknown): Promise<Read<T>> {
    try {
      return await this._readKey();
    } catch (err) {
      throw this._unknown(writes, err ?? cause);
    }
  }

  /** Reads the key, trying again while etcd does not answer, for about `settleTimeoutMs`. */
  private async _readKey(): Promise<Read<T>> {
    const response = await this._readUntilSettleDeadline(() => this._options.client.kv.range({ key: this._key }));
    return this._decode(response.kvs[0]);
  }

  /**
   * Which of the unsettled attempts landed, judged from `current` (read after them): the one whose id the key holds;
   * none while the key is still at their revision (one may land yet: the caller's next attempt on the same
   * revision fences it out); otherwise the first write after that revision, read from the key's history. Rejects
   * with EOUTCOMEUNKNOWN when that history is gone (compacted) or cannot be read.
   */
  private async _settle(unsettled: Unsettled<T>, current: Read<T>, cause?: unknown): Promise<Attempt<T> | undefined> {
    const holding = current.envelope?.writeId === undefined ? undefined : unsettled.writes.get(current.envelope.writeId);
    if (holding) return holding;
    if (current.modRevision === unsettled.base) return undefined;
    // Exactly one write since the base (etcd counts a key's writes since its creation): it is the one the key
    // holds, and it is not ours. No history needed.
    if (oneWriteSince(unsettled.baseRead, current)) return undefined;
    // Tried again while etcd does not answer (a watch stream reconnecting after a partition); a history compacted
    // away (etcd cancels the watch) is final.
    let first: string | undefined;
    try {
      first = await this._readUntilSettleDeadline(
        () => this._firstWriteAfter(unsettled.base),
        (err) => /compacted|Watcher canceled/i.test((err as Error).message),
      );
    } catch (err) {
      throw this._unknown(unsettled.writes, err ?? cause);
    }
    return first === undefined ? undefined : unsettled.writes.get(first);
  }

  /**
   * The write id of the first change of the key after revision `base` (undefined for a delete or a write without
   * one), from a watch started there. Rejects after 5 s in all (etcd3 waits for its watch stream without a bound).
   */
  private async _firstWriteAfter(base: number): Promise<string | undefined> {
    let watcher: Awaited<ReturnType<ReturnType<Etcd3['watch']>['create']>> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let expired = false;
    try {
      return await new Promise<string | undefined>((resolve, reject) => {
        timer = setTimeout(() => {
          expired = true;
          reject(new Error(`no history of etcd key ${this.file} after revision ${base} within 5000 ms`));
        }, 5000);
        this._options.client
          .watch()
          .key(this._key)
          .startRevision(String(base + 1))
          .create()
          .then((created) => {
            if (expired) return void created.cancel().catch(() => {});
            watcher = created;
            created.on('put', (kv: IKeyValue) => resolve(this._decode(kv).envelope?.writeId));
            created.on('delete', () => resolve(undefined));
            created.on('error', (err: Error) => reject(err));
          }, reject);
      });
    } finally {
      clearTimeout(timer);
      // A watcher still being created is cancelled when it comes.
      expired = true;
      if (watcher) void watcher.cancel().catch(() => {});
    }
  }

  private _unknown(writes: Map<string, Attempt<T>>, cause: unknown): OutcomeUnknownError {
    return new OutcomeUnknownError(
      `store '${this._options.name}': an update was sent to etcd at ${this.file} and its answer was lost; whether it was applied cannot be known now (etcd unreachable, or its history compacted). Retry only if applying it twice is harmless, or read the store to decide`,
      { cause, data: { key: this.file, writeIds: [...writes.keys()] } },
    );
  }

  private _validate(value: T): T {
    const schema = this._options.schema;
    if (!schema) return value;
    const result = schema.safeParse(value);
    if (!result.success) throw new InvalidStateError(`store '${this._options.name}': the value does not match the schema: ${result.error.message}; nothing was written`);
    return result.data;
  }

  private _keyOf(kv: IKeyValue): Read<T> {
    return { modRevision: revisionOf(kv.mod_revision), keyVersion: revisionOf(kv.version), createRevision: revisionOf(kv.create_revision), missing: false };
  }

  private _decode(kv: IKeyValue | undefined): Read<T> {
    if (!kv) return { modRevision: 0, keyVersion: 0, createRevision: 0, missing: true };
    const key = this._keyOf(kv);
    try {
      return { ...key, envelope: decodeEnvelope<T>(kv.value, `etcd key ${this.file}`, this._maxBytes, this._options.schema) };
    } catch (err) {
      return { ...key, error: err as CorruptStateError, raw: kv.value };
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
    this._watch.close();
    super.dispose();
  }

  /** Waits for queued writes, then dispose(). */
  async close(): Promise<void> {
    if (this._closed) return;
    await this._draining;
    this.dispose();
  }
}

/** Opens the store at its key, reading the current version (or writing the initial value), and watches it. */
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
