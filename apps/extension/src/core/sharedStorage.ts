import { Disposable, Emitter, type Event } from '@baton/base';
import type { Store } from '@baton/state';
import * as z from 'zod/mini';

/** What the shared storage keeps in its store: the values, and whether `globalState` was migrated. */
export interface SharedData {
  readonly values: Readonly<Record<string, unknown>>;
  readonly migrated: boolean;
}

export const sharedDataSchema = z.strictObject({ values: z.record(z.string(), z.unknown()), migrated: z.boolean() });

export const emptySharedData: SharedData = { values: {}, migrated: false };

/** The part of VS Code's Memento (`context.globalState`) that migration reads. */
export interface MementoLike {
  keys(): readonly string[];
  get<T>(key: string): T | undefined;
}

export interface SharedStorageChange {
  /** The keys whose values changed. */
  readonly keys: readonly string[];
  /** 'remote' when another window wrote them. */
  readonly origin: 'local' | 'remote';
}

/**
 * Storage shared by every window, in place of `globalState` for data the windows share: each
 * `update` is a compare-and-swap on the shared store (the function runs on the latest value, under
 * the store's lock), so two windows writing at once lose nothing, where `globalState` keeps the
 * last writer's value. Other windows' writes arrive as `onDidChange`.
 */
export class SharedStorage extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<SharedStorageChange>());
  readonly onDidChange: Event<SharedStorageChange> = this._onDidChange.event;
  private _last: SharedData;

  constructor(private readonly _data: Store<SharedData>) {
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

  get<T>(key: string): T | undefined;
  get<T>(key: string, fallback: T): T;
  get<T>(key: string, fallback?: T): T | undefined {
    const values = this._data.get().values;
    return Object.hasOwn(values, key) ? (values[key] as T) : fallback;
  }

  keys(): readonly string[] {
    return Object.keys(this._data.get().values);
  }

  /**
   * Replaces the value of `key` with `updater(current)`, atomically across windows; resolves with
   * the value written, once it is durable. `updater` may run more than once (when another window
   * wrote first), so it must only compute. Returning undefined deletes the key.
   */
  async update<T>(key: string, updater: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    let written: T | undefined;
    await this._data.update((data) => {
      written = updater(Object.hasOwn(data.values, key) ? (data.values[key] as T) : undefined);
      return { ...data, values: withKey(data.values, key, written) };
    });
    return written;
  }

  /** Sets `key` (undefined deletes it). */
  async set(key: string, value: unknown): Promise<void> {
    await this.update(key, () => value);
  }

  /**
   * Copies `keys` from `globalState` into the shared storage the first time any window runs this
   * version (the store remembers it), without overwriting a key already shared. Returns how many
   * keys were copied (0 after the first run).
   */
  async migrateFrom(memento: MementoLike, keys: readonly string[]): Promise<number> {
    let copied = 0;
    await this._data.update((data) => {
      copied = 0;
      if (data.migrated) return data;
      let values = data.values;
      for (const key of keys) {
        const value = memento.get(key);
        if (value === undefined || Object.hasOwn(values, key)) continue;
        values = withKey(values, key, value);
        copied++;
      }
      return { values, migrated: true };
    });
    return copied;
  }
}

function withKey(values: Readonly<Record<string, unknown>>, key: string, value: unknown): Record<string, unknown> {
  const next = { ...values };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

function changedKeys(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
}
