import type { Etcd3, IKeyValue } from 'etcd3';
import { retry, type Logger } from '@baton/base';

type Watcher = Awaited<ReturnType<ReturnType<Etcd3['watch']>['create']>>;

/** A write that starts within this of the last one's end: the store is writing back to back, and stops watching. */
export const pauseAfterMs = 20;
/** A stopped watch starts again this long after the store's last write ended (none in flight). */
export const resumeAfterMs = 50;

/** What the store does with the watch's events. */
export interface KeyWatchOptions {
  client: Etcd3;
  key: Buffer;
  logger: Logger;
  /** The key's mod revision as the store last saw it: a watch starts again after it. */
  lastRevision(): number;
  onPut(kv: IKeyValue): void;
  onDelete(): void;
  /** Reads the key afresh (the store takes the value); resolves with the revision to watch from. */
  readAfresh(): Promise<number>;
}

/**
 * The watch of a store's key, in explicit states:
 * - `starting`: a watch is being made (at open, after a pause, after etcd ended one);
 * - `watching`: changes arrive as etcd makes them;
 * - `paused`: the store is writing back to back. etcd sends every write to every watcher of the key, the writer's
 *   own included, and handling that event costs a writer about a tenth of its write; a writer learns of other
 *   writers from its own transactions anyway (a compare that fails returns the key). So the watch is stopped, and
 *   made again `resumeAfterMs` after the store's last write ended, from the revision after the last one it saw:
 *   etcd replays what came meanwhile. Another writer's change reaches a paused store with its own next write, or
 *   within `resumeAfterMs` after its last one. "Back to back" is measured from one write's end to the next one's
 *   start, so a slow etcd (writes of more than `pauseAfterMs`) does not hide it, and no watch resumes mid-write;
 * - `closed`.
 * A watch that etcd ends (its revision compacted while the connection was down) is replaced by a fresh read of the
 * key and a watch from that read's revision, tried again with backoff while etcd is away: changes never stop for good.
 */
export class KeyWatch {
  private _state: { kind: 'starting' } | { kind: 'watching'; watcher: Watcher } | { kind: 'paused'; timer: ReturnType<typeof setTimeout> | undefined } | { kind: 'closed' } = { kind: 'starting' };
  /** When the store's last write ended (performance.now()). */
  private _lastEndedAt = -Infinity;
  /** Writes begun and not ended. */
  private _writing = 0;

  constructor(private readonly _options: KeyWatchOptions) {}

  /** The state, for diagnostics and tests. */
  get state(): 'starting' | 'watching' | 'paused' | 'closed' {
    return this._state.kind;
  }

  /** Starts watching from `revision`; rejects when the watch cannot be made. */
  async start(revision: number): Promise<void> {
    await this._create(revision);
  }

  /** A write of the store begins. */
  writing(): void {
    const backToBack = performance.now() - this._lastEndedAt < pauseAfterMs;
    this._writing++;
    const state = this._state;
    if (state.kind === 'paused') {
      clearTimeout(state.timer);
      state.timer = undefined;
    } else if (state.kind === 'watching' && backToBack) {
      void state.watcher.cancel().catch(() => {});
      this._state = { kind: 'paused', timer: undefined };
    }
  }

  /** The write begun with `writing()` ended, landed or not. */
  ended(): void {
    this._writing = Math.max(0, this._writing - 1);
    this._lastEndedAt = performance.now();
    const state = this._state;
    if (state.kind === 'paused' && this._writing === 0) {
      clearTimeout(state.timer);
      state.timer = setTimeout(() => this._resume(), resumeAfterMs);
    }
  }

  close(): void {
    const state = this._state;
    this._state = { kind: 'closed' };
    if (state.kind === 'watching') void state.watcher.cancel().catch(() => {});
    if (state.kind === 'paused') clearTimeout(state.timer);
  }

  private _resume(): void {
    if (this._state.kind !== 'paused') return;
    this._state = { kind: 'starting' };
    const last = this._options.lastRevision();
    // A key never seen (or seen deleted) has no revision to go on from: read it afresh.
    if (last === 0) return void this._recover();
    this._create(last + 1).catch((err: unknown) => {
      this._options.logger.debug({ err }, 'could not watch the key again after a pause; reading it and watching again');
      void this._recover();
    });
  }

  private async _create(revision: number): Promise<void> {
    const watcher = await this._options.client.watch().key(this._options.key).startRevision(String(revision)).create();
    if (this._state.kind !== 'starting') {
      void watcher.cancel().catch(() => {});
      return;
    }
    this._state = { kind: 'watching', watcher };
    watcher.on('put', (kv: IKeyValue) => this._options.onPut(kv));
    watcher.on('delete', () => this._options.onDelete());
    watcher.on('error', (err: Error) => {
      if (this._state.kind !== 'watching' || this._state.watcher !== watcher) return;
      // etcd cancelled this watch and etcd3 dropped it before reporting the error: cancelling it again would send a
      // cancel request whose answer etcd3 cannot place, and it throws that from its stream (an uncaught exception).
      this._state = { kind: 'starting' };
      this._options.logger.warn({ err }, 'etcd watch of the store ended; reading the key and watching it again');
      void this._recover();
    });
  }

  private async _recover(): Promise<void> {
    await retry(
      async () => {
        if (this._state.kind !== 'starting') return;
        await this._create(await this._options.readAfresh());
      },
      {
        attempts: Infinity,
        backoff: { initialMs: 100, maxMs: 2000, jitter: 'none' },
        shouldRetry: (err) => {
          this._options.logger.debug({ err }, 'could not watch the key again yet; retrying');
          return this._state.kind === 'starting';
        },
      },
    ).catch(() => {});
  }
}
