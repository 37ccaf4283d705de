import { hostname } from 'node:os';
import { Disposable, Emitter, retry, type Logger } from '@baton/base';
import type { Etcd3, IKeyValue } from 'etcd3';
import { prefixEnd, revisionOf } from './client.js';
import { toEtcdError } from './errors.js';
import type { Session } from './session.js';

/** What a candidate publishes in its key. */
export interface HolderRecord {
  readonly id: string;
  readonly pid: number;
  readonly hostname: string;
  readonly metadata: unknown;
  /** Wall-clock time the candidate entered (display only). */
  readonly since: string;
}

export interface Holder extends HolderRecord {
  /** The holder key's create revision: its fencing token. */
  readonly token: number;
  readonly key: string;
}

export type EntryLoss = { reason: 'lost' | 'released'; detail: string };

/**
 * Test-only fault points. `beforeAcquire` runs after a candidate saw its key lowest, before it
 * takes the name; `beforeDelete` after an entry ended, before its key is deleted.
 */
export const queueFaultPoints: { beforeAcquire?: (token: number) => Promise<void> | void; beforeDelete?: (token: number) => Promise<void> | void } = {};

export function newRecord(id: string, metadata: unknown): HolderRecord {
  return { id, pid: process.pid, hostname: hostname(), metadata, since: new Date().toISOString() };
}

/**
 * One candidate's place in a name's queue: a key `<prefix><lease>-<n>` attached to its session's
 * lease. The name belongs to the key with the lowest create revision, and that revision is the
 * holder's fencing token. etcd's revisions only grow and are never reused, and a key cannot be
 * created with an older revision than an existing one, so each next holder's token is larger
 * than every earlier holder's. A holder's key goes when it releases (delete) or when its lease
 * expires in etcd, and this process stops trusting the lease before etcd can expire it (see
 * Session): at no moment can two candidates both hold the name by their own reckoning.
 *
 * Every candidate watches the prefix from the revision at which it entered, so no release or
 * expiry is missed between its look and its watch; a release is seen within one round trip.
 */
export class QueueEntry extends Disposable {
  private readonly _onDidAcquire = this._register(new Emitter<number>());
  readonly onDidAcquire = this._onDidAcquire.event;
  private readonly _onDidLose = this._register(new Emitter<EntryLoss>());
  /** This entry held the name and no longer does, or (not holding) its key went: it is over. */
  readonly onDidLose = this._onDidLose.event;
  private readonly _onDidChangeHolder = this._register(new Emitter<Holder | undefined>());
  readonly onDidChangeHolder = this._onDidChangeHolder.event;

  readonly key: string;
  private readonly _keyBuffer: Buffer;
  private readonly _prefixBuffer: Buffer;
  private _token = 0;
  private _holding = false;
  private _over = false;
  private _holder: Holder | undefined;
  private _watcher: Awaited<ReturnType<ReturnType<Etcd3['watch']>['create']>> | undefined;
  private _checking: Promise<void> | undefined;
  private _checkAgain = false;
  private _lastError: Error | undefined;

  constructor(
    private readonly _client: Etcd3,
    private readonly _prefix: string,
    readonly session: Session,
    private readonly _record: HolderRecord,
    private readonly _logger: Logger,
  ) {
    super();
    // One key per entry, not per lease: after a resign the same session enters again while the
    // old key's delete may still be in flight, and the two must not be taken for one.
    this.key = `${_prefix}${session.leaseHex}-${session.nextEntry()}`;
    this._keyBuffer = Buffer.from(this.key);
    this._prefixBuffer = Buffer.from(_prefix);
    this._register(session.onDidLose((detail) => this._end('lost', `the etcd lease ended: ${detail}`)));
  }

  get token(): number {
    return this._token;
  }

  /** Holds the name now: the key is lowest and the session's lease can be trusted. */
  get holding(): boolean {
    return this._holding && !this._over && this.session.isValid();
  }

  get over(): boolean {
    return this._over;
  }

  get holder(): Holder | undefined {
    return this._holder;
  }

  get lastError(): Error | undefined {
    return this._lastError;
  }

  /** Creates the key (once), starts watching the queue, and looks whether this entry holds the name. */
  async enter(): Promise<void> {
    const response = await this._client.kv.txn({
      compare: [{ key: this._keyBuffer, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: this._keyBuffer, value: Buffer.from(JSON.stringify(this._record)), lease: this.session.leaseId } }],
      failure: [{ request_range: { key: this._keyBuffer } }],
    });
    const revision = revisionOf(response.header.revision);
    const existing = response.succeeded ? undefined : response.responses[0]?.response_range.kvs[0];
    this._token = existing ? revisionOf(existing.create_revision) : revision;
    if (this._over) return;
    await this._watchFrom(revision + 1);
    await this.check();
  }

  /**
   * Watches the queue from `revision`. etcd3 cancels a watch for good when it cannot resume it (its revision was
   * compacted while the stream was down), and reports that as an error: then the queue is read afresh and watched
   * from that read's revision (what happened meanwhile is in the read), tried again with backoff while etcd is away.
   */
  private async _watchFrom(revision: number): Promise<void> {
    const watcher = await this._client.watch().prefix(this._prefixBuffer).startRevision(String(revision)).create();
    if (this._over) {
      void watcher.cancel().catch(() => {});
      return;
    }
    this._watcher = watcher;
    // From event handlers: a look that fails is logged, never thrown into the watcher.
    const look = () => void this.check().catch((err: unknown) => this._logger.warn({ err }, 'could not look at the queue'));
    watcher.on('put', look);
    watcher.on('delete', (kv: IKeyValue) => {
      if (kv.key.equals(this._keyBuffer)) this._end('lost', 'its key was deleted in etcd (lease expired there, or removed by hand)');
      else look();
    });
    // Resumed from its last revision after a reconnect; look anyway, as what was missed is unknown.
    watcher.on('connected', look);
    watcher.on('error', (err: Error) => {
      if (this._watcher !== watcher) return;
      this._lastError = toEtcdError(err, this._client, `etcd queue ${this._prefix}: watch`) as Error;
      this._watcher = undefined;
      // etcd cancelled this watch and etcd3 dropped it before reporting the error: cancelling it again would send a
      // cancel request whose answer etcd3 cannot place, and it throws that from its stream (an uncaught exception).
      this._logger.warn({ err }, 'etcd watch of the queue ended; reading the queue and watching it again');
      void this._rewatch();
    });
  }

  private async _rewatch(): Promise<void> {
    await retry(
      async () => {
        if (this._over) return;
        if (!this._watcher) {
          const response = await this._client.kv.range({ key: this._prefixBuffer, range_end: prefixEnd(this._prefixBuffer), count_only: true });
          await this._watchFrom(revisionOf(response.header.revision) + 1);
        }
        await this.check();
      },
      {
        attempts: Infinity,
        backoff: { initialMs: 100, maxMs: 2000 },
        shouldRetry: (err) => {
          this._lastError = toEtcdError(err, this._client, `etcd queue ${this._prefix}: watch again`) as Error;
          this._logger.debug({ err }, 'could not watch the queue again yet; retrying');
          return !this._over;
        },
      },
    ).catch(() => {});
  }

  /** Looks at the queue now (serialized; a look asked for while one runs runs again after it). */
  check(): Promise<void> {
    if (this._checking) {
      this._checkAgain = true;
      return this._checking;
    }
    this._checking = (async () => {
      try {
        do {
          this._checkAgain = false;
          await this._look();
        } while (this._checkAgain && !this._over);
      } finally {
        this._checking = undefined;
      }
    })();
    return this._checking;
  }

  private async _look(): Promise<void> {
    if (this._over) return;
    let lowest: IKeyValue | undefined;
    try {
      const response = await this._client.kv.range({
        key: this._prefixBuffer,
        range_end: prefixEnd(this._prefixBuffer),
        sort_order: 'Ascend',
        sort_target: 'Create',
        limit: 1,
      });
      lowest = response.kvs[0];
      this._lastError = undefined;
    } catch (err) {
      this._lastError = toEtcdError(err, this._client, `etcd queue ${this._prefix}: read`) as Error;
      this._logger.debug({ err }, 'could not read the queue; the watch will ask again');
      return;
    }
    if (this._over) return;
    const holder = lowest ? toHolder(lowest) : undefined;
    if (holder?.token !== this._holder?.token) {
      this._holder = holder;
      this._onDidChangeHolder.fire(holder);
    }
    if (!lowest || revisionOf(lowest.create_revision) > this._token) {
      this._end('lost', 'its key is gone from etcd (lease expired there, or removed by hand)');
      return;
    }
    if (this._holding || !lowest.key.equals(this._keyBuffer)) return;
    await queueFaultPoints.beforeAcquire?.(this._token);
    // A pause here (the fault point) may outlast the lease: etcd may already have given the name on.
    if (this._over || !this.session.isValid()) return;
    this._holding = true;
    this._logger.info({ fencingToken: this._token }, 'acquired');
    this._onDidAcquire.fire(this._token);
  }

  /**
   * Gives the name up: ends this entry here first (so nothing acts on it any more), then deletes
   * the key, so the next candidate is told at once. Idempotent.
   */
  async leave(detail = 'released'): Promise<void> {
    const wasOver = this._over;
    this._end('released', detail);
    if (wasOver && this.session.lost) return;
    await queueFaultPoints.beforeDelete?.(this._token);
    try {
      await this._client.kv.txn({
        compare: [{ key: this._keyBuffer, target: 'Create', result: 'Equal', create_revision: this._token }],
        success: [{ request_delete_range: { key: this._keyBuffer } }],
      });
    } catch (err) {
      // The key would go with the lease, but the session's keep-alives would keep it (an election enters again with
      // the same session): end the session, so the key goes now (revoked) or at the TTL, and a new one is used.
      this._logger.warn({ err, key: this.key }, 'could not delete the key; ending its lease so that it goes');
      void this.session.revoke();
    }
  }

  private _end(reason: EntryLoss['reason'], detail: string): void {
    if (this._over) return;
    this._over = true;
    const held = this._holding;
    this._holding = false;
    const watcher = this._watcher;
    this._watcher = undefined;
    void watcher?.cancel().catch(() => {});
    if (held) this._logger[reason === 'lost' ? 'warn' : 'info']({ fencingToken: this._token, detail }, reason === 'lost' ? 'lost the name' : 'released the name');
    this._onDidLose.fire({ reason, detail });
  }

  override dispose(): void {
    this._end('released', 'closed');
    super.dispose();
  }
}

function toHolder(kv: IKeyValue): Holder {
  let record: Partial<HolderRecord> = {};
  try {
    record = JSON.parse(kv.value.toString('utf8')) as HolderRecord;
  } catch {
    // Not one of ours: shown as unknown, still the holder by its revision.
  }
  return {
    id: typeof record.id === 'string' ? record.id : 'unknown',
    pid: typeof record.pid === 'number' ? record.pid : 0,
    hostname: typeof record.hostname === 'string' ? record.hostname : '',
    metadata: record.metadata,
    since: typeof record.since === 'string' ? record.since : '',
    token: revisionOf(kv.create_revision),
    key: kv.key.toString('utf8'),
  };
}
