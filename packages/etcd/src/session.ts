import { Disposable, Emitter, MutableDisposable, type Clock, type Logger } from '@baton/base';
import type { Etcd3 } from 'etcd3';

export interface SessionOptions {
  client: Etcd3;
  /** Lease TTL asked for; etcd rounds up to whole seconds and to its own minimum. */
  ttlMs: number;
  clock: Clock;
  logger: Logger;
  /**
   * The wall clock (default Date.now), which goes on while the machine sleeps: the monotonic clock of `clock` stops
   * during a suspend on Linux (CLOCK_MONOTONIC), so a laptop that wakes would trust a lease etcd expired long ago.
   */
  wallClock?: () => number;
}

/** Test-only fault points. `beforeKeepAlive` runs before each keep-alive is sent. */
export const sessionFaultPoints: { beforeKeepAlive?: (leaseId: string) => void } = {};

type Stream = Awaited<ReturnType<Etcd3['leaseClient']['leaseKeepAlive']>>;

/**
 * One etcd lease, kept alive, with a validity this process can trust by its own monotonic clock.
 *
 * etcd expires a lease TTL after the etcd leader *received* the last keep-alive; this process
 * counts from when it *sent* it, which is earlier, and stops trusting the lease a margin before
 * that (clock-rate differences). So while `isValid` holds, etcd has not expired the lease and no
 * other session's key can have replaced this one's. A keep-alive that is not answered (partition,
 * etcd down, this process paused) is not waited for: the lease ends here at its deadline.
 */
export class Session extends Disposable {
  private readonly _onDidLose = this._register(new Emitter<string>());
  /** The lease ended (with why); it is never valid again. */
  readonly onDidLose = this._onDidLose.event;
  readonly leaseId: string;
  /** The TTL etcd granted, in ms. */
  readonly ttlMs: number;
  private _validUntil: number;
  /** The same deadline by the wall clock: passed after a suspend that the monotonic clock did not count. */
  private _wallValidUntil: number;
  private _lost: string | undefined;
  private _stream: Stream | undefined;
  /** Keep-alives sent and not yet answered, oldest first: when, by the monotonic clock and by the wall clock. */
  private readonly _sent: { at: number; wall: number }[] = [];
  private readonly _timer = this._register(new MutableDisposable());
  private readonly _expiry = this._register(new MutableDisposable());
  /** Looks whether the keep-alive just sent was answered (see _watchAnswer). */
  private readonly _answerWatch = this._register(new MutableDisposable());
  private _reconnectAt = 0;
  private _revoking: Promise<void> | undefined;
  private _entries = 0;
  private readonly _margin: number;

  private constructor(
    private readonly _options: SessionOptions,
    leaseId: string,
    ttlMs: number,
    sentAt: number,
  ) {
    super();
    this.leaseId = leaseId;
    this.ttlMs = ttlMs;
    this._margin = Math.max(1, Math.min(100, ttlMs * 0.05));
    this._validUntil = sentAt + ttlMs - this._margin;
    this._wallValidUntil = this._wallNow() - (_options.clock.now() - sentAt) + ttlMs - this._margin;
    this._armExpiry();
    this._scheduleKeepAlive(0);
  }

  /** Grants a lease. Rejects if etcd cannot be reached within the client's call deadline. */
  static async grant(options: SessionOptions): Promise<Session> {
    const sentAt = options.clock.now();
    const granted = await options.client.leaseClient.leaseGrant({ TTL: Math.max(1, Math.ceil(options.ttlMs / 1000)) });
    return new Session(options, granted.ID, Number(granted.TTL) * 1000, sentAt);
  }

  /** The lease as a hex string, for key names. */
  get leaseHex(): string {
    return BigInt(this.leaseId).toString(16);
  }

  /** A number for the next queue entry made with this session (unique within it). */
  nextEntry(): number {
    return this._entries++;
  }

  get lost(): string | undefined {
    return this._lost;
  }

  /**
   * True while the lease can be trusted. Reading it past the deadline (after a pause) ends the
   * session there and then, before the read returns.
   */
  isValid(): boolean {
    if (this._lost) return false;
    if (this._options.clock.now() >= this._validUntil) {
      this._lose('no keep-alive answered within the lease TTL (etcd unreachable, or this process paused or blocked)');
      return false;
    }
    // The monotonic clock says the lease holds; the wall clock says the lease has passed: the machine slept (or the
    // wall clock was set forward, where stepping down is merely careful).
    if (this._wallNow() >= this._wallValidUntil) {
      this._lose('the wall clock passed the lease while the monotonic clock did not (the machine slept, or its clock was set forward)');
      return false;
    }
    return true;
  }

  private _wallNow(): number {
    return (this._options.wallClock ?? Date.now)();
  }

  /**
   * Ends the session here and revokes the lease in etcd, so its keys go at once (not after the
   * TTL). Idempotent; never rejects (if etcd cannot be reached, the keys go at the TTL).
   */
  revoke(): Promise<void> {
    this._lose('revoked');
    this._revoking ??= this._options.client.leaseClient.leaseRevoke({ ID: this.leaseId }).then(
      () => undefined,
      (err: unknown) => this._options.logger.debug({ err, leaseId: this.leaseHex }, 'could not revoke the lease; its keys go at the TTL'),
    );
    return this._revoking;
  }

  private _scheduleKeepAlive(ms: number): void {
    if (this._lost) return;
    this._timer.value = this._options.clock.setTimeout(() => void this._keepAlive(), ms);
  }

  private async _keepAlive(): Promise<void> {
    if (this._lost) return;
    const interval = this.ttlMs / 3;
    try {
      if (!this._stream) {
        const now = this._options.clock.now();
        if (now < this._reconnectAt) return this._scheduleKeepAlive(this._reconnectAt - now);
        this._reconnectAt = now + 100;
        this._stream = await this._openStream();
        if (this._lost) return;
      }
      sessionFaultPoints.beforeKeepAlive?.(this.leaseId);
      this._sent.push({ at: this._options.clock.now(), wall: this._wallNow() });
      this._stream.write({ ID: this.leaseId });
      this._watchAnswer();
    } catch (err) {
      this._options.logger.debug({ err, leaseId: this.leaseHex }, 'keep-alive stream failed; retrying');
      this._dropStream();
      return this._scheduleKeepAlive(Math.min(100, interval));
    }
    this._scheduleKeepAlive(interval);
  }

  private async _openStream(): Promise<Stream> {
    const stream = await this._options.client.leaseClient.leaseKeepAlive();
    this._sent.length = 0;
    stream.on('data', (response: { ID: string; TTL: string }) => {
      if (this._stream !== stream) return;
      const sentAt = this._sent.shift();
      const ttl = Number(response.TTL);
      if (!(ttl > 0)) {
        this._lose('the lease expired in etcd (etcd answered TTL 0)');
        return;
      }
      if (sentAt === undefined) return;
      const validUntil = sentAt.at + ttl * 1000 - this._margin;
      if (validUntil > this._validUntil) {
        this._validUntil = validUntil;
        this._wallValidUntil = sentAt.wall + ttl * 1000 - this._margin;
        this._armExpiry();
      }
    });
    const fail = (err?: Error) => {
      if (this._stream !== stream) return;
      this._options.logger.debug({ err, leaseId: this.leaseHex }, 'keep-alive stream ended');
      this._dropStream();
      this._scheduleKeepAlive(0);
    };
    stream.on('error', fail);
    stream.on('end', () => fail());
    return stream;
  }

  /**
   * A keep-alive stream has no deadline, and one to a member that stopped (SIGSTOP, a hung host) takes writes and
   * never answers: the lease would run out with other members up. A keep-alive unanswered for min(500 ms, TTL/10)
   * drops the stream and opens a new one, on a member chosen at random, so that a stopped member costs a few of
   * those periods, not the term.
   */
  private _watchAnswer(): void {
    const waitMs = Math.max(200, Math.min(500, this.ttlMs / 10));
    this._answerWatch.value = this._options.clock.setTimeout(() => {
      const oldest = this._sent[0];
      if (this._lost || !this._stream || oldest === undefined || this._options.clock.now() - oldest.at < waitMs) return;
      this._options.logger.debug({ leaseId: this.leaseHex, waitedMs: Math.round(this._options.clock.now() - oldest.at) }, 'keep-alive unanswered; opening the stream again');
      this._dropStream();
      this._scheduleKeepAlive(0);
    }, waitMs);
  }

  private _dropStream(): void {
    const stream = this._stream;
    this._stream = undefined;
    this._sent.length = 0;
    if (!stream) return;
    try {
      stream.end();
    } catch {
      // Already closed.
    }
  }

  private _armExpiry(): void {
    const delay = Math.max(0, this._validUntil - this._options.clock.now());
    // A timer may fire a fraction of a millisecond before the deadline by the monotonic clock:
    // still valid then, so look again rather than let the loss wait for the next reader.
    this._expiry.value = this._options.clock.setTimeout(() => {
      if (this.isValid()) this._armExpiry();
    }, delay + 1);
  }

  private _lose(detail: string): void {
    if (this._lost) return;
    this._lost = detail;
    this._timer.clear();
    this._expiry.clear();
    this._answerWatch.clear();
    this._dropStream();
    if (detail !== 'revoked' && detail !== 'closed') this._options.logger.warn({ leaseId: this.leaseHex, detail }, 'etcd lease lost');
    this._onDidLose.fire(detail);
  }

  /** Stops keeping the lease alive, synchronously; etcd expires it after the TTL (use revoke() to end it now). */
  override dispose(): void {
    this._lose('closed');
    super.dispose();
  }
}
