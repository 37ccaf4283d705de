import { Disposable, Emitter, noopLogger, toDisposable, type Event, type IDisposable, type Logger } from '@baton/base';
import { joinGroup, type Group, type LeaderTask, type Member } from '@baton/coordinator';
import type { Schema, Store } from '@baton/state';
import * as z from 'zod/mini';
import { SharedState, emptySharedData, sharedDataSchema, type SharedData } from './sharedState.js';

/** What a window tells the others about itself (its member metadata). */
export interface WindowInfo {
  /** The workspace's name (`vscode.workspace.name`), or '(no folder)'. */
  readonly workspace: string;
  /** A short id telling apart two windows of the same workspace (the first 8 characters of the member id by default). */
  readonly window?: string;
  /** `vscode.env.appName` (Visual Studio Code, VSCodium, Cursor, code-server...). */
  readonly app?: string;
  /** `vscode.env.remoteName` (ssh-remote, wsl, dev-container...), when the extension host is remote. */
  readonly remote?: string;
}

/** A window of the group as every window sees it. */
export interface WindowMember extends WindowInfo {
  /** The member id (unique per window, per activation). */
  readonly id: string;
  /** The extension host's process id. */
  readonly pid: number;
  readonly isLeader: boolean;
  /** This window. */
  readonly isSelf: boolean;
  /** Whether the window had the focus when it last said (`setFocused`); undefined before it said. */
  readonly focused: boolean | undefined;
}

/** Whether this window has the focus, and its changes (`vscode.window.state` and `onDidChangeWindowState`). */
export interface FocusSource {
  /** Whether the window has the focus now. */
  focused(): boolean;
  /** Calls `listener` whenever the window gains or loses the focus. */
  onDidChange(listener: (focused: boolean) => void): IDisposable;
}

/** Options of `Windows.join`: `coordinateWindows` fills them from the extension's context. */
export interface WindowsOptions {
  /** The coordination directory shared by the windows (`coordinateWindows`: under the extension's globalStorage). */
  dir: string;
  /** The group's name (default 'windows'): windows of the same name in the same directory form one group. */
  name?: string;
  window: WindowInfo;
  /** This window's member id (default a random UUID). */
  id?: string;
  logger?: Logger;
  /** How long a stalled leader window keeps the lead (default 5000 ms); a window that closes hands over at once. */
  leaseMs?: number;
  /** Largest shared state, all keys together (default 1 MiB). */
  maxSharedBytes?: number;
  /** Where this window's focus comes from: shown to the other windows in `members`. */
  focus?: FocusSource;
}

/** Where each window last said it had the focus, by member id. */
type Presence = Readonly<Record<string, { readonly focused: boolean }>>;
const presenceSchema = z.record(z.string(), z.strictObject({ focused: z.boolean() })) as unknown as Schema<Presence>;

/** What `coordinateWindows` returns: the windows' group, or in a web extension host a single window alone. */
export interface CoordinatedWindows extends IDisposable {
  /** False in the single-window fallback (a web extension host): this window leads alone and shares nothing. */
  readonly supported: boolean;
  readonly id: string;
  readonly isLeader: boolean;
  readonly members: readonly WindowMember[];
  readonly leader: WindowMember | undefined;
  readonly sharedState: SharedState;
  readonly onDidChangeRole: Event<{ readonly isLeader: boolean; readonly token: number | undefined }>;
  readonly onDidChangeMembers: Event<readonly WindowMember[]>;
  /** Runs `task` whenever this window leads, with the term's fencing token; aborted when the term ends. */
  runWhileLeader(task: LeaderTask): IDisposable;
  /** Sends `data` (JSON) to the other windows' `onDidReceive(channel)` listeners, at most once. */
  broadcast(channel: string, data?: unknown): void;
  /** Calls `listener` with what other windows `broadcast` on `channel`, and the sending window's id. */
  onDidReceive(channel: string, listener: (data: unknown, from: string) => void): IDisposable;
  /** Tells the other windows whether this one has the focus. */
  setFocused(focused: boolean): Promise<void>;
  /** Where the leader is, in words, for a status view. */
  describeLeader(): string;
  /** Leaves the group, handing the lead to another window at once. */
  close(): Promise<void>;
}

/** The pub/sub topic of every broadcast channel. */
const broadcastTopic = 'baton.vscode.broadcast';

/**
 * The windows of one extension (one extension host each) as a group: one leads at a time, state is shared with
 * compare-and-swap and pushed changes, and messages reach the other windows. Free of the VS Code API (tests run it in
 * plain processes); `coordinateWindows(context)` is the way an extension gets one.
 */
export class Windows extends Disposable implements CoordinatedWindows {
  readonly supported = true;
  private readonly _onDidChangeRole = this._register(new Emitter<{ readonly isLeader: boolean; readonly token: number | undefined }>());
  /** This window began or stopped leading (`token`: the term's fencing token). */
  readonly onDidChangeRole: Event<{ readonly isLeader: boolean; readonly token: number | undefined }> = this._onDidChangeRole.event;
  private readonly _onDidChangeMembers = this._register(new Emitter<readonly WindowMember[]>());
  /** A window joined or left, the leader changed, or a window's focus changed. */
  readonly onDidChangeMembers: Event<readonly WindowMember[]> = this._onDidChangeMembers.event;
  private readonly _logger: Logger;
  private readonly _receivers = new Map<string, Set<(data: unknown, from: string) => void>>();

  private constructor(
    /** The underlying @baton/coordinator group: calls to the leader, more stores, metrics. */
    readonly group: Group,
    /** State shared by the windows (a Memento with compare-and-swap and change events). */
    readonly sharedState: SharedState,
    private readonly _presence: Store<Presence>,
    logger: Logger,
  ) {
    super();
    this._logger = logger;
    this._register(sharedState);
    this._register(group.onDidChangeRole(({ role, token }) => role !== 'closed' && this._onDidChangeRole.fire({ isLeader: role === 'leader', token })));
    const membersChanged = () => this._onDidChangeMembers.fire(this.members);
    for (const event of [group.onDidChangeMembers, group.onDidChangeLeader, _presence.onDidChange] as Event<unknown>[]) this._register(event(membersChanged));
    this._register(group.subscribe(broadcastTopic, (payload) => this._receive(payload)));
    // The leader forgets the focus of windows that left, so that the presence store stays the size of the group.
    this._register(group.onDidChangeMembers(() => void this._prunePresence()));
  }

  /** Joins the windows' group in `options.dir` and opens the shared state. */
  static async join(options: WindowsOptions): Promise<Windows> {
    const logger = (options.logger ?? noopLogger).child({ pkg: 'vscode' });
    const name = options.name ?? 'windows';
    const group = await joinGroup({ dir: options.dir, name, id: options.id, metadata: options.window, logger, leaseMs: options.leaseMs });
    try {
      const shared = await group.store<SharedData>('shared', { initial: emptySharedData, schema: sharedDataSchema as unknown as Schema<SharedData>, maxBytes: options.maxSharedBytes ?? 1 << 20 });
      const presence = await group.store<Presence>('windows', { initial: {}, schema: presenceSchema, ifUnreadable: 'reset' });
      const windows = new Windows(group, new SharedState(shared), presence, logger);
      if (options.focus) windows._followFocus(options.focus);
      return windows;
    } catch (err) {
      await group.close();
      throw err;
    }
  }

  /** This window's member id. */
  get id(): string {
    return this.group.id;
  }

  get isLeader(): boolean {
    return this.group.isLeader;
  }

  /** The windows of the group, this one included, the leader first. */
  get members(): readonly WindowMember[] {
    const presence = this._presence.get();
    return this.group.members
      .map((member) => toWindowMember(member, member.id === this.id, presence[member.id]?.focused))
      .sort((a, b) => Number(b.isLeader) - Number(a.isLeader));
  }

  /** The window that leads now, when there is one. */
  get leader(): WindowMember | undefined {
    return this.members.find((member) => member.isLeader);
  }

  /**
   * Runs `task` whenever this window leads, with the term's fencing token; its signal is aborted when the term ends
   * (this window closes, stalls past the lease, or another takes over). One window at a time runs it.
   */
  runWhileLeader(task: LeaderTask): IDisposable {
    return this.group.runWhileLeader(task);
  }

  /**
   * Sends `data` (JSON) to the other windows' `onDidReceive(channel)` listeners. At most once, in order from one
   * window, and not to this window; a message sent while the windows change leader can be lost: state that must
   * arrive belongs in `sharedState`.
   */
  broadcast(channel: string, data?: unknown): void {
    this.group.publish(broadcastTopic, { channel, from: this.id, data });
  }

  /** Calls `listener` with what other windows `broadcast` on `channel`, and the sending window's id. */
  onDidReceive(channel: string, listener: (data: unknown, from: string) => void): IDisposable {
    let listeners = this._receivers.get(channel);
    if (!listeners) this._receivers.set(channel, (listeners = new Set()));
    listeners.add(listener);
    return toDisposable(() => {
      listeners.delete(listener);
      if (listeners.size === 0 && this._receivers.get(channel) === listeners) this._receivers.delete(channel);
    });
  }

  /** One topic for every channel, subscribed from the start: a window hears broadcasts from the moment it joined. */
  private _receive(payload: unknown): void {
    const { channel, from, data } = (payload ?? {}) as { channel?: unknown; from?: unknown; data?: unknown };
    if (typeof channel !== 'string' || typeof from !== 'string' || from === this.id) return;
    for (const listener of [...(this._receivers.get(channel) ?? [])]) {
      try {
        listener(data, from);
      } catch (err) {
        this._logger.warn({ err, channel }, 'a broadcast listener threw');
      }
    }
  }

  private _followFocus(focus: FocusSource): void {
    const share = (focused: boolean) => void this.setFocused(focused).catch((err: unknown) => this._logger.debug({ err }, 'could not share the window’s focus'));
    this._register(focus.onDidChange(share));
    share(focus.focused());
  }

  /** Tells the other windows whether this one has the focus (`coordinateWindows` does it from the window's state). */
  async setFocused(focused: boolean): Promise<void> {
    if (this._presence.get()[this.id]?.focused === focused) return;
    await this._presence.update((presence) => ({ ...presence, [this.id]: { focused } }));
  }

  /** A line saying where the leader is, for a status view: "window 'api' (pid 4242), this window". */
  describeLeader(): string {
    const leader = this.leader;
    if (!leader) return 'no leading window yet';
    return `${leader.isSelf ? 'this window' : 'another window'}: '${leader.workspace}' ${leader.window ? `[${leader.window}] ` : ''}(pid ${leader.pid}${leader.remote ? `, ${leader.remote}` : ''})`;
  }

  private async _prunePresence(): Promise<void> {
    if (!this.group.isLeader) return;
    const ids = new Set(this.group.members.map((member) => member.id));
    if (Object.keys(this._presence.get()).every((id) => ids.has(id))) return;
    try {
      await this._presence.update((presence) => Object.fromEntries(Object.entries(presence).filter(([id]) => ids.has(id))));
    } catch (err) {
      this._logger.debug({ err }, 'could not prune the windows’ focus');
    }
  }

  /**
   * Leaves the group: shared-state writes in flight are finished, the lead is handed to another window at once,
   * leader tasks are aborted. Call from `deactivate` (or push the Windows to `context.subscriptions`).
   */
  async close(): Promise<void> {
    await this._presence.update((presence) => {
      const { [this.id]: _gone, ...rest } = presence;
      return rest;
    }).catch(() => {});
    await this.group.close();
    this.dispose();
  }

  override dispose(): void {
    this.group.dispose();
    super.dispose();
  }
}

function toWindowMember(member: Member, isSelf: boolean, focused: boolean | undefined): WindowMember {
  const info = (typeof member.metadata === 'object' && member.metadata !== null ? member.metadata : {}) as Partial<Record<keyof WindowInfo, unknown>>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    id: member.id,
    pid: member.pid,
    isLeader: member.leader,
    isSelf,
    focused,
    workspace: text(info.workspace) ?? '(unknown)',
    window: text(info.window) ?? member.id.slice(0, 8),
    app: text(info.app),
    remote: text(info.remote),
  };
}
