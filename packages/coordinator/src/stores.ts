import { Disposable, type Logger } from '@baton/base';
import { openStore, type Store, type StoreOptions } from '@baton/state';
import type { GroupMetrics } from './metrics.js';
import type { StoreNotice } from './protocol.js';

/** Options of a group's store: `@baton/state`'s StoreOptions without what the group sets itself. */
export type GroupStoreOptions<T> = Omit<StoreOptions<T>, 'dir' | 'name' | 'logger' | 'signal'>;

/** The safety poll of a group's store (a plain store's is 5 s): pushes and the directory watch come first. */
const groupStorePollMs = 15_000;

/** Wall clock with sub-millisecond resolution, comparable between processes (for latency metrics only). */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

/**
 * The stores a member opened through its group. Each write of this member is announced (`announce`: to the leader,
 * or by the leader to every follower); each version heard of is read from the file (`receive`). A follower that
 * joins takes the leader's versions from the welcome and announces any of its own that are newer, so a write made
 * while there was no leader to tell still reaches everyone at the next join; the directory watch and a safety poll
 * stay on behind, for a member that died before it could tell anyone.
 */
export class GroupStores extends Disposable {
  private readonly _stores = new Map<string, Store<unknown>>();
  private readonly _lastPush = new Map<string, StoreNotice>();
  /** At the leader: the highest version of each store it passed on to its followers. */
  private readonly _passedOn = new Map<string, number>();

  constructor(
    private readonly _options: { dir: string; group: string; logger: Logger | undefined; metrics: GroupMetrics; announce: (notice: StoreNotice) => void },
  ) {
    super();
  }

  /** Opens the store `name` (the same object for the same name). `closing()` is asked again once it is open. */
  async open<T>(name: string, options: GroupStoreOptions<T>, throwIfClosing: () => void): Promise<Store<T>> {
    const existing = this._stores.get(name);
    if (existing) return existing as Store<T>;
    // Versions are pushed and the directory is watched: the safety poll is a third net, so a slow
    // one (unless the caller asked for polling or chose a period).
    const pollMs = options.pollMs ?? (options.watch === 'poll' ? undefined : groupStorePollMs);
    const store = await openStore<T>({ ...options, pollMs, dir: this._options.dir, name: `${this._options.group}.${name}`, logger: this._options.logger });
    try {
      // close() began while the store opened: it would not wait for this store's writes.
      throwIfClosing();
    } catch (err) {
      store.dispose();
      throw err;
    }
    const raced = this._stores.get(name);
    if (raced) {
      store.dispose();
      return raced as Store<T>;
    }
    this._stores.set(name, store as Store<unknown>);
    const metrics = this._options.metrics;
    this._register(store.onDidChange((change) => {
      if (change.origin === 'local') {
        metrics.stateUpdatesSent.inc();
        this._options.announce({ store: name, version: change.version, at: preciseNow() });
        return;
      }
      metrics.stateUpdatesReceived.inc();
      const push = this._lastPush.get(name);
      if (push && change.version >= push.version) {
        this._lastPush.delete(name);
        if (push.at > 0) metrics.pushLatency.observe(Math.max(0, preciseNow() - push.at));
      }
    }));
    return store;
  }

  /** A version of a store heard of (a push, a welcome, a join): read it if newer. True if it was. */
  receive(notice: StoreNotice): boolean {
    const store = this._stores.get(notice.store);
    if (!store || notice.version <= store.version) return false;
    this._lastPush.set(notice.store, notice);
    store.notifyChanged(notice.version);
    return true;
  }

  /**
   * At the leader: whether to pass `notice` on to the followers. Each version once, whoever told of it (the writer's
   * push, a joining follower); a version its followers have had already (a join that repeats it) is not.
   */
  passOn(notice: StoreNotice): boolean {
    if (notice.version <= (this._passedOn.get(notice.store) ?? 0)) return false;
    this._passedOn.set(notice.store, notice.version);
    return true;
  }

  /**
   * The version of each store this member has open, or a later one it has heard of and is still reading: a welcome
   * sent while that read runs tells the joiner of the version it would otherwise miss.
   */
  versions(): Record<string, number> {
    const versions: Record<string, number> = {};
    for (const [name, store] of this._stores) versions[name] = Math.max(store.version, this._lastPush.get(name)?.version ?? 0);
    return versions;
  }

  /** Waits for every store's writes. */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this._stores.values()].map((store) => store.close()));
  }

  override dispose(): void {
    for (const store of this._stores.values()) store.dispose();
    super.dispose();
  }
}
