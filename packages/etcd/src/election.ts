import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  Disposable,
  Emitter,
  InvalidArgumentError,
  MutableDisposable,
  abortableDelay,
  createBackoff,
  eventToPromise,
  noopLogger,
  onAbort,
  systemClock,
  throwIfAborted,
  type Clock,
  type Event,
  type Logger,
} from '@baton/base';
import { LockLostError, type LeaderInfo, type Role, type RoleChange, type RoleChangeReason } from '@baton/lock';
import type { Etcd3 } from 'etcd3';
import { checkClientAndTtl, keySegment, normalizePrefix } from './client.js';
import { toEtcdError } from './errors.js';
import { QueueEntry, newRecord, type Holder } from './queue.js';
import { Session } from './session.js';

/** Options of `createEtcdElection`. */
export interface EtcdElectionOptions {
  client: Etcd3;
  /** The name elected for (default 'leader'). */
  name?: string;
  /**
   * Lease TTL (default 5000 ms; etcd rounds up to whole seconds and to its minimum, about 1.5 x its
   * election timeout). A holder that crashes or is cut off is replaced after this long. It must outlive a
   * change of etcd leader: with etcd's default timings a 2 s lease ended the term at 4 of 4 SIGKILLs of the
   * etcd leader member, 3 s at 1 of 4, 5 s at none (see the README).
   */
  ttlMs?: number;
  /** Key prefix (default 'baton/'); the election's keys are `<prefix>elections/<name>/<lease>-<n>`. */
  prefix?: string;
  id?: string;
  /** JSON-safe data published with the holder record. */
  metadata?: unknown;
  logger?: Logger;
  clock?: Clock;
  /** Closes the election when aborted. */
  signal?: AbortSignal;
}

const abortedSignal = AbortSignal.abort(new LockLostError('not the leader'));

/**
 * Leader election on etcd, with the surface of `@baton/lock`'s `Election`: exactly one
 * participant at a time leads, with a fencing token (an etcd revision) larger than every earlier
 * leader's. A resign or close hands over at once (the next candidate watches for the key's
 * deletion); a crash or partition after the lease TTL. A participant whose lease ends (its
 * keep-alives unanswered, or this process paused) stops leading at its own deadline, which
 * comes before etcd's, and joins again with a new lease when etcd answers.
 */
export class EtcdElection extends Disposable {
  private readonly _onDidChangeRole = this._register(new Emitter<RoleChange>());
  readonly onDidChangeRole: Event<RoleChange> = this._onDidChangeRole.event;
  private readonly _onDidChangeLeader = this._register(new Emitter<LeaderInfo | undefined>());
  readonly onDidChangeLeader: Event<LeaderInfo | undefined> = this._onDidChangeLeader.event;

  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  private readonly _ttlMs: number;
  private readonly _clock: Clock;
  private readonly _logger: Logger;
  private _role: Role = 'stopped';
  private _entry: QueueEntry | undefined;
  private readonly _entryListeners = this._register(new MutableDisposable());
  private _termController: AbortController | undefined;
  private _leader: Holder | undefined;
  private _lastError: Error | undefined;
  private _startPromise: Promise<void> | undefined;
  private _loop: Promise<void> | undefined;
  private _closePromise: Promise<void> | undefined;
  private _closed = false;
  private readonly _closing = new AbortController();
  private _revoking: Promise<void> | undefined;

  constructor(private readonly _options: EtcdElectionOptions) {
    super();
    this.name = _options.name ?? 'leader';
    this._ttlMs = _options.ttlMs ?? 5000;
    checkClientAndTtl(`etcd election '${this.name}'`, _options.client, this._ttlMs);
    this.prefix = `${normalizePrefix(_options.prefix)}elections/${keySegment(this.name, 'election name')}/`;
    this.id = _options.id ?? randomUUID();
    this._clock = _options.clock ?? systemClock;
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'etcd', election: this.name, id: this.id });
    if (_options.signal) this._register(onAbort(_options.signal, () => void this.close()));
  }

  /**
   * Joins the election; resolves once this process knows whether it leads. Rejects if etcd
   * cannot be reached for the first lease (later outages are retried in the background).
   */
  start(): Promise<void> {
    this._startPromise ??= (async () => {
      throwIfAborted(this._options.signal);
      if (this._closed) throw new InvalidArgumentError(`etcd election '${this.name}' is closed; create a new one`);
      await this._join().catch((err: unknown) => {
        throw toEtcdError(err, this._options.client, `etcd election '${this.name}': start`);
      });
      if (this._role === 'stopped' && !this._closed) this._setRole('follower', 'joined', undefined);
      this._loop = this._rejoinLoop();
    })();
    return this._startPromise;
  }

  get role(): Role {
    return this._role;
  }

  /** True only while this process leads and its lease can be trusted by its own monotonic clock. */
  get isLeader(): boolean {
    return this._role === 'leader' && this._entry?.holding === true;
  }

  get token(): number | undefined {
    return this.isLeader ? this._entry?.token : undefined;
  }

  /** The leader as last seen in etcd (this process or another). */
  get leader(): LeaderInfo | undefined {
    const holder = this._leader;
    return holder && { id: holder.id, pid: holder.pid, hostname: holder.hostname, metadata: holder.metadata, token: holder.token, since: holder.since };
  }

  /** Why the last call to etcd failed, until one succeeds. */
  get lastError(): Error | undefined {
    return this._lastError ?? this._entry?.lastError;
  }

  get leadershipSignal(): AbortSignal {
    return this.isLeader && this._termController ? this._termController.signal : abortedSignal;
  }

  /** Resolves when this candidate leads (at once if it does); rejects if the election is closed first, or with the signal. */
  async whenLeader(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    if (this._closed) throw new LockLostError(`etcd election '${this.name}' is closed; it will not lead again`);
    if (this.isLeader) return;
    await eventToPromise(this.onDidChangeRole, { signal, filter: (change) => change.role === 'leader' || change.role === 'stopped' });
    if (this._role === 'stopped') throw new LockLostError(`etcd election '${this.name}' closed before this process became leader`);
  }

  /**
   * Steps down: deletes this process's key, so the next candidate leads at once, and joins again
   * at the back of the queue (leading again at once only if nobody else is waiting).
   */
  async resign(): Promise<void> {
    // The loop then enters again with the same lease: a new key, at the back of the queue.
    await this._entry?.leave('resigned');
  }

  /** One session and one entry; a failure here is retried by the rejoin loop. */
  private async _join(): Promise<void> {
    const session = await Session.grant({ client: this._options.client, ttlMs: this._ttlMs, clock: this._clock, logger: this._logger });
    if (this._closed) {
      await session.revoke();
      session.dispose();
      return;
    }
    await this._enter(session);
  }

  private async _enter(session: Session): Promise<void> {
    const entry = new QueueEntry(this._options.client, this.prefix, session, newRecord(this.id, this._options.metadata), this._logger);
    this._entry = entry;
    const listeners = [
      entry.onDidAcquire((token) => {
        if (this._entry !== entry) return;
        this._termController = new AbortController();
        // Everything run in the term listens to its signal: any number of listeners is expected (see @baton/lock).
        setMaxListeners(0, this._termController.signal);
        this._setRole('leader', 'elected', token);
      }),
      entry.onDidLose(({ reason, detail }) => {
        if (this._entry !== entry) return;
        const token = entry.token;
        this._termController?.abort(new LockLostError(`Leadership of '${this.name}' (token ${token}) ended: ${detail}`));
        this._termController = undefined;
        if (this._closed) return;
        if (this._role === 'leader') this._setRole('follower', reason === 'released' ? 'resigned' : 'lost', token, detail);
        this._wake?.();
      }),
      entry.onDidChangeHolder((holder) => {
        if (this._entry !== entry) return;
        this._leader = holder;
        this._onDidChangeLeader.fire(this.leader);
      }),
    ];
    this._entryListeners.value = { dispose: () => listeners.forEach((l) => l.dispose()) };
    try {
      await entry.enter();
    } catch (err) {
      entry.dispose();
      // Its key may exist (a create whose answer was lost), kept alive by the session: end the session, so that the
      // key goes and the next attempt uses a new one, rather than wait behind a key nobody acts on.
      void session.revoke();
      throw err;
    }
  }

  private _wake: (() => void) | undefined;

  /** Joins again whenever the entry ends (lease lost, key removed), with backoff while etcd is away. */
  private async _rejoinLoop(): Promise<void> {
    const backoff = createBackoff({ initialMs: 100, maxMs: 2000, factor: 2, jitter: 'full' });
    while (!this._closed) {
      const entry = this._entry;
      if (entry && !entry.over) {
        await new Promise<void>((resolve) => {
          this._wake = resolve;
          if (entry.over || this._closed) resolve();
        });
        this._wake = undefined;
        continue;
      }
      try {
        const old = this._entry;
        if (old && !old.session.lost) {
          await this._enter(old.session);
        } else {
          old?.session.dispose();
          await this._join();
        }
        this._lastError = undefined;
        backoff.reset();
      } catch (err) {
        this._lastError = toEtcdError(err, this._options.client, `etcd election '${this.name}': join`) as Error;
        this._logger.warn({ err }, 'cannot join the etcd election; retrying');
        await abortableDelay(backoff.next(), { signal: this._closing.signal, clock: this._clock }).catch(() => {});
      }
    }
  }

  /**
   * Leaves, synchronously: ends the term here, stops every keep-alive and watch, and sends the
   * lease's revocation (so the next candidate leads at once); close() also waits for it.
   */
  override dispose(): void {
    if (this._closed) return;
    this._closed = true;
    this._closing.abort();
    this._wake?.();
    const entry = this._entry;
    entry?.dispose();
    this._revoking = entry?.session.revoke();
    entry?.session.dispose();
    this._termController?.abort(new LockLostError(`etcd election '${this.name}' closed`));
    this._termController = undefined;
    if (this._role !== 'stopped') this._setRole('stopped', 'closed', undefined);
    super.dispose();
  }

  /** Ends the term, revokes the lease (so the next candidate leads at once), and waits for the rest. */
  async close(): Promise<void> {
    this._closePromise ??= (async () => {
      this.dispose();
      await this._revoking;
      await this._startPromise?.catch(() => {});
      await this._loop;
    })();
    return this._closePromise;
  }

  private _setRole(role: Role, reason: RoleChangeReason, token: number | undefined, detail?: string): void {
    const previous = this._role;
    if (previous === role && reason !== 'elected') return;
    this._role = role;
    this._onDidChangeRole.fire({ role, previous, token, reason, ...(detail ? { detail } : {}) });
  }
}

/** Creates an election on etcd; call `start()` to take part. */
export function createEtcdElection(options: EtcdElectionOptions): EtcdElection {
  return new EtcdElection(options);
}
