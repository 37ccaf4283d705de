import { Disposable, Emitter, InvalidArgumentError, type Event } from '@baton/base/portable';
import * as z from 'zod/mini';

/** What the shared state keeps in its store: the values, and the keys already copied from `globalState`. */
export interface SharedData {
  readonly values: Readonly<Record<string, unknown>>;
  /**
   * The keys `migrateFrom` already copied (each is copied at most once). `true` in a file written by Health Watch
   * 0.1, which migrated before keys were recorded: it counts as every key asked for.
   */
  readonly migrated: boolean | readonly string[];
}

/** The store's schema (checked on every read, so a file another version wrote cannot poison the values). */
export const sharedDataSchema = z.strictObject({ values: z.record(z.string(), z.unknown()), migrated: z.union([z.boolean(), z.array(z.string())]) });

/** The shared state of a group that never wrote any. */
export const emptySharedData: SharedData = { values: {}, migrated: [] };

/** The part of VS Code's Memento (`context.globalState`) that migration reads. */
export interface MementoLike {
  /** The keys that hold a value. */
  keys(): readonly string[];
  /** The value of `key`. */
  get<T>(key: string): T | undefined;
}

/** Keys of the shared state that changed, and who wrote them. */
export interface SharedStateChange {
  /** The keys whose values changed. */
  readonly keys: readonly string[];
  /** 'local' when this window wrote them, 'remote' when another window did. */
  readonly origin: 'local' | 'remote';
}

/**
 * Where the shared state keeps its data: a @baton/state store (shared by the windows, compare-and-swap under the
 * store's lock), or for a single window a Memento. `update` runs `fn` on the latest data, again when another
 * writer came first, and resolves once the result is stored.
 */
export interface SharedDataBacking {
  /** The latest data. */
  get(): SharedData;
  /** Stores `fn(latest)`, running `fn` again when another writer came first. */
  update(fn: (current: SharedData) => SharedData): Promise<unknown>;
  readonly onDidChange: Event<{ readonly value: SharedData; readonly origin: 'local' | 'remote' }>;
}

/** A value a key may hold: anything JSON can carry; `undefined` deletes the key. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * State shared by every window of an extension, usable wherever a `vscode.Memento` is (`get`, `keys`,
 * `update(key, value)`), plus what `globalState` lacks:
 *
 * - `update(key, current => next)`: a compare-and-swap. The function runs on the latest value under the store's
 *   lock and again if another window wrote first, so two windows incrementing a counter at once lose nothing
 *   (`globalState` keeps the last writer's value). It must only compute: it may run more than once.
 * - `onDidChange`: the keys changed, by this window ('local') or another ('remote'), pushed within milliseconds.
 * - `migrateFrom(context.globalState, keys)`: copies keys over once, for extensions moving to shared state.
 *
 * Values are JSON (checked on write: a function, a bigint or a cycle is refused, naming the key). All keys together
 * are one file, at most `maxBytes` (1 MiB by default): a write past it fails with ETOOLARGE and stores nothing.
 */
export class SharedState extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<SharedStateChange>());
  /** Fires with the keys whose values changed, by this window or another. */
  readonly onDidChange: Event<SharedStateChange> = this._onDidChange.event;
  private _last: SharedData;

  constructor(private readonly _data: SharedDataBacking) {
    super();
    this._last = _data.get();
    this._register(
      _data.onDidChange(({ value, origin }) => {
        const keys = changedKeys(this._last.values, value.values);
        this._last = value;
        if (keys.length > 0) this._onDidChange.fire({ keys, origin });
      }),
    );
  }

  /** The value of `key`, or `fallback` (undefined) when it has none. The returned value must not be changed. */
  get<T>(key: string): T | undefined;
  get<T>(key: string, fallback: T): T;
  get<T>(key: string, fallback?: T): T | undefined {
    const values = this._data.get().values;
    return Object.hasOwn(values, key) ? (values[key] as T) : fallback;
  }

  /** The keys that hold a value. */
  keys(): readonly string[] {
    return Object.keys(this._data.get().values);
  }

  /**
   * Sets `key` to `value` (as `Memento.update`; undefined deletes it), or, given a function, to `fn(current)`
   * atomically across windows, resolving with the value written. Resolves once the value is stored.
   */
  update(key: string, value: unknown): Promise<void>;
  update<T>(key: string, fn: (current: T | undefined) => T | undefined): Promise<T | undefined>;
  async update<T>(key: string, valueOrFn: unknown): Promise<T | undefined> {
    if (typeof key !== 'string' || key.length === 0) throw new InvalidArgumentError(`shared state: a key must be a non-empty string, not ${JSON.stringify(key)}`);
    const fn = typeof valueOrFn === 'function' ? (valueOrFn as (current: T | undefined) => T | undefined) : () => valueOrFn as T | undefined;
    let written: T | undefined;
    await this._data.update((data) => {
      written = checkedJson(key, fn(Object.hasOwn(data.values, key) ? (data.values[key] as T) : undefined));
      return { ...data, values: withKey(data.values, key, written) };
    });
    return typeof valueOrFn === 'function' ? written : undefined;
  }

  /**
   * Copies `keys` from `memento` (`context.globalState`) into the shared state, each the first time any window asks
   * for it, without overwriting a key another window already shares. Returns how many keys were copied: 0 once done.
   */
  async migrateFrom(memento: MementoLike, keys: readonly string[]): Promise<number> {
    let copied = 0;
    await this._data.update((data) => {
      copied = 0;
      const done = new Set(data.migrated === true ? keys : data.migrated === false ? [] : data.migrated);
      if (keys.every((key) => done.has(key))) return data;
      let values = data.values;
      for (const key of keys) {
        if (done.has(key)) continue;
        done.add(key);
        const value = memento.get(key);
        if (value === undefined || Object.hasOwn(values, key)) continue;
        values = withKey(values, key, checkedJson(key, value));
        copied++;
      }
      return { values, migrated: [...done] };
    });
    return copied;
  }
}

/** `value` if JSON carries it unchanged in kind; throws naming `key` otherwise. */
function checkedJson<T>(key: string, value: T): T {
  if (value === undefined) return value;
  const seen = new Set<unknown>();
  const check = (v: unknown, path: string): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InvalidArgumentError(`shared state: '${key}'${path} is ${v}, which JSON cannot hold`);
      return;
    }
    if (typeof v !== 'object') throw new InvalidArgumentError(`shared state: '${key}'${path} is a ${typeof v}; values must be JSON`);
    if (seen.has(v)) throw new InvalidArgumentError(`shared state: '${key}'${path} refers to itself; values must be JSON`);
    seen.add(v);
    if (Array.isArray(v)) v.forEach((item, i) => check(item, `${path}[${i}]`));
    else for (const [k, item] of Object.entries(v)) if (item !== undefined) check(item, `${path}.${k}`);
    seen.delete(v);
  };
  check(value, '');
  return value;
}

function withKey(values: Readonly<Record<string, unknown>>, key: string, value: unknown): Record<string, unknown> {
  const next = { ...values };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

function changedKeys(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => before[key] !== after[key] && JSON.stringify(before[key]) !== JSON.stringify(after[key]));
}
