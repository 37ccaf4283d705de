// The fallback of coordinateWindows where there is no Node (a web extension host): one window alone. Imports only
// portable code and types, so that a web bundle never loads the Node parts.
import { Disposable, Emitter, isAbortError, toDisposable, type Event, type IDisposable } from '@baton/base/portable';
import type { LeaderTask } from '@baton/coordinator';
import { SharedState, emptySharedData, type SharedData, type SharedDataBacking } from './sharedState.js';
import type { CoordinatedWindows, FocusSource, WindowInfo, WindowMember } from './windows.js';

/** The Memento the fallback keeps its shared state in (`context.globalState`). */
export interface MementoStore {
  /** The value stored under `key`. */
  get<T>(key: string): T | undefined;
  /** Stores `value` under `key` (undefined deletes it). */
  update(key: string, value: unknown): PromiseLike<void>;
}

/** The key of `globalState` that holds the fallback's shared state. */
export const fallbackStateKey = 'baton.sharedState';

/** How long a leader task that threw waits before it runs again. */
const restartMs = 1000;

/**
 * One window alone: it always leads, its shared state lives in `globalState` (not shared, no compare-and-swap
 * across windows: each web window has its own extension host, and no lock to take), broadcasts reach no one.
 */
export class SingleWindow extends Disposable implements CoordinatedWindows {
  readonly supported = false;
  readonly sharedState: SharedState;
  /** Never fires: the window leads from the start to the end. */
  readonly onDidChangeRole: Event<{ readonly isLeader: boolean; readonly token: number | undefined }> = this._register(new Emitter<{ readonly isLeader: boolean; readonly token: number | undefined }>()).event;
  private readonly _onDidChangeMembers = this._register(new Emitter<readonly WindowMember[]>());
  readonly onDidChangeMembers: Event<readonly WindowMember[]> = this._onDidChangeMembers.event;
  private readonly _tasks = new Set<AbortController>();
  private _focused: boolean | undefined;

  constructor(
    readonly id: string,
    private readonly _info: WindowInfo,
    memento: MementoStore,
    /** Why the windows are not coordinated (shown by `describeLeader`). */
    readonly reason: string,
    focus?: FocusSource,
  ) {
    super();
    this.sharedState = this._register(new SharedState(mementoBacking(memento)));
    if (focus) {
      this._focused = focus.focused();
      this._register(focus.onDidChange((focused) => void this.setFocused(focused)));
    }
  }

  get isLeader(): boolean {
    return !this._isDisposed;
  }

  get members(): readonly WindowMember[] {
    return [{ ...this._info, window: this._info.window ?? this.id.slice(0, 8), id: this.id, pid: 0, isLeader: this.isLeader, isSelf: true, focused: this._focused }];
  }

  get leader(): WindowMember | undefined {
    return this.members[0];
  }

  /** Runs `task` at once (this window always leads), with token 1; again after a second when it throws. */
  runWhileLeader(task: LeaderTask): IDisposable {
    const controller = new AbortController();
    this._tasks.add(controller);
    const run = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        try {
          await task(controller.signal, 1);
          return;
        } catch (err) {
          if (controller.signal.aborted || isAbortError(err)) return;
          await new Promise((resolve) => setTimeout(resolve, restartMs));
        }
      }
    };
    void run();
    return toDisposable(() => {
      controller.abort();
      this._tasks.delete(controller);
    });
  }

  /** Reaches no one: there are no other windows. */
  broadcast(): void {}

  /** Never called: there are no other windows. */
  onDidReceive(): IDisposable {
    return toDisposable(() => {});
  }

  /** Records this window's focus (shown in `members`). */
  async setFocused(focused: boolean): Promise<void> {
    if (this._focused === focused) return;
    this._focused = focused;
    this._onDidChangeMembers.fire(this.members);
  }

  /** "this window alone", and why. */
  describeLeader(): string {
    return `this window alone: ${this.reason}`;
  }

  /** Stops the leader tasks. */
  async close(): Promise<void> {
    this.dispose();
  }

  override dispose(): void {
    for (const controller of this._tasks) controller.abort();
    this._tasks.clear();
    super.dispose();
  }
}

/** Shared data kept in one key of a Memento, for one window. */
function mementoBacking(memento: MementoStore): SharedDataBacking {
  const emitter = new Emitter<{ readonly value: SharedData; readonly origin: 'local' | 'remote' }>();
  let current: SharedData = memento.get<SharedData>(fallbackStateKey) ?? emptySharedData;
  let tail: Promise<unknown> = Promise.resolve();
  return {
    get: () => current,
    onDidChange: emitter.event,
    update(fn) {
      const next = tail.then(async () => {
        const value = fn(current);
        if (value === current) return;
        await memento.update(fallbackStateKey, value);
        current = value;
        emitter.fire({ value, origin: 'local' });
      });
      tail = next.catch(() => {});
      return next;
    },
  };
}
