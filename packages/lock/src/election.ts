import { setMaxListeners } from 'node:events';
import { Disposable, Emitter, InvalidArgumentError, eventToPromise, throwIfAborted, onAbort, type Event } from '@baton/base';
import { LeaseContender, type LoseReason } from './contender.js';
import { LockLostError } from './errors.js';
import type { TermRecord } from './leaseFiles.js';
import { contenderOptions, type CommonLockOptions } from './options.js';

/** Options of `createElection`. */
export interface ElectionOptions extends Omit<CommonLockOptions, 'name'> {
  /** The name elected for (default 'leader'). */
  name?: string;
  /** How long a holder that stops renewing keeps the name, by the waiters' clocks (default 2000 ms). */
  leaseMs?: number;
  /** Closes the election when aborted. */
  signal?: AbortSignal;
  /**
   * Serve and watch the holder's beacon (default true, and never on Windows). False for a program
   * that tells its election of the holder's renewals and end over its own connections
   * (`holderRenewed`, `holderGone`), as `@baton/coordinator` does: then nobody connects to the
   * holder twice. Without either, a waiter sees the holder's death up to a lease late.
   */
  beacon?: boolean;
}

/** A process's role in an election. */
export type Role = 'leader' | 'follower' | 'stopped';
/** Why a role changed. */
export type RoleChangeReason = 'elected' | 'joined' | 'resigned' | 'lost' | 'closed';

/** A change of this process's role, with the term's token and why. */
export interface RoleChange {
  readonly role: Role;
  readonly previous: Role;
  /** The token of the term that began ('elected') or ended. */
  readonly token: number | undefined;
  readonly reason: RoleChangeReason;
  readonly detail?: string;
}

/** A leader as the election sees it. */
export interface LeaderInfo {
  readonly id: string;
  readonly pid: number;
  readonly hostname: string;
  readonly metadata: unknown;
  readonly token: number;
  /** Wall-clock start of the term (display only). */
  readonly since: string;
}

const abortedSignal = AbortSignal.abort(new LockLostError('not the leader'));

/**
 * Leader election among processes of one machine. Exactly one participant at a time is leader,
 * with a fencing token larger than every earlier leader's. See the package README for the
 * guarantees and their limits.
 */
export class Election extends Disposable {
  private readonly _contender: LeaseContender;
  private readonly _onDidChangeRole = this._register(new Emitter<RoleChange>());
  readonly onDidChangeRole: Event<RoleChange> = this._onDidChangeRole.event;
  private readonly _onDidChangeLeader = this._register(new Emitter<LeaderInfo | undefined>());
  readonly onDidChangeLeader: Event<LeaderInfo | undefined> = this._onDidChangeLeader.event;
  private readonly _onWillLead = this._register(new Emitter<{ token: number }>());
  /**
   * This process's claim of a new term is visible to the other participants and is being made
   * durable (the fsync of `durable`). `onDidChangeRole` 'elected' follows in the same turn of the
   * event loop unless the claim fails (then the term is given back, and the failure logged). For
   * telling others early that this process takes over: it does not lead yet (`isLeader` is
   * false), and its token must not be used for anything that lasts before 'elected'.
   */
  readonly onWillLead: Event<{ token: number }> = this._onWillLead.event;
  /**
   * This process, leading, renewed its lease: `index` is the renewal's slot (what the beacon
   * announces). For passing renewals on to the followers over another connection (`holderRenewed`).
   */
  readonly onDidRenew: Event<{ token: number; index: number }>;

  private _role: Role = 'stopped';
  private _termController: AbortController | undefined;
  private _startPromise: Promise<void> | undefined;
  private _closePromise: Promise<void> | undefined;
  private _closed = false;
  private readonly _leaseMs: number;
  readonly id: string;
  readonly name: string;

  constructor(private readonly _options: ElectionOptions) {
    super();
    this.name = _options.name ?? 'leader';
    this._leaseMs = _options.leaseMs ?? 2000;
    const resolved = { ...contenderOptions({ ..._options, name: this.name }, this._leaseMs, `election '${this.name}'`, true), beacon: _options.beacon ?? true };
    this.id = resolved.id;
    this._contender = new LeaseContender(resolved);
    this.onDidRenew = this._contender.onDidRenew;
    this._register(this._contender.onWillAcquire((token) => this._onWillLead.fire({ token })));
    this._register(this._contender.onDidAcquire((held) => {
      this._termController = new AbortController();
      // Everything run in the term listens to its signal (each call a leader serves, each task): any number of
      // listeners is expected there, and Node's warning past 10 would name a leak that is not one.
      setMaxListeners(0, this._termController.signal);
      this._setRole('leader', 'elected', held.token);
    }));
    this._register(this._contender.onDidLose(({ token, reason, detail }) => {
      this._termController?.abort(new LockLostError(`Leadership of '${this.name}' (token ${token}) ended: ${detail}`));
      this._termController = undefined;
      const role: Role = reason === 'closed' ? 'stopped' : 'follower';
      this._setRole(role, reason satisfies LoseReason, token, detail);
    }));
    this._register(this._contender.onDidChangeHolder((record) => this._onDidChangeLeader.fire(toLeaderInfo(record))));
    if (_options.signal) this._register(onAbort(_options.signal, () => void this.close()));
  }

  /** Joins the election; resolves once this process knows whether it leads. */
  start(): Promise<void> {
    this._startPromise ??= (async () => {
      throwIfAborted(this._options.signal);
      if (this._closed) throw new InvalidArgumentError(`election '${this.name}' is closed; create a new one`);
      await this._contender.start(true);
      if (this._role === 'stopped' && !this._closed) this._setRole('follower', 'joined', undefined);
    })();
    return this._startPromise;
  }

  get role(): Role {
    return this._role;
  }

  /**
   * True only while this process leads and its lease can be trusted by its own monotonic clock.
   * Reading it (or `token`, or `leadershipSignal`) after the lease ran out, as after a pause, ends
   * the term there and then: the signal aborts and `lost` fires before the read returns.
   */
  get isLeader(): boolean {
    return this._role === 'leader' && this._contender.checkLease();
  }

  /** The fencing token of the current term, while leader. */
  get token(): number | undefined {
    return this.isLeader ? this._contender.held?.token : undefined;
  }

  /** The leader as last seen on disk (this process or another). */
  get leader(): LeaderInfo | undefined {
    return toLeaderInfo(this._contender.holder);
  }

  /**
   * Why the last attempt to read or write the lock directory failed, until one succeeds. A
   * follower with no leader and a lastError cannot take part (a file where the directory should
   * be, a read-only disk); the failure is also logged on every attempt.
   */
  get lastError(): Error | undefined {
    return this._contender.lastError;
  }

  /** The directory holding this name's lease files. */
  get lockDir(): string {
    return this._contender.lockDir;
  }

  /** Aborted when this term ends; an already-aborted signal when not leader. Pass it to the leader's work. */
  get leadershipSignal(): AbortSignal {
    return this.isLeader && this._termController ? this._termController.signal : abortedSignal;
  }

  /** Resolves when this process becomes leader (at once if it is). */
  async whenLeader(signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    if (this._closed) throw new LockLostError(`election '${this.name}' is closed; it will not lead again`);
    if (this.isLeader) return;
    await eventToPromise(this.onDidChangeRole, { signal, filter: (change) => change.role === 'leader' || change.role === 'stopped' });
    if (this._role === 'stopped') throw new LockLostError(`election '${this.name}' closed before this process became leader`);
  }

  /**
   * When the leader dies, resigns or lets its lease run out, waits `ms` before claiming (default
   * 0: at once). For a designated successor scheme: the successor keeps 0 and the others wait, so
   * one process claims instead of all of them racing. It changes only who tries first: the
   * election stays safe whatever the delays, and if nobody with a shorter delay claims, the others
   * claim after theirs.
   *
   * `expiryCheckDelayMs` (default 0; only while `ms` is above 0): a holder that stops renewing
   * (paused) is judged by this waiter that much later than its lease allows. The successor
   * claims at once anyway; a waiter that looks later sleeps through the holder's renewals rather
   * than waking between them. A holder that dies or lets go is seen at once all the same.
   */
  setClaimDelay(ms: number, expiryCheckDelayMs = 0): void {
    if (!(ms >= 0)) throw new InvalidArgumentError(`election '${this.name}': the claim delay must be >= 0, got ${ms}`);
    if (!(expiryCheckDelayMs >= 0)) throw new InvalidArgumentError(`election '${this.name}': the expiry check delay must be >= 0, got ${expiryCheckDelayMs}`);
    this._contender.setClaimDelay(ms, expiryCheckDelayMs);
  }

  /**
   * The leader of term `token` renewed its lease at slot `index`, as told by other means than
   * the beacon (the leader's `onDidRenew`, passed on over a connection to it): this process dates
   * the lease from now, as for a beat. Ignored unless it is the term this process follows and a
   * slot after the last one it saw. A beat can only delay the judgement that the lease ran out.
   */
  holderRenewed(token: number, index: number): void {
    if (!this._closed) this._contender.holderRenewed(token, index);
  }

  /**
   * The leader of term `token` died or let go, as seen by other means than its beacon (a
   * connection to it closed): this process looks at the directory as when the beacon ends (at
   * once, or halfway through its claim delay). Ignored unless it is the term this process
   * follows. A hint only: the directory and the OS lock decide. Resolves true once the look it
   * started is done, false when it started none (ignored, told already, or deferred by a claim delay).
   */
  holderGone(token: number): Promise<boolean> {
    const look = this._closed ? undefined : this._contender.holderGone(token);
    return look ? look.then(() => true) : Promise.resolve(false);
  }

  /**
   * Looks at the lock directory now rather than at the next scheduled look: for a process told
   * of a new term by other means (a message from the new leader), so that `leader` and
   * `onDidChangeLeader` catch up at once. Resolves when the look is done.
   */
  checkNow(): Promise<void> {
    return this._closed ? Promise.resolve() : this._contender.tickNow();
  }

  /**
   * Steps down and hands over to a waiting process. This process stays a follower and claims
   * again only if nobody else has taken over within the lease.
   */
  async resign(): Promise<void> {
    this._contender.holdOff(this._leaseMs);
    await this._contender.release('resigned');
  }

  /**
   * Leaves the election, synchronously: resigns if leader (a waiter takes over on its next poll),
   * stops every timer, closes every descriptor; `whenLeader()` rejects from now on.
   */
  override dispose(): void {
    if (this._closed) return;
    this._closed = true;
    this._contender.dispose();
    if (this._role !== 'stopped') this._setRole('stopped', 'closed', undefined);
    super.dispose();
  }

  /** dispose(), then waits until nothing of the election is still running. */
  async close(): Promise<void> {
    this._closePromise ??= (async () => {
      this.dispose();
      await this._contender.close();
      await this._startPromise?.catch(() => {});
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

function toLeaderInfo(record: TermRecord | undefined): LeaderInfo | undefined {
  if (!record) return undefined;
  return { id: record.id, pid: record.pid, hostname: record.hostname, metadata: record.metadata, token: record.token, since: record.since };
}

/** Creates an election; call `start()` to take part. */
export function createElection(options: ElectionOptions): Election {
  return new Election(options);
}
