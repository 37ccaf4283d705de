import { hostname } from 'node:os';
import { Disposable, Emitter, MutableDisposable, ensureOsLock, type Clock, type Logger } from '@baton/base';
import { BeaconServer, BeaconWatch, beaconPath } from './beacon.js';
import { LeaseFiles, closeQuietly, faultPoints, type RenewResult, type Scan, type TermRecord } from './leaseFiles.js';

export interface ContenderOptions {
  lockDir: string;
  leaseMs: number;
  pollMs: number;
  id: string;
  metadata: unknown;
  logger: Logger;
  clock: Clock;
  durable: boolean;
  /**
   * Serve and watch beacons (default). Without: the holder's renewals and end come from the
   * owner (holderRenewed, holderGone), told by other means, and otherwise this process looks at
   * the directory when the lease could have run out since the last change it saw.
   */
  beacon: boolean;
}

export interface Held {
  readonly token: number;
  readonly record: TermRecord;
  /** Monotonic deadline after which this process must not act as holder. */
  validUntil: number;
  /** When the lease was last secured: the start of the claim or of the latest renewal (validUntil counts from it). */
  securedAt: number;
  /** After a renewal that failed with an I/O error: not before this (monotonic). */
  retryAt?: number;
  /** The term file, kept open and OS-locked for the whole term. */
  readonly fd: number;
  /** Slot index of the latest renewal (or the claim). */
  latest: number;
  renewals: number;
}

export type LoseReason = 'resigned' | 'lost' | 'closed';

export interface LoseEvent {
  readonly token: number;
  readonly reason: LoseReason;
  readonly detail: string;
}

/** After a beacon ends: how long the term may still look held while its holder's process is torn down. */
const beaconEndGraceMs = 50;
/** How long a process that defers its claims waits before connecting to a new term's beacon. */
const newTermBeaconDelayMs = 50;

/**
 * Takes part in one name's lease protocol (see leaseFiles.ts): as a follower it watches for the
 * holder's death, release or lease expiry and claims the next slot; as the holder it renews.
 * A follower connected to the holder's beacon (beacon.ts) sleeps until the connection ends or the
 * lease could have run out; without one it polls every pollMs. Ticks are serialized; nothing it
 * schedules can throw into the event loop.
 */
export class LeaseContender extends Disposable {
  private readonly _files: LeaseFiles;
  private readonly _onDidAcquire = this._register(new Emitter<Held>());
  readonly onDidAcquire = this._onDidAcquire.event;
  private readonly _onWillAcquire = this._register(new Emitter<number>());
  /**
   * A claim of this token is linked (the other processes can see it) and is being made durable:
   * onDidAcquire follows in the same turn of the event loop (the fsync is synchronous), unless
   * the claim fails.
   */
  readonly onWillAcquire = this._onWillAcquire.event;
  private readonly _onDidLose = this._register(new Emitter<LoseEvent>());
  readonly onDidLose = this._onDidLose.event;
  private readonly _onDidRenew = this._register(new Emitter<{ token: number; index: number }>());
  /** This process, holding, recorded a renewal at slot `index` (what a beacon announces). */
  readonly onDidRenew = this._onDidRenew.event;
  private readonly _onDidChangeHolder = this._register(new Emitter<TermRecord | undefined>());
  /** The holder seen on disk changed (a new term), including this process. */
  readonly onDidChangeHolder = this._onDidChangeHolder.event;

  private _held: Held | undefined;
  private _holder: TermRecord | undefined;
  private _lastError: Error | undefined;
  private _observed: { latest: number; at: number; term: number } | undefined;
  private _contending = false;
  /** After resigning: leave the resigned term to the other waiters for a while. */
  private _holdoff: { term: number; until: number } | undefined;
  private _started = false;
  private _closed = false;
  private _tickChain: Promise<void> = Promise.resolve();
  private readonly _tickTimer = this._register(new MutableDisposable());
  private readonly _expiryTimer = this._register(new MutableDisposable());
  private readonly _margin: number;
  /** The holder's beacon, while this process holds the name. */
  private _beacon: BeaconServer | undefined;
  /** This follower's connection to the current holder's beacon. */
  private _watch: BeaconWatch | undefined;
  /** After a failed connection: when to try the term's beacon again. */
  private _watchRetry: { term: number; at: number; failures: number } | undefined;
  /**
   * When the beacon of a term ended while its holder was connected: the holder died or let go,
   * and its OS lock goes with it, a moment later if it is dying (the kernel closes a dying
   * process's descriptors one by one, the beacon's maybe first).
   */
  private _beaconEnded: { term: number; at: number } | undefined;
  /** When this process last saw the term change (a new holder). */
  private _termSeenAt: number | undefined;
  /** The highest slot index this process has seen: a directory removed in use is recreated above it. */
  private _highestSeen = 0;
  /** The latest slot, at the last look, is this reset slot (see LeaseFiles). */
  private _resetTerm: number | undefined;
  /** The directory's generation (LeaseFiles.generation) that what this process saw belongs to. */
  private _generation = 0;
  /** How long to leave a free name to a designated successor before claiming it (setClaimDelay). */
  private _claimDelayMs = 0;
  /** While deferring: how much later than the lease allows to check on a silent holder (setClaimDelay). */
  private _expiryCheckDelayMs = 0;
  /** When this process first saw the current term free, while it defers its claim. */
  private _deferred: { term: number; since: number; until: number } | undefined;
  /** The timer set is the check for a lease run out (see _scheduleFollower): a beat and setClaimDelay move it. */
  private _expiryCheck = false;

  constructor(private readonly _options: ContenderOptions) {
    super();
    this._files = new LeaseFiles(_options.lockDir, _options.logger, _options.durable);
    // The holder stops trusting its lease a little before waiters may take over (clock-rate safety).
    this._margin = Math.max(1, Math.min(100, _options.leaseMs * 0.05));
  }

  get held(): Held | undefined {
    return this._held;
  }

  /**
   * Whether this process holds the name and its lease can still be trusted, by the monotonic
   * clock. When the lease has run out (the process was paused or blocked past it),
   * ends the term now, synchronously: the loss is reported the moment any code looks, not on a
   * later timer turn (after a pause, I/O callbacks run before timers).
   */
  checkLease(): boolean {
    const held = this._held;
    if (!held) return false;
    if (this._options.clock.now() < held.validUntil) return true;
    this._lose(held, 'lost', 'lease expired without renewal (process paused or blocked)');
    return false;
  }

  get holder(): TermRecord | undefined {
    return this._holder;
  }

  get lockDir(): string {
    return this._options.lockDir;
  }

  /** Why the last tick failed (unreadable or unwritable lock directory), until one succeeds. */
  get lastError(): Error | undefined {
    return this._lastError;
  }

  /** Prepares the directory and runs the first tick (claiming when the name is free). */
  async start(contend: boolean): Promise<void> {
    if (this._started) return;
    this._started = true;
    this._contending = contend;
    // Without OS locks a waiter can never see the holder die: fail now, not as an eternal follower.
    ensureOsLock();
    await this._files.ensure();
    await this._runTick();
  }

  /** Whether to claim when the name becomes free. */
  setContending(contend: boolean): void {
    this._contending = contend;
  }

  /**
   * Does not claim the term it is about to give up, for `holdoffMs`, so other waiters take it
   * first; once any other term begins, the holdoff ends.
   */
  holdOff(holdoffMs: number): void {
    if (this._held) this._holdoff = { term: this._held.token, until: this._options.clock.now() + holdoffMs };
  }

  /**
   * When the holder dies, releases or lets its lease run out, waits `ms` before claiming (0: claim
   * at once). A group names one successor that claims at once while the others defer, so a
   * failover is one claim rather than a race of every waiter. Only timing: whoever claims, the
   * slot files and the OS lock decide, and a successor that never claims delays the others by `ms`.
   */
  setClaimDelay(ms: number, expiryCheckDelayMs = 0): void {
    this._claimDelayMs = Math.max(0, ms);
    this._expiryCheckDelayMs = Math.max(0, expiryCheckDelayMs);
    // A pending check on a silent holder moves with the new delay at once: a waiter named the
    // successor must judge a holder that pauses before its next renewal a lease after the last one.
    if (this._expiryCheck && !this._closed) this._scheduleFollower();
    // The waiter that claims at once dates every renewal from its beat (takeover within the lease
    // of a paused holder); one that defers needs only every other beat.
    this._watch?.setEveryOther(this._claimDelayMs > 0);
    // Deferring now: look again under the new delay rather than at the end of the old one.
    if (this._deferred && !this._closed) void this._runTick();
  }

  /**
   * The holder of `term` recorded a renewal at slot `index`, as told by other means than its
   * beacon (the holder's onDidRenew, passed on): the lease is dated from now, as for a beat.
   */
  holderRenewed(term: number, index: number): void {
    this._noteBeat(term, index);
  }

  /**
   * The holder of `term` died or let go, as told by other means than its beacon (a connection to
   * it closed): looks as when the term's beacon ends. Speed only: a claim still waits for this
   * process's own scan and the OS lock.
   */
  holderGone(term: number): Promise<void> | undefined {
    if (this._closed || this._held || this._observed?.term !== term) return undefined;
    const now = this._options.clock.now();
    // The same end told twice at once (the holder's notice, then its connection closing): one look. Told again
    // later, the holder outlived the first report (a pause its followers took for a death, after which they
    // joined it again): this is a new end, looked at as the first was, not left to the lease.
    const ended = this._beaconEnded;
    if (ended?.term === term && now - ended.at < beaconEndGraceMs) return undefined;
    this._beaconEnded = { term, at: now };
    return this._lookAfterHolderEnded();
  }

  /** Seen now, so never earlier than the renewal was linked: a beat can only make this process wait longer before judging the lease expired. */
  private _noteBeat(term: number, index: number): void {
    const observed = this._observed;
    if (!this._held && observed?.term === term && index > observed.latest) {
      this._observed = { latest: index, at: this._options.clock.now(), term };
      // Moved now, while this process is awake anyway. The process still wakes when the old
      // deadline comes (Node never moves its one timer later), but only in Node's timer code: the
      // check does not run, and the next deadline is counted from this beat.
      if (this._expiryCheck) this._scheduleFollower();
    }
  }

  /** The holder just ended (its beacon closed, or holderGone): look now, or halfway through a claim delay. */
  /** The look, when it is made at once (undefined when it is scheduled, or none is made). */
  private _lookAfterHolderEnded(): Promise<void> | undefined {
    if (this._closed || this._held) return undefined;
    // A process that defers its claim looks only halfway through its delay: just then the dying
    // holder's exit, the successor's claim and the successor's messages to its followers need
    // the CPU more than every deferring waiter's scans, and the successor's term shows up in
    // the directory (or its group says so) before the delay is over anyway.
    if (this._claimDelayMs > 0) {
      this._schedule(Math.max(this._options.pollMs, this._claimDelayMs / 2));
      return undefined;
    }
    return this._runTick();
  }

  /** Runs one observation or renewal now (serialized with the timer's ticks). */
  tickNow(): Promise<void> {
    return this._runTick();
  }

  private _runTick(): Promise<void> {
    this._tickChain = this._tickChain.then(() => this._tick());
    return this._tickChain;
  }

  private _schedule(ms: number, callback: () => void = () => void this._runTick(), expiryCheck = false): void {
    if (this._closed) return;
    this._expiryCheck = expiryCheck;
    this._tickTimer.value = this._options.clock.setTimeout(() => {
      this._expiryCheck = false;
      callback();
    }, ms);
  }

  /**
   * A follower connected to the holder's beacon hears of a death or release from the connection's
   * end and of each renewal from a beat: it needs to look at the directory only once the lease
   * could have run out since the last renewal it saw (a paused holder). Otherwise it polls.
   */
  private _scheduleFollower(): void {
    const { clock, leaseMs, pollMs } = this._options;
    const observed = this._observed;
    const watch = this._watch;
    if (observed && observed.term === this._resetTerm) {
      // A reset slot: no beacon to hear from, and nobody claims before a lease has passed since it
      // was seen; a slot added meanwhile only makes the wait longer. Look when the lease is over.
      this._schedule(Math.max(pollMs, observed.at + leaseMs - clock.now()));
      return;
    }
    if (!watch?.connected || observed?.term !== watch.term) {
      // The beacon just ended and the term still looked held: the holder's exit is under way;
      // look again in a millisecond rather than a poll period.
      const ended = this._beaconEnded;
      // Only a process that would claim at once: the others would only take CPU from the dying one.
      const soon = this._claimDelayMs === 0 && ended !== undefined && ended.term === observed?.term && clock.now() - ended.at < beaconEndGraceMs;
      if (!this._options.beacon && !soon && observed && observed.term !== 0) {
        // Told of renewals and of the holder's end by the owner.
        this._scheduleExpiryCheck(observed, () => true);
        return;
      }
      // Holding back from a new term's beacon (see _followBeacon): connect when that ends, without polling meanwhile.
      const connectIn = this._beaconHeldBackFor(clock.now());
      this._schedule(soon ? 1 : connectIn > 0 ? Math.max(connectIn, 1) : pollMs);
      return;
    }
    this._scheduleExpiryCheck(observed, () => this._watch === watch && watch.connected);
  }

  /**
   * Looks at the directory when the lease could have run out since the last renewal heard of,
   * while `following()` still holds. Beats move this timer as they come (see _noteBeat); one
   * that could not (an expiry already due) sends it back to sleep without reading the directory.
   */
  private _scheduleExpiryCheck(observed: { at: number; term: number }, following: () => boolean): void {
    const { clock, pollMs } = this._options;
    // A waiter that defers leaves a paused holder to the successor, which claims at once: looking
    // later than the lease allows, it sleeps through the holder's renewals instead of waking
    // between them for a check the next beat makes moot (a timer cleared still wakes the process
    // when it would have fired; see docs/BENCHMARKS.md).
    const horizon = this._options.leaseMs + (this._claimDelayMs > 0 ? this._expiryCheckDelayMs : 0);
    this._schedule(
      Math.max(pollMs, observed.at + horizon - clock.now()),
      () => {
        const current = this._observed;
        if (following() && current?.term === observed.term && clock.now() < current.at + horizon) this._scheduleFollower();
        else void this._runTick();
      },
      true,
    );
  }

  private async _tick(): Promise<void> {
    if (this._closed) return;
    try {
      if (this._held) await this._renew(this._held);
      else {
        await this._files.ensure();
        await this._observe();
      }
      this._lastError = undefined;
    } catch (err) {
      this._lastError = err as Error;
      // The directory was removed under us: recreate it on the next tick.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this._files.invalidate();
      this._options.logger.warn({ err, dir: this._options.lockDir }, 'lock tick failed; retrying');
    }
    if (this._closed) return;
    if (this._held) this._schedule(this._renewDueInMs(this._held));
    // Deferring: look every pollMs, so the successor's term is seen as soon as it is there.
    else if (this._deferred) this._schedule(Math.max(0, Math.min(this._options.pollMs, this._deferred.until - this._options.clock.now())));
    else this._scheduleFollower();
  }

  /**
   * 40% of the lease: a holder stalled for up to 60% of it less the margin keeps its term, and a
   * waiter woken by every beat wakes 2.5 times per lease for the beats, and once per two renewals
   * at the deadline of an expiry check a beat has moved (the check itself does not run).
   */
  private _renewIntervalMs(): number {
    return Math.max(this._options.pollMs, this._options.leaseMs * 0.4);
  }

  /**
   * The next renewal is due an interval after the lease was last secured, not after the tick
   * that secured it ended: the lease counts from the claim's start, and a claim whose fsync took
   * most of the lease (a busy disk) would otherwise renew past its own expiry and lose the term
   * it had just taken: an overdue renewal runs at once. A renewal that failed (transient I/O
   * trouble) is retried every pollMs while the lease lasts, not in a busy loop.
   */
  private _renewDueInMs(held: Held): number {
    const due = Math.max(held.securedAt + this._renewIntervalMs(), held.retryAt ?? 0);
    return Math.max(0, due - this._options.clock.now());
  }

  private async _observe(): Promise<void> {
    const { clock, leaseMs, logger } = this._options;
    let scan = this._files.scan();
    // The directory was removed while in use (by hand, or a cleaner of temporary files), and
    // maybe made again: what this process saw there says nothing of the slots now at those
    // indexes. The same when its latest slot is below one seen here (slots removed by hand; the
    // latest is never removed otherwise). Start afresh, and write a reset slot above every index
    // seen, which nobody claims until a lease has passed (see LeaseFiles). A process that never
    // saw a slot cannot tell this from a first start.
    const seen = Math.max(this._highestSeen, this._observed?.latest ?? 0);
    const fresh = this._files.generation !== this._generation || scan.latest < seen;
    if (fresh) {
      this._generation = this._files.generation;
      this._observed = undefined;
      this._beaconEnded = undefined;
      this._deferred = undefined;
    }
    if (scan.latest < seen) {
      await this._files.ensure();
      if (this._files.reset(seen + 1)) {
        logger.warn({ dir: this._options.lockDir, latest: scan.latest, seen, resetSlot: seen + 1 }, 'the lock directory lost its slots while in use (removed?); wrote a reset slot, and nobody claims the name until a lease has passed');
      }
      scan = this._files.scan();
    }
    if (scan.latest > this._highestSeen) this._highestSeen = scan.latest;
    const now = clock.now();
    // A term this process sees for the first time was most likely claimed a moment ago by a live
    // process (in a group, the look that confirms its welcome): its lock is probed from the next
    // look on. Only a claim waits for that look; what may be claimed does not change.
    const newTerm = this._observed !== undefined && this._observed.term !== scan.term;
    // Lease expiry is judged from when *this* process last saw the slots change, never from
    // timestamps written by another process.
    if (!this._observed || this._observed.latest !== scan.latest) {
      if (this._observed && this._observed.term !== scan.term) this._termSeenAt = now;
      this._observed = { latest: scan.latest, at: now, term: scan.term };
    }
    // A reset slot: nobody holds the name, and nobody may claim it before the lease has passed.
    const holderTerm = scan.reset ? 0 : scan.term;
    this._resetTerm = scan.reset ? scan.term : undefined;
    if (fresh || holderTerm !== this._holder?.token || holderTerm === 0) this._updateHolder(holderTerm);
    if (this._holdoff && (this._holdoff.term !== scan.term || now >= this._holdoff.until)) this._holdoff = undefined;
    if (this._contending && !this._holdoff) {
      let why: string | undefined;
      if (scan.term === 0) why = 'never held';
      else if (scan.reset) {
        if (now - this._observed.at >= leaseMs) why = `the lock directory was recreated ${Math.round(now - this._observed.at)} ms ago (lease ${leaseMs} ms)`;
      } else if (!newTerm && this._files.isReleased(scan.term)) why = 'holder released or died';
      else if (now - this._observed.at >= leaseMs) why = `no renewal for ${Math.round(now - this._observed.at)} ms (lease ${leaseMs} ms)`;
      if (why && this._deferClaim(scan.term, now)) return;
      this._deferred = undefined;
      if (why) {
        await this._claim(scan, why);
        return;
      }
    }
    this._deferred = undefined;
    // A reset slot has no beacon: this process looks again when the lease has passed (see _scheduleFollower).
    this._followBeacon(holderTerm, now);
  }

  /** Whether to leave the free term `term` to a successor a while longer (see setClaimDelay). */
  private _deferClaim(term: number, now: number): boolean {
    if (term === 0 || this._claimDelayMs === 0) return false;
    if (this._deferred?.term !== term) {
      // From the end of the term's beacon, when that is what told this process (it looks only
      // later, see _followBeacon): the delay is the same whenever it looks.
      const ended = this._beaconEnded;
      const since = ended?.term === term && now - ended.at < this._claimDelayMs ? ended.at : now;
      this._deferred = { term, since, until: since + this._claimDelayMs };
    }
    // Measured from when this process first saw the term free, so a shorter delay set meanwhile counts too.
    this._deferred.until = this._deferred.since + this._claimDelayMs;
    return now < this._deferred.until;
  }

  private _followBeacon(term: number, now: number): void {
    if (this._watch && this._watch.term !== term) this._closeWatch();
    if (this._watch || term === 0 || !this._options.beacon) return;
    // Its beacon just ended: the holder is going. Its listening socket may outlive the connection
    // for a while as the kernel tears the process down, and a new connection would only sleep
    // until that closes too; look at the directory instead (every millisecond, see _scheduleFollower).
    const ended = this._beaconEnded;
    if (ended?.term === term && now - ended.at < beaconEndGraceMs) return;
    const retry = this._watchRetry;
    if (retry?.term === term && now < retry.at) return;
    // A process that defers its claims (a group's follower other than the standby) connects to a
    // new term's beacon a moment after the term began, not in the rush: the new holder is taking
    // its followers on just then. Meanwhile it does not poll: it looks again when the moment is
    // over (speed only: the beacon carries no authority, and its group tells it of a new term).
    if (this._beaconHeldBackFor(now) > 0) return;
    const path = beaconPath(this._options.lockDir, term);
    if (!path) return;
    const watch = new BeaconWatch(
      term,
      path,
      this._claimDelayMs > 0,
      (index) => this._noteBeat(term, index),
      (wasConnected) => {
        if (this._watch !== watch) return;
        this._watch = undefined;
        if (!wasConnected) {
          // No beacon (not listening yet, or a holder without one): keep polling, try again later.
          const failures = retry?.term === term ? retry.failures + 1 : 1;
          const delay = Math.min(this._options.leaseMs / 4, 10 * 2 ** failures);
          this._watchRetry = { term, at: this._options.clock.now() + delay, failures };
          // Try again then, not at the next poll: with a long pollMs, a beacon that was not yet
          // listening would otherwise leave this follower polling, and a death unseen, for that long.
          if (!this._closed && !this._held && delay < this._options.pollMs) this._schedule(delay);
          return;
        }
        // The holder died or let go: look now, not at the next expiry check.
        this._beaconEnded = { term, at: this._options.clock.now() };
        void this._lookAfterHolderEnded();
      },
    );
    this._watch = watch;
  }

  /** How much longer this process holds back from connecting to the current term's beacon (0: not holding back). */
  private _beaconHeldBackFor(now: number): number {
    if (this._claimDelayMs === 0 || this._termSeenAt === undefined || this._held) return 0;
    return Math.max(0, this._termSeenAt + newTermBeaconDelayMs - now);
  }

  private _closeWatch(): void {
    this._watch?.dispose();
    this._watch = undefined;
  }

  private _updateHolder(term: number): void {
    const record = term === 0 ? undefined : this._files.readTerm(term);
    const previous = this._holder;
    this._holder = record ?? (term === 0 ? undefined : { token: term, id: 'unknown', pid: 0, hostname: '', since: '' });
    // The same token by another holder: a term at an index used again (the directory made again).
    if (previous?.token !== this._holder?.token || previous?.id !== this._holder?.id) this._onDidChangeHolder.fire(this._holder);
  }

  private async _claim(scan: Scan, why: string): Promise<void> {
    const { clock, leaseMs, id, metadata, logger } = this._options;
    const index = scan.latest + 1;
    const record: TermRecord = { token: index, id, pid: process.pid, hostname: hostname(), metadata, since: new Date().toISOString() };
    const startedAt = clock.now();
    let beacon: BeaconServer | undefined;
    let fd: number | undefined;
    try {
      fd = await this._files.claim(index, record, () => {
        // Listening before the fsync: the waiters that lost the race see the new term at once and
        // connect, rather than find no beacon and poll until the next try.
        const path = this._options.beacon ? beaconPath(this._options.lockDir, index) : undefined;
        if (path) beacon = new BeaconServer(path, logger);
        this._onWillAcquire.fire(index);
      });
    } catch (err) {
      beacon?.close();
      throw err;
    }
    if (fd === undefined) {
      logger.debug({ fencingToken: index }, 'another process claimed the slot first');
      // Learn the winner now rather than at the next poll: its slot is complete once linked.
      const after = this._files.scan();
      const holderTerm = after.reset ? 0 : after.term;
      this._resetTerm = after.reset ? after.term : undefined;
      if (holderTerm !== this._holder?.token) this._updateHolder(holderTerm);
      if (!this._closed) this._followBeacon(holderTerm, clock.now());
      return;
    }
    if (this._closed || !this._contending) {
      // Closed while claiming: give the term straight back (the OS lock first, as in _lose).
      closeQuietly(fd);
      beacon?.close();
      return;
    }
    const held: Held = { token: index, record, validUntil: startedAt + leaseMs - this._margin, securedAt: startedAt, fd, latest: index, renewals: 0 };
    this._held = held;
    this._holder = record;
    this._armExpiry(held);
    this._closeWatch();
    this._beacon = beacon;
    logger.info({ fencingToken: index, previous: scan.term || undefined, why }, 'acquired');
    this._onDidChangeHolder.fire(record);
    this._onDidAcquire.fire(held);
    // Old terms' slots pile up one per grant; sweep them now and then, not on every claim.
    if (scan.slots.length >= 16) this._files.prune(index, this._files.scan(), true);
  }

  private async _renew(held: Held): Promise<void> {
    const { clock, leaseMs } = this._options;
    const startedAt = clock.now();
    if (startedAt >= held.validUntil) {
      this._lose(held, 'lost', 'lease expired before it could be renewed (process paused or blocked)');
      return;
    }
    const fault = faultPoints.beforeRenew;
    if (fault) {
      await fault(held.latest + 1);
      if (this._held !== held) return;
    }
    let renewed: RenewResult;
    try {
      renewed = this._files.renew(held.latest + 1, held.token);
    } catch (err) {
      // Transient I/O trouble: keep the term while the lease lasts; the expiry timer ends it otherwise.
      this._options.logger.warn({ err, fencingToken: held.token }, 'could not renew the lease; will retry');
      held.retryAt = clock.now() + this._options.pollMs;
      return;
    }
    if (this._held !== held) return;
    if (renewed === 'taken') {
      this._lose(held, 'lost', 'another process took over the name');
      return;
    }
    if (renewed === 'gone') {
      this._lose(held, 'lost', 'the lock directory was removed while held (the term is no longer on disk)');
      return;
    }
    held.latest += 1;
    held.renewals += 1;
    held.validUntil = startedAt + leaseMs - this._margin;
    held.securedAt = startedAt;
    held.retryAt = undefined;
    this._armExpiry(held);
    // Every renewal: a waiter dates a renewal from the beat that announced it. One found by a
    // scan instead can only be dated from the scan (it may have been linked just before), so a
    // waiter that missed the last renewal before a pause would take over up to a lease late.
    // (Waiters that defer their claims asked for every other beat: see BeaconWatch.)
    this._beacon?.beat(held.latest);
    this._onDidRenew.fire({ token: held.token, index: held.latest });
    if (held.renewals % 8 === 0) this._files.prune(held.token, this._files.scan());
  }

  private _armExpiry(held: Held): void {
    const delay = Math.max(0, held.validUntil - this._options.clock.now());
    this._expiryTimer.value = this._options.clock.setTimeout(() => {
      if (this._held !== held) return;
      if (this._options.clock.now() >= held.validUntil) this._lose(held, 'lost', 'lease expired without renewal (process paused or blocked)');
      // A timer can fire a fraction of a millisecond before the deadline by the monotonic clock.
      else this._armExpiry(held);
    }, delay);
  }

  private _lose(held: Held, reason: LoseReason, detail: string): void {
    if (this._held !== held) return;
    this._held = undefined;
    // Its own slots count as seen: if the directory was removed, it is recreated above them.
    if (held.latest > this._highestSeen) this._highestSeen = held.latest;
    this._expiryTimer.clear();
    this._observed = undefined;
    this._deferred = undefined;
    // Closing the term file drops the OS lock, then closing the beacon tells the waiters: they find
    // the name free and claim at once.
    closeQuietly(held.fd);
    this._beacon?.close();
    this._beacon = undefined;
    // Back to following at the poll rate, to see who takes over.
    this._schedule(this._options.pollMs);
    const log = reason === 'lost' ? this._options.logger.warn.bind(this._options.logger) : this._options.logger.info.bind(this._options.logger);
    log({ fencingToken: held.token, reason, detail }, reason === 'lost' ? 'lost the name' : 'released the name');
    this._onDidLose.fire({ token: held.token, reason, detail });
  }

  /** Gives up the held term (if any): waiters see it released on their next poll. */
  async release(reason: 'resigned' | 'closed'): Promise<void> {
    await this._tickChain;
    const held = this._held;
    if (held) this._lose(held, reason, reason === 'resigned' ? 'resigned' : 'closed');
  }

  /**
   * Stops taking part, synchronously: gives up the held term (its OS lock is dropped at once, so
   * a waiter takes over on its next poll), stops every timer and closes every descriptor. A tick
   * still in flight (a claim waiting for its fsync) gives back what it claimed when it resumes.
   */
  override dispose(): void {
    if (this._closed) return;
    this._closed = true;
    this._contending = false;
    const held = this._held;
    if (held) this._lose(held, 'closed', 'closed');
    this._tickTimer.clear();
    this._expiryTimer.clear();
    this._closeWatch();
    this._files.close();
    super.dispose();
  }

  /** dispose(), then waits for a tick in flight to finish. */
  async close(): Promise<void> {
    this.dispose();
    await this._tickChain;
  }
}
