import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import {
  Disposable,
  Emitter,
  InvalidArgumentError,
  ensureSecureDirectory,
  noopLogger,
  onAbort,
  shortHash,
  socketPathIn,
  throwIfAborted,
  toDisposable,
  toFileName,
  type Event,
  type IDisposable,
  type Logger,
} from '@baton/base';
import { IpcServer, ensureAuthToken, type IpcClient } from '@baton/ipc';
import { createElection, type Election, type LeaderInfo, type RoleChange } from '@baton/lock';
import type { Store } from '@baton/state';
import type { Metrics } from '@baton/telemetry';
import { sendCall, type CallHandler, type Caller } from './calls.js';
import { reserveHeartbeat, standbyOf, type GroupContext, type Heartbeat } from './context.js';
import { GroupClosedError, NoLeaderError } from './errors.js';
import { FollowerSide } from './following.js';
import { LeaderSide } from './leading.js';
import { MemberMachine } from './machine.js';
import { GroupMetrics, type GroupMetricsReport } from './metrics.js';
import { methods, type Member, type StoreNotice } from './protocol.js';
import { Topics } from './pubsub.js';
import { LeaderTasks, type LeaderTask } from './tasks.js';
import type { CallOptions, GroupLeader, GroupOptions, GroupRole, GroupRoleChange } from './types.js';
import { GroupStores, type GroupStoreOptions } from './stores.js';
import { waitForEvent } from './wait.js';

export type { CallContext, CallHandler } from './calls.js';
export type { GroupStoreOptions } from './stores.js';
export { groupFaultPoints } from './leading.js';

export type { LeaderTask } from './tasks.js';
export type { CallOptions, GroupLeader, GroupOptions, GroupRole, GroupRoleChange } from './types.js';

/**
 * A process's membership in a group of instances of one program on one machine: one of them leads (through an
 * election), serves the others over IPC and runs the leader-only work; the stores opened through the group push
 * their versions to every member. Where this member stands (starting, electing, dialling, looking, following,
 * leading, closed) is one value, held by `_machine` and changed only by the state machine in `member.ts`, which every event of
 * the election and of the connections goes through. See the README for the guarantees.
 */
export class Group extends Disposable {
  private readonly _onDidChangeRole = this._register(new Emitter<GroupRoleChange>());
  readonly onDidChangeRole: Event<GroupRoleChange> = this._onDidChangeRole.event;
  private readonly _onDidChangeLeader = this._register(new Emitter<GroupLeader | undefined>());
  readonly onDidChangeLeader: Event<GroupLeader | undefined> = this._onDidChangeLeader.event;
  private readonly _onDidChangeMembers = this._register(new Emitter<readonly Member[]>());
  readonly onDidChangeMembers: Event<readonly Member[]> = this._onDidChangeMembers.event;
  /** The state or the role changed: what waiters check. */
  private readonly _onDidSettle = this._register(new Emitter<void>());
  private readonly _onDidChangeConnection = this._register(new Emitter<{ connected: boolean }>());
  /** A follower connected to the current leader, or lost that connection. */
  readonly onDidChangeConnection: Event<{ connected: boolean }> = this._onDidChangeConnection.event;

  readonly id: string;
  readonly name: string;
  private readonly _machine: MemberMachine;
  private readonly _leaseMs: number;
  private readonly _heartbeat: Heartbeat;
  private readonly _followerHeartbeat: Heartbeat;
  private readonly _logger: Logger;
  private readonly _election: Election;
  private readonly _socket: string;
  private readonly _metrics: GroupMetrics;
  private readonly _context: GroupContext;
  private readonly _topics: Topics;
  private readonly _stores: GroupStores;
  private readonly _follower: FollowerSide;
  private _leaderSide: LeaderSide | undefined;
  private readonly _joinedAt = new Date().toISOString();
  private _authToken = '';
  private _server: IpcServer | undefined;
  private readonly _handlers = new Map<string, CallHandler>();
  private readonly _tasks: LeaderTasks;
  private _closePromise: Promise<void> | undefined;

  constructor(private readonly _options: GroupOptions) {
    super();
    if (typeof _options.dir !== 'string' || _options.dir.length === 0) throw new InvalidArgumentError(`joinGroup: dir must be a directory path, got ${JSON.stringify(_options.dir)}`);
    if (typeof _options.name !== 'string' || _options.name.length === 0) throw new InvalidArgumentError(`joinGroup: name must be a non-empty string, got ${JSON.stringify(_options.name)}`);
    this.id = _options.id ?? randomUUID();
    this.name = _options.name;
    this._leaseMs = _options.leaseMs ?? 5000;
    // Long: it only finds paused members (dead ones close their connections, and a paused leader
    // is replaced by the lease), and an idle follower wakes about once per period for it.
    const heartbeatMs = _options.heartbeatMs ?? 5000;
    if (!(heartbeatMs >= 10)) throw new InvalidArgumentError(`joinGroup: heartbeatMs must be >= 10, got ${heartbeatMs}`);
    this._heartbeat = { intervalMs: heartbeatMs, timeoutMs: heartbeatMs * 3 };
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'coordinator', group: this.name, member: this.id });
    this._socket = this._memberSocket(this.id);
    this._metrics = new GroupMetrics(this.name);
    this._election = this._register(
      createElection({
        dir: _options.dir,
        name: `group.${this.name}`,
        leaseMs: this._leaseMs,
        id: this.id,
        metadata: { member: _options.metadata, socket: this._socket },
        logger: _options.logger,
        // The leader tells its followers of its renewals and its end over the connections they
        // hold to it (group.lease), and the kernel closes those when it dies: a lock beacon would
        // be a second socket to the leader per follower, and a failover would wake each of them
        // twice while the dying leader is still releasing its descriptors, its term file among them.
        beacon: false,
      }),
    );
    this._tasks = new LeaderTasks(this._election, this._metrics, this._logger);
    this._topics = new Topics((err, topic) => {
      this._metrics.errors.inc({ kind: 'listener' });
      this._logger.warn({ err, topic }, 'subscriber threw');
    });
    this._stores = this._register(new GroupStores({ dir: _options.dir, group: this.name, logger: _options.logger, metrics: this._metrics, announce: (notice) => this._announceStore(notice) }));
    this._context = {
      id: this.id,
      name: this.name,
      dir: _options.dir,
      metadata: _options.metadata,
      leaseMs: this._leaseMs,
      logger: this._logger,
      metrics: this._metrics,
      election: this._election,
      topics: this._topics,
      stores: this._stores,
      authToken: () => this._authToken,
      memberSocket: (id) => this._memberSocket(id),
      self: () => ({ id: this.id, pid: process.pid, metadata: _options.metadata, leader: this.role === 'leader', standby: false, joinedAt: this._joinedAt }),
      closed: () => this._machine.state.kind === 'closed',
      storeHeard: (notice, from) => this._storeHeard(notice, from),
    };
    // A follower only answers the leader's pings (the answers keep what it sends fresh, so it
    // never pings itself) and gives up a silent leader only after six periods, looking every
    // three: one wakeup per ping instead of its own ping's two and a timer every period. A paused
    // leader is replaced by the lease long before that; a dead one closes the connection.
    this._followerHeartbeat = { intervalMs: heartbeatMs * 6, timeoutMs: heartbeatMs * 6 };
    this._follower = new FollowerSide(this._context, this._followerHeartbeat, heartbeatMs, {
      dispatch: (event) => this._machine.dispatch(event),
      current: (client) => this._machine.state.kind === 'following' && this._machine.state.link.client === client,
      members: (members) => this._onDidChangeMembers.fire(members),
      connection: (connected) => this._onDidChangeConnection.fire({ connected }),
    });
    this._machine = new MemberMachine({
      id: this.id,
      election: this._election,
      follower: this._follower,
      leaderSide: () => this._leaderSide,
      tasks: this._tasks,
      metrics: this._metrics,
      logger: this._logger,
      settled: () => this._onDidSettle.fire(),
    });
    this._register(this._election.onWillLead(({ token }) => {
      if (this._machine.state.kind !== 'closed') this._leaderSide?.willLead(token);
    }));
    this._register(this._election.onDidRenew(({ token, index }) => this._leaderSide?.lease(token, index)));
    this._register(this._election.onDidChangeRole((change) => this._onRole(change)));
    this._register(this._election.onDidChangeLeader((info) => {
      this._onDidChangeLeader.fire(toGroupLeader(info));
      this._machine.leader(info);
    }));
    if (_options.signal) this._register(onAbort(_options.signal, () => void this.close()));
  }

  /** Starts serving, joins the election, and (as a follower) waits briefly to be connected to the leader. */
  async start(): Promise<void> {
    throwIfAborted(this._options.signal);
    const dir = this._options.dir;
    await ensureSecureDirectory(dir);
    // A path too long for the Unix limit was moved to the runtime directory: that one must exist and be safe too.
    if (process.platform !== 'win32' && dirname(this._socket) !== dir) await ensureSecureDirectory(dirname(this._socket));
    this._authToken = await ensureAuthToken(join(dir, `${toFileName(this.name, 'group name')}.group-token`));
    // Every member serves from the start, so the new leader is reachable the moment followers see
    // its term: nothing waits for a server to come up after an election.
    // Heartbeats are for the leader's connections; until this member leads, only reserves connect.
    const server = new IpcServer({ path: this._socket, auth: { token: this._authToken }, heartbeat: reserveHeartbeat, logger: this._logger });
    this._server = this._register(server);
    this._leaderSide = new LeaderSide(this._context, server, this._heartbeat, this._handlers, (members) => this._onDidChangeMembers.fire(members));
    await server.listen();
    if (this._machine.state.kind === 'closed') return;
    await this._election.start();
    this._machine.leader(this._election.leader);
    if (this.role === 'follower' && !this.connected) await this._whenConnectedOrLeader(this._leaseMs + 1000).catch(() => {});
  }

  get role(): GroupRole {
    if (this._machine.state.kind === 'closed') return 'closed';
    const role = this._election.role;
    return role === 'stopped' ? 'closed' : role;
  }

  /** True while this member leads and its lease can be trusted (ends a stale term when read after a pause). */
  get isLeader(): boolean {
    return this._election.isLeader;
  }

  /** The current leader, as last seen (this member or another). */
  get leader(): GroupLeader | undefined {
    return toGroupLeader(this._election.leader);
  }

  /** Whether a follower is connected to the current leader (always true for the leader). */
  get connected(): boolean {
    return this.role === 'leader' || this._machine.state.kind === 'following';
  }

  /** The members connected to the leader, the leader first; as the leader last sent it, at a follower. */
  get members(): readonly Member[] {
    return this.role === 'leader' && this._leaderSide ? this._leaderSide.members() : this._follower.members;
  }

  /** The fencing token of this member's term, while it leads. */
  get token(): number | undefined {
    return this._election.token;
  }

  /** The group's metrics registry (Prometheus text: `metricsRegistry.render()`), labelled `group`. */
  get metricsRegistry(): Metrics {
    this._metrics.flush();
    return this._metrics.registry;
  }

  /** The coordination metrics as one report. */
  metrics(): Promise<GroupMetricsReport> {
    const members = this.members;
    const standby = standbyOf(members);
    return this._metrics.report({ role: this.role, token: this._election.leader?.token, members: members.length, standby: { id: standby, connected: this._follower.standbyConnected(standby) } });
  }

  private _onRole(change: RoleChange): void {
    this._machine.role(change);
    const role: GroupRole = change.role === 'stopped' ? 'closed' : change.role;
    const previous: GroupRole = change.previous === 'stopped' ? 'closed' : change.previous;
    this._onDidChangeRole.fire({ role, previous, token: change.token, reason: change.reason });
    this._onDidSettle.fire();
  }

  // ---- stores ----

  /**
   * Opens the group's store `name` (file `<dir>/<group>.<name>.state.json`). Its changes are
   * pushed to every member as versions, and each member reads the new version from the file; the
   * directory watch is the fallback when a push is lost (a failover), so the final version
   * always arrives. The same store object is returned for the same name.
   */
  async store<T>(name: string, options: GroupStoreOptions<T>): Promise<Store<T>> {
    this._throwIfClosing();
    return this._stores.open(name, options, () => this._throwIfClosing());
  }

  private _announceStore(notice: StoreNotice): void {
    if (this.role === 'leader') {
      if (this._stores.passOn(notice)) this._leaderSide?.publishStore(notice);
    }
    else if (this._machine.state.kind === 'following') this._machine.state.link.client.notify(methods.stored, notice);
  }

  /** A version heard of: read it; the leader passes what it had not seen to every follower but the sender. */
  private _storeHeard(notice: StoreNotice, from?: string): void {
    this._stores.receive(notice);
    if (from !== undefined && this._election.isLeader && this._stores.passOn(notice)) this._leaderSide?.publishStore(notice, from);
  }

  // ---- leader-only work ----

  /**
   * Runs `task` whenever this member leads: started at the start of each term with the term's
   * token, its signal aborted when the term ends (or the returned disposable is disposed). A
   * task that throws is logged and started again after a backoff, within the same term. Guard
   * what it changes with the token (a Fence): a paused leader's task runs until it looks.
   */
  runWhileLeader(task: LeaderTask): IDisposable {
    this._throwIfClosing();
    return this._tasks.add(task, (reason) => new GroupClosedError(reason));
  }

  // ---- calls ----

  /** Serves `method` while this member leads. Dispose the result to stop. */
  handle(method: string, handler: CallHandler): IDisposable {
    if (this._handlers.has(method)) throw new InvalidArgumentError(`group '${this.name}': a handler for '${method}' is already registered`);
    this._handlers.set(method, handler);
    return toDisposable(() => {
      if (this._handlers.get(method) === handler) this._handlers.delete(method);
    });
  }

  /**
   * Calls `method` on the current leader (this member, if it leads). Waits for a leader (within the timeout) when
   * there is none. At most once, kept in one place (calls.ts): only the router's refusal, made before any handler
   * runs, sends the call on to the next leader; whatever a handler throws, NotLeaderError included, reaches the
   * caller as a CallFailedError with the handler's error as its cause. A call that got no answer fails with
   * ELEADERCHANGED (the leader went away) or ECALLTIMEOUT: both may have run (`data.mayHaveRun`); ENOLEADER never ran.
   */
  async call<T = unknown>(method: string, params?: unknown, options: CallOptions = {}): Promise<T> {
    return (await sendCall(this._caller, method, params, options)) as T;
  }

  /** What `call` needs of this member. */
  private readonly _caller: Caller = {
    closing: () => this._throwIfClosing(),
    router: () => (this._election.isLeader ? this._leaderSide?.router : undefined),
    self: () => this._context.self(),
    link: () => (this._machine.state.kind === 'following' ? this._machine.state.link.client : undefined),
    whenConnected: (timeoutMs, signal, not) => this._whenConnectedOrLeader(timeoutMs, signal, not),
    counted: (outcome) => this._metrics.calls.inc({ outcome }),
  };

  // ---- pub/sub ----

  /**
   * Sends `payload` to every member's subscribers of `topic`, this member's included. At most
   * once: a message sent while a follower has no leader connection (a failover) is dropped.
   */
  publish(topic: string, payload?: unknown): void {
    if (this._machine.state.kind === 'closed') throw new GroupClosedError(`group '${this.name}' is closed`);
    this._topics.deliver(topic, payload);
    if (this.role === 'leader') this._leaderSide?.publishUser(topic, payload);
    else if (this._machine.state.kind === 'following') this._machine.state.link.client.notify(methods.publish, { topic, payload });
    else this._metrics.dropped.inc();
  }

  /**
   * Calls `listener` with every payload published on `topic` by any member, this one included. The topic is
   * subscribed on the connections to the leader while it has a listener here, and dropped from them with its last.
   */
  subscribe(topic: string, listener: (payload: unknown) => void): IDisposable {
    return this._topics.subscribe(topic, listener);
  }

  /** A member's socket path: every member serves at one derived from its id. */
  private _memberSocket(id: string): string {
    return socketPathIn(this._options.dir, `${this.name}.${shortHash(id).slice(0, 12)}`);
  }

  // ---- waiting ----

  /** Resolves when this member leads or (as a follower) is connected to a leader over another connection than `not`. */
  private async _whenConnectedOrLeader(timeoutMs: number, signal?: AbortSignal, not?: IpcClient): Promise<void> {
    const ready = () => this._election.isLeader || (this._machine.state.kind === 'following' && this._machine.state.link.client !== not);
    const closed = () => this._machine.state.kind === 'closed';
    if (!closed() && !ready()) await waitForEvent(this._onDidSettle.event, () => closed() || ready(), timeoutMs, signal, () => new NoLeaderError('timed out'));
    if (closed()) throw new GroupClosedError(`group '${this.name}' is closed`);
  }

  // ---- shutdown ----

  /** From the moment close() starts: its waits (the stores' writes, the handover) take nothing new. */
  private _throwIfClosing(): void {
    const closed = this._machine.state.kind === 'closed';
    if (closed || this._closePromise) throw new GroupClosedError(`group '${this.name}' is ${closed ? 'closed' : 'closing'}`);
  }

  /**
   * Leaves the group, synchronously: aborts leader tasks, resigns (a follower takes over at
   * once), closes connections, the server and the stores. Pending calls fail.
   */
  override dispose(): void {
    if (this._machine.state.kind === 'closed') return;
    this._machine.dispatch({ type: 'close' });
    this._metrics.dispose();
    this._tasks.abortAll(new GroupClosedError('group closed'));
    this._election.dispose();
    this._follower.closeReserve();
    this._leaderSide?.dispose();
    this._server?.dispose();
    this._stores.dispose();
    this._onDidSettle.fire();
    super.dispose();
  }

  /**
   * Leaves gracefully: finishes the stores' writes, ends the term (a follower takes over at once),
   * keeps answering ENOTLEADER (so calls in flight go to the next leader rather than fail) until
   * the followers have moved on or a second passed, then dispose(), and waits for leader tasks to
   * settle and the server to close.
   */
  close(): Promise<void> {
    this._closePromise ??= (async () => {
      await this._stores.closeAll();
      this._tasks.abortAll(new GroupClosedError('group closed'));
      const server = this._server;
      await this._election.close();
      if (server && server.peers.length > 0) {
        await waitForEvent(server.onDidDisconnect, () => server.peers.length === 0, Math.min(this._leaseMs, 1000)).catch(() => {});
      }
      this.dispose();
      await Promise.allSettled([server?.close(), this._tasks.settled()]);
    })();
    return this._closePromise;
  }
}

function toGroupLeader(info: LeaderInfo | undefined): GroupLeader | undefined {
  if (!info) return undefined;
  const metadata = (info.metadata as { member?: unknown } | undefined)?.member;
  return { id: info.id, pid: info.pid, metadata, token: info.token, since: info.since };
}

/** Joins (or forms) the group `name` in `dir`. Resolves once this member leads or is connected to the leader. */
export async function joinGroup(options: GroupOptions): Promise<Group> {
  const group = new Group(options);
  try {
    await group.start();
  } catch (err) {
    await group.close();
    throw err;
  }
  return group;
}
