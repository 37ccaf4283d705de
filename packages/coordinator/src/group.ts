import { randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import {
  Disposable,
  Emitter,
  InvalidArgumentError,
  LinkedAbortController,
  abortableDelay,
  createBackoff,
  ensureSecureDirectory,
  errorCode,
  eventToPromise,
  isAbortError,
  noopLogger,
  onAbort,
  shortHash,
  socketPathIn,
  throwIfAborted,
  TimeoutError,
  toDisposable,
  toFileName,
  type Event,
  type IDisposable,
  type Logger,
} from '@baton/base';
import { IpcClient, IpcServer, MethodNotFoundError, ensureAuthToken, removeStaleSocketFiles, type RequestContext } from '@baton/ipc';
import { createElection, type Election, type LeaderInfo, type RoleChange } from '@baton/lock';
import { openStore, type Store, type StoreOptions } from '@baton/state';
import { CallFailedError, CallTimeoutError, GroupClosedError, LeaderChangedError, NoLeaderError, NotLeaderError, StaleWelcomeError } from './errors.js';
import { GroupMetrics, type GroupMetricsReport } from './metrics.js';
import { methods, parseCall, parseHeard, parseJoin, parseLeaseNotice, parseMembers, parsePublish, parseStoreNotice, parseWelcome, topics, type JoinParams, type LeaseNotice, type Member, type StoreNotice, type Welcome } from './protocol.js';
import type { Metrics } from '@baton/telemetry';

export interface GroupOptions {
  /** The coordination directory shared by the members (0700; created if missing). */
  dir: string;
  /** The group's name: members of the same name in the same directory form one group. */
  name: string;
  /** JSON-safe data about this member, shown to every member (for example `{ window: 3 }`). */
  metadata?: unknown;
  logger?: Logger;
  /**
   * How long a paused leader keeps the lead, by the followers' clocks (default 5000 ms). Only a
   * pause or a stall waits for it: a leader that dies is replaced at once. A longer lease costs an
   * idle follower less (it hears of fewer renewals) and lets the leader stall longer (a busy
   * extension host) before it loses the lead.
   */
  leaseMs?: number;
  /**
   * Heartbeat period of the connections to the leader (default 5000 ms); a member silent for three
   * periods (a paused one) is dropped. A member that dies is dropped at once: the kernel closes its
   * connection. Each follower hears from the leader about once a period when idle.
   */
  heartbeatMs?: number;
  /** This member's id (default a random UUID). */
  id?: string;
  /** Closes the group when aborted. */
  signal?: AbortSignal;
}

export type GroupRole = 'leader' | 'follower' | 'closed';

export interface GroupLeader {
  readonly id: string;
  readonly pid: number;
  readonly metadata: unknown;
  /** The leader's fencing token: larger for every new term. */
  readonly token: number;
  /** Wall-clock start of the term (display only). */
  readonly since: string;
}

export interface GroupRoleChange {
  readonly role: GroupRole;
  readonly previous: GroupRole;
  readonly token: number | undefined;
  readonly reason: RoleChange['reason'];
}

export interface CallContext {
  /** Aborted when the caller cancels, times out or disconnects, or when this member's term ends. */
  readonly signal: AbortSignal;
  /** The fencing token of the term serving the call. */
  readonly token: number;
  /** The member that called (undefined if it left meanwhile). */
  readonly caller: Member | undefined;
}

export type CallHandler = (params: unknown, context: CallContext) => unknown;

export interface CallOptions {
  /** How long to wait for a leader and its answer together (default 30000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type LeaderTask = (signal: AbortSignal, token: number) => unknown;

export type GroupStoreOptions<T> = Omit<StoreOptions<T>, 'dir' | 'name' | 'logger' | 'signal'>;

interface Reserve {
  readonly id: string;
  readonly client: IpcClient;
  /** The standby has the registration: it will send the welcome when it takes over. */
  registered: boolean;
  /** It led already when it registered this follower: no welcome comes, the follower joins. */
  leading?: boolean;
}

interface TaskEntry {
  readonly task: LeaderTask;
  controller: AbortController | undefined;
  disposed: boolean;
}

/** How long the leader gathers member changes before sending the list to the members. */
const membersBroadcastDelayMs = 5;
/** The same for a term's first list: the followers are joining all at once just then. */
const takeoverBroadcastDelayMs = 50;
/** The safety poll of a group's store (a plain store's is 5 s): pushes and the directory watch come first. */
const groupStorePollMs = 15_000;

/**
 * Heartbeat of the connections kept in reserve to the standby (and of a member's server while it
 * does not lead): on one machine the kernel closes the connection of a member that dies, and a
 * paused standby costs only the claim delay, so these beat rarely and cost a follower nothing idle.
 */
const reserveHeartbeat = { intervalMs: 60_000, timeoutMs: 180_000 };

/**
 * A follower that sees the standby's new term before the welcome the standby sends it: how long
 * it waits for that welcome before asking with a join (the welcome normally follows within a
 * few milliseconds, behind the claim's fsync).
 */
const welcomeWaitMs = 50;

/** After the followers' lists name a new standby: wait this long (plus jitter) before connecting to it, clear of a failover's rush. */
const reserveOpenDelayMs = 100;

/** Test-only fault points: a test sets one to change what a member does at that exact place. */
export const groupFaultPoints: {
  /**
   * In a member taking over as standby, instead of pushing its welcome to its reserve peers: the
   * welcome and the function that pushes one (call it with another, later, or not at all).
   */
  welcome?: (welcome: Welcome, send: (welcome: Welcome) => void) => void;
} = {};

/** Wall clock with sub-millisecond resolution, comparable between processes (for latency metrics only). */
const preciseNow = () => performance.timeOrigin + performance.now();

/**
 * A process's membership in a group of instances of one program on one machine: one of them
 * leads (through an election), serves the others over IPC and runs the leader-only work; the
 * stores opened through the group push their versions to every member. See the README for the
 * guarantees.
 */
export class Group extends Disposable {
  private readonly _onDidChangeRole = this._register(new Emitter<GroupRoleChange>());
  readonly onDidChangeRole: Event<GroupRoleChange> = this._onDidChangeRole.event;
  private readonly _onDidChangeLeader = this._register(new Emitter<GroupLeader | undefined>());
  readonly onDidChangeLeader: Event<GroupLeader | undefined> = this._onDidChangeLeader.event;
  private readonly _onDidChangeMembers = this._register(new Emitter<readonly Member[]>());
  readonly onDidChangeMembers: Event<readonly Member[]> = this._onDidChangeMembers.event;
  /** The role or the leader connection changed: what waiters check. */
  private readonly _onDidSettle = this._register(new Emitter<void>());
  private readonly _onDidChangeConnection = this._register(new Emitter<{ connected: boolean }>());
  /** A follower connected to the current leader, or lost that connection. */
  readonly onDidChangeConnection: Event<{ connected: boolean }> = this._onDidChangeConnection.event;

  readonly id: string;
  readonly name: string;
  private readonly _dir: string;
  private readonly _logger: Logger;
  private readonly _leaseMs: number;
  private readonly _heartbeat: { intervalMs: number; timeoutMs: number };
  private readonly _followerHeartbeat: { intervalMs: number; timeoutMs: number };
  private readonly _election: Election;
  private readonly _socket: string;
  private readonly _metrics: GroupMetrics;
  private readonly _joinedAt = new Date().toISOString();
  private _authToken = '';
  private _server: IpcServer | undefined;
  /** This follower's connection to the leader, once joined. */
  private _client: IpcClient | undefined;
  /** Who `_client` is joined to, and in which term. */
  private _clientLeader: { id: string; token: number } | undefined;
  /** The member a join is being sent to over a reserve connection, and that connection. */
  private _joining: { id: string; client: IpcClient } | undefined;
  /** At a follower: a connection kept open to the standby, registered with it, so that a failover is one message. */
  private _reserve: Reserve | undefined;
  /** At the standby (any member not leading): the followers registered on reserve connections, by IPC peer id. */
  private readonly _reservePeers = new Map<string, Member>();
  private _reserveTimer: ReturnType<typeof setTimeout> | undefined;
  /** How long a follower other than the standby waits before claiming a free term (see setClaimDelay). */
  private readonly _claimDelayMs: number;
  /** How much later than the standby such a follower judges a paused leader (see setClaimDelay's expiryCheckDelayMs). */
  private readonly _reserveCheckDelayMs: number;
  /** Bumped whenever the leader to follow changes: older connection attempts give up. */
  private _followSeq = 0;
  private _lostAt: number | undefined;
  /** At the leader: the followers joined, by IPC peer id. */
  private readonly _followers = new Map<string, Member>();
  /** At a follower: the list the leader last sent. */
  private _memberList: readonly Member[] = [];
  private readonly _handlers = new Map<string, CallHandler>();
  private readonly _listeners = new Map<string, Set<(payload: unknown) => void>>();
  /** Every open connection to a member (the leader, the standby, one being joined), with its user topics' subscriptions. */
  private readonly _clientTopics = new Map<IpcClient, Map<string, IDisposable>>();
  private readonly _stores = new Map<string, Store<unknown>>();
  private readonly _lastPush = new Map<string, StoreNotice>();
  private readonly _tasks = new Set<TaskEntry>();
  private readonly _running = new Set<Promise<void>>();
  private _membersTimer: ReturnType<typeof setTimeout> | undefined;
  /** The term whose welcome went out as its claim became visible, before the claim was durable (see _onWillLead). */
  private _welcomed: number | undefined;
  /** When this leader last told every follower of a renewal (see _sendLease). */
  private _leaseToAllAt = -Infinity;
  private _closed = false;
  private _closePromise: Promise<void> | undefined;

  constructor(private readonly _options: GroupOptions) {
    super();
    if (typeof _options.dir !== 'string' || _options.dir.length === 0) throw new InvalidArgumentError(`joinGroup: dir must be a directory path, got ${JSON.stringify(_options.dir)}`);
    if (typeof _options.name !== 'string' || _options.name.length === 0) throw new InvalidArgumentError(`joinGroup: name must be a non-empty string, got ${JSON.stringify(_options.name)}`);
    this.id = _options.id ?? randomUUID();
    this.name = _options.name;
    this._dir = _options.dir;
    this._leaseMs = _options.leaseMs ?? 5000;
    // Long: it only finds paused members (dead ones close their connections, and a paused leader
    // is replaced by the lease), and an idle follower wakes about once per period for it.
    const heartbeatMs = _options.heartbeatMs ?? 5000;
    if (!(heartbeatMs >= 10)) throw new InvalidArgumentError(`joinGroup: heartbeatMs must be >= 10, got ${heartbeatMs}`);
    this._heartbeat = { intervalMs: heartbeatMs, timeoutMs: heartbeatMs * 3 };
    // A follower only answers the leader's pings (the answers keep what it sends fresh, so it
    // never pings itself) and gives up a silent leader only after six periods, looking every
    // three: one wakeup per ping instead of its own ping's two and a timer every period. A paused
    // leader is replaced by the lease long before that; a dead one closes the connection.
    this._followerHeartbeat = { intervalMs: heartbeatMs * 6, timeoutMs: heartbeatMs * 6 };
    this._claimDelayMs = Math.min(100, this._leaseMs / 4);
    this._reserveCheckDelayMs = Math.max(2 * this._leaseMs, heartbeatMs);
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'coordinator', group: this.name, member: this.id });
    this._socket = this._memberSocket(this.id);
    this._metrics = new GroupMetrics(this.name);
    this._election = this._register(
      createElection({
        dir: this._dir,
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
    this._register(this._election.onWillLead(({ token }) => this._onWillLead(token)));
    this._register(this._election.onDidRenew(({ token, index }) => this._sendLease(token, index)));
    this._register(this._election.onDidChangeRole((change) => this._onRole(change)));
    this._register(this._election.onDidChangeLeader((info) => this._onLeader(info)));
    if (_options.signal) this._register(onAbort(_options.signal, () => void this.close()));
  }

  /** Starts serving, joins the election, and (as a follower) waits briefly to be connected to the leader. */
  async start(): Promise<void> {
    throwIfAborted(this._options.signal);
    await ensureSecureDirectory(this._dir);
    // A path too long for the Unix limit was moved to the runtime directory: that one must exist and be safe too.
    if (process.platform !== 'win32' && dirname(this._socket) !== this._dir) await ensureSecureDirectory(dirname(this._socket));
    this._authToken = await ensureAuthToken(join(this._dir, `${toFileName(this.name, 'group name')}.group-token`));
    // Every member serves from the start, so the new leader is reachable the moment followers see
    // its term: nothing waits for a server to come up after an election.
    // Heartbeats are for the leader's connections; until this member leads, only reserves connect.
    const server = new IpcServer({ path: this._socket, auth: { token: this._authToken }, heartbeat: reserveHeartbeat, logger: this._logger });
    this._server = this._register(server);
    server.handle(methods.join, (params, context) => this._serveJoin(params, context));
    server.handle(methods.call, (params, context) => this._serveCall(params, context));
    server.handle(methods.publish, (params, context) => this._servePublish(params, context));
    server.handle(methods.stored, (params, context) => this._serveStored(params, context));
    server.handle(methods.standby, (params, context) => this._serveStandby(params, context));
    // Nothing to do: hearing it is the point (the heartbeat pings only members it has not heard from).
    server.handle(methods.heard, (params, context) => void this._quietly(() => parseHeard(params), context));
    this._register(server.onDidDisconnect((peer) => {
      this._reservePeers.delete(peer.id);
      if (this._followers.delete(peer.id)) this._membersChanged();
    }));
    await server.listen();
    if (this._closed) return;
    await this._election.start();
    if (this.role === 'follower' && !this._client) await this._whenConnectedOrLeader(this._leaseMs + 1000).catch(() => {});
  }

  get role(): GroupRole {
    if (this._closed) return 'closed';
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
    return this.role === 'leader' || this._client !== undefined;
  }

  /** The members connected to the leader, the leader first; as the leader last sent it, at a follower. */
  get members(): readonly Member[] {
    return this.role === 'leader' ? this._leaderView() : this._memberList;
  }

  /** The member list as this member, leading, sends it. */
  private _leaderView(): Member[] {
    const standby = this._standbyPeer();
    const followers = [...this._followers].map(([peer, member]) => (member.standby === (peer === standby) ? member : { ...member, standby: peer === standby }));
    return [{ ...this._self(), leader: true }, ...followers];
  }

  /**
   * The follower that stands by: the one whose connection this leader's death closes first, so
   * that it is woken before the others and claims while they are still waking. Linux closes a dead
   * process's descriptors from the highest number down (an IPC test shows it), so that is the
   * highest; the bench measured the failover of 10 members about a sixth faster at the median
   * than with the longest-joined follower, which woke last. Where connections have no descriptor
   * (Windows), the longest joined. The choice moves when a member joins on a higher descriptor;
   * each follower then moves its reserve connection, a moment later.
   */
  private _standbyPeer(): string | undefined {
    let standby: string | undefined;
    let highest = -1;
    for (const peer of this._followers.keys()) {
      const descriptor = this._server?.peer(peer)?.descriptor ?? -1;
      if (standby === undefined || descriptor > highest) {
        standby = peer;
        highest = descriptor;
      }
    }
    return standby;
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
    return this._metrics.report({
      role: this.role,
      token: this._election.leader?.token,
      members: members.length,
      standby: { id: standby, connected: standby !== undefined && this._reserve?.id === standby && this._reserve.registered && this._reserve.client.state === 'connected' },
    });
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
    const existing = this._stores.get(name);
    if (existing) return existing as Store<T>;
    // Versions are pushed and the directory is watched: the safety poll is a third net, so a slow
    // one (unless the caller asked for polling or chose a period).
    const pollMs = options.pollMs ?? (options.watch === 'poll' ? undefined : groupStorePollMs);
    const store = await openStore<T>({ ...options, pollMs, dir: this._dir, name: `${this.name}.${name}`, logger: this._options.logger });
    if (this._closed || this._closePromise) {
      // close() began while the store opened: it would not wait for this store's writes.
      store.dispose();
      this._throwIfClosing();
    }
    const raced = this._stores.get(name);
    if (raced) {
      store.dispose();
      return raced as Store<T>;
    }
    this._stores.set(name, store as Store<unknown>);
    this._register(store.onDidChange((change) => {
      if (change.origin === 'local') {
        this._announceStore(name, change.version);
        return;
      }
      this._metrics.stateUpdatesReceived.inc();
      const push = this._lastPush.get(name);
      if (push && change.version >= push.version) {
        this._lastPush.delete(name);
        if (push.at > 0) this._metrics.pushLatency.observe(Math.max(0, preciseNow() - push.at));
      }
    }));
    return store;
  }

  private _announceStore(store: string, version: number): void {
    this._metrics.stateUpdatesSent.inc();
    const notice: StoreNotice = { store, version, at: preciseNow() };
    if (this.role === 'leader') this._server?.publish(topics.store, notice);
    else this._client?.notify(methods.stored, notice);
  }

  private _receiveStoreNotice(notice: StoreNotice): void {
    const store = this._stores.get(notice.store);
    if (!store || notice.version <= store.version) return;
    this._lastPush.set(notice.store, notice);
    store.notifyChanged(notice.version);
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
    const entry: TaskEntry = { task, controller: undefined, disposed: false };
    this._tasks.add(entry);
    if (this._election.isLeader) this._startTask(entry);
    return toDisposable(() => {
      entry.disposed = true;
      entry.controller?.abort(new GroupClosedError('leader task disposed'));
      this._tasks.delete(entry);
    });
  }

  private _startTask(entry: TaskEntry): void {
    const token = this._election.token;
    const leadership = this._election.leadershipSignal;
    if (token === undefined || entry.disposed || leadership.aborted) return;
    const controller = new AbortController();
    entry.controller = controller;
    const off = onAbort(leadership, () => controller.abort(leadership.reason));
    const backoff = createBackoff({ initialMs: 100, maxMs: 10_000 });
    const run = (async () => {
      while (!controller.signal.aborted) {
        try {
          await entry.task(controller.signal, token);
          return;
        } catch (err) {
          if (controller.signal.aborted || isAbortError(err)) return;
          this._metrics.errors.inc({ kind: 'task' });
          this._logger.error({ err, fencingToken: token }, 'leader task failed; starting it again after a backoff');
          await abortableDelay(backoff.next(), { signal: controller.signal }).catch(() => {});
        }
      }
    })().finally(() => {
      off.dispose();
      this._running.delete(run);
    });
    this._running.add(run);
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
   * there is none. At most once, kept in one place: the leader's router refuses a call it cannot serve (it does not
   * lead) with ENOTLEADER before any handler runs, and only that refusal sends the call on to the next leader.
   * Whatever a handler throws, NotLeaderError included, reaches the caller as a CallFailedError with the handler's
   * error as its cause, and is never sent again. A call that got no answer fails with ELEADERCHANGED (the leader
   * went away) or ECALLTIMEOUT: both may have run (`data.mayHaveRun`); ENOLEADER never ran.
   */
  async call<T = unknown>(method: string, params?: unknown, options: CallOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = performance.now() + timeoutMs;
    const noLeader = (cause?: unknown) => new NoLeaderError(`call '${method}': no leader within ${timeoutMs} ms (an election may be in progress); it was not run`, { cause, data: { method, mayHaveRun: false } });
    for (;;) {
      throwIfAborted(options.signal);
      this._throwIfClosing();
      if (this._election.isLeader) {
        return (await this._runHandler(method, params, options.signal ? [options.signal] : [], this._self())) as T;
      }
      const client = this._client;
      if (client) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw noLeader();
        try {
          const result = await client.request<T>(methods.call, { method, params }, { timeoutMs: remaining, signal: options.signal });
          this._metrics.calls.inc({ outcome: 'ok' });
          return result;
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code === 'ECONNLOST') {
            this._metrics.calls.inc({ outcome: 'leader-changed' });
            throw new LeaderChangedError(`call '${method}': the leader went away before answering; it may have run`, { cause: err, data: { method, mayHaveRun: true } });
          }
          if (code === 'EREQUESTTIMEOUT') {
            this._metrics.calls.inc({ outcome: 'error' });
            throw new CallTimeoutError(`call '${method}': no answer from the leader within ${timeoutMs} ms; it may have run`, { cause: err, data: { method, mayHaveRun: true } });
          }
          // Only the router's refusal arrives as ENOTLEADER: a handler's own errors come wrapped (ECALLFAILED).
          if (code !== 'ENOTLEADER') {
            this._metrics.calls.inc({ outcome: 'error' });
            throw err;
          }
          // Not served: wait until this connection is replaced, then send it to the new leader.
          await this._whenConnectedOrLeader(deadline - performance.now(), options.signal, client).catch((waitErr: unknown) => {
            throw isAbortError(waitErr) ? waitErr : noLeader(err);
          });
          continue;
        }
      }
      await this._whenConnectedOrLeader(deadline - performance.now(), options.signal).catch((err: unknown) => {
        throw isAbortError(err) ? err : noLeader();
      });
    }
  }

  /**
   * The router's side of a call on the leader: refuses what it cannot serve before any handler runs (not leading:
   * ENOTLEADER; no handler: ENOMETHOD), and wraps whatever the handler throws, so that no error of a handler can
   * read as the refusal.
   */
  private async _runHandler(method: string, params: unknown, signals: AbortSignal[], caller: Member | undefined): Promise<unknown> {
    const token = this._election.token;
    if (token === undefined) throw new NotLeaderError(`member ${this.id} of group '${this.name}' is not the leader`);
    const handler = this._handlers.get(method);
    if (!handler) throw new MethodNotFoundError(`group '${this.name}': no handler for '${method}' on the leader`, { data: { method } });
    // Linked, not AbortSignal.any: the leadership signal lives for the whole term, and every call
    // would leave a listener on it until garbage collection.
    const link = new LinkedAbortController([this._election.leadershipSignal, ...signals]);
    this._metrics.callsServed.inc();
    try {
      return await handler(params, { signal: link.signal, token, caller });
    } catch (err) {
      const reason = err instanceof Error ? `${err.name}${errorCode(err) ? ` (${errorCode(err)})` : ''}: ${err.message}` : String(err);
      throw new CallFailedError(`call '${method}': the leader's handler threw ${reason}`, { cause: err, data: { method, mayHaveRun: true, token } });
    } finally {
      link.dispose();
    }
  }

  // ---- pub/sub ----

  /**
   * Sends `payload` to every member's subscribers of `topic`, this member's included. At most
   * once: a message sent while a follower has no leader connection (a failover) is dropped.
   */
  publish(topic: string, payload?: unknown): void {
    if (this._closed) throw new GroupClosedError(`group '${this.name}' is closed`);
    this._deliver(topic, payload);
    if (this.role === 'leader') this._server?.publish(topics.user(topic), payload);
    else if (this._client) this._client.notify(methods.publish, { topic, payload });
    else this._metrics.dropped.inc();
  }

  /**
   * Calls `listener` with every payload published on `topic` by any member, this one included. The topic is
   * subscribed on the connections to the leader while it has a listener here, and dropped from them with its last.
   */
  subscribe(topic: string, listener: (payload: unknown) => void): IDisposable {
    let set = this._listeners.get(topic);
    if (!set) {
      set = new Set();
      this._listeners.set(topic, set);
      for (const client of this._clientTopics.keys()) this._subscribeUser(client, topic);
    }
    set.add(listener);
    return toDisposable(() => {
      if (!set.delete(listener) || set.size > 0 || this._listeners.get(topic) !== set) return;
      this._listeners.delete(topic);
      for (const subscriptions of this._clientTopics.values()) {
        subscriptions.get(topic)?.dispose();
        subscriptions.delete(topic);
      }
    });
  }

  /** Subscribes `client` (a connection to a member) to the user topic `topic`, remembered so that it can be dropped. */
  private _subscribeUser(client: IpcClient, topic: string): void {
    this._clientTopics.get(client)?.set(topic, client.subscribe(topics.user(topic), (payload) => this._deliver(topic, payload)));
  }

  private _deliver(topic: string, payload: unknown): void {
    for (const listener of [...(this._listeners.get(topic) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        this._metrics.errors.inc({ kind: 'listener' });
        this._logger.warn({ err, topic }, 'subscriber threw');
      }
    }
  }

  // ---- serving (as leader) ----

  private async _serveJoin(params: unknown, context: RequestContext): Promise<unknown> {
    const join = this._checked(() => parseJoin(params), context);
    if (!this._election.isLeader) {
      // The follower saw this member's new term before this member heard its claim succeed: wait.
      await this._whenLeader(this._leaseMs, context.signal);
    }
    this._reservePeers.delete(context.peer.id);
    this._followers.set(context.peer.id, toMember(join, new Date().toISOString()));
    this._logger.debug({ follower: join.id, fencingToken: this._election.token }, 'a member joined by request');
    this._membersChanged();
    return { token: this._election.token ?? 0, members: this.members, stores: this._storeVersions() };
  }

  /** A follower registers its reserve connection: welcomed at once if this member takes over. */
  private _serveStandby(params: unknown, context: RequestContext): { leading: boolean } {
    const join = this._checked(() => parseJoin(params), context);
    // Already leading (the list that named this member was old): the follower joins the usual way.
    if (this._election.isLeader) return { leading: true };
    this._reservePeers.set(context.peer.id, toMember(join, ''));
    return { leading: false };
  }

  private _serveCall(params: unknown, context: RequestContext): Promise<unknown> {
    const call = this._checked(() => parseCall(params), context);
    if (!this._election.isLeader) throw new NotLeaderError(`member ${this.id} of group '${this.name}' is not the leader`);
    return this._runHandler(call.method, call.params, [context.signal], this._followers.get(context.peer.id));
  }

  private _servePublish(params: unknown, context: RequestContext): void {
    const message = this._quietly(() => parsePublish(params), context);
    if (!message || !this._election.isLeader) return;
    this._deliver(message.topic, message.payload);
    this._server?.publish(topics.user(message.topic), message.payload, context.peer.id);
  }

  private _serveStored(params: unknown, context: RequestContext): void {
    const notice = this._quietly(() => parseStoreNotice(params), context);
    if (!notice || !this._election.isLeader) return;
    this._server?.publish(topics.store, notice, context.peer.id);
    this._receiveStoreNotice(notice);
  }

  /** Parses a peer's request; a bad one is logged and refused (the error goes back to the peer). */
  private _checked<R>(parse: () => R, context: RequestContext): R {
    try {
      return parse();
    } catch (err) {
      this._metrics.errors.inc({ kind: 'bad-message' });
      this._logger.warn({ err, peer: context.peer.id, pid: context.peer.pid }, 'refused a bad message from a member');
      throw err;
    }
  }

  /** Parses a peer's notification; a bad one is logged and dropped (nobody waits for an answer). */
  private _quietly<R>(parse: () => R, context: RequestContext): R | undefined {
    try {
      return this._checked(parse, context);
    } catch {
      return undefined;
    }
  }

  private _membersChanged(delayMs = membersBroadcastDelayMs): void {
    this._onDidChangeMembers.fire(this.members);
    // Sent a moment later, once for a burst: after a failover every follower joins within a few
    // milliseconds, and a list per join would be a message per join to every member (quadratic)
    // just when the machine is busiest. Each joiner has the list from its welcome already.
    this._membersTimer ??= setTimeout(() => {
      this._membersTimer = undefined;
      if (this.role === 'leader') this._server?.publish(topics.members, { members: this.members });
    }, delayMs);
  }

  /**
   * Removes the socket files of members that died without leaving (SIGKILL, a crashed host), once
   * per term, by the leader only: a member's files are named `<group>.<12 hex>.sock` beside the
   * group's, and a live member holds the OS lock of its `.sock.lock`, so only the dead are swept.
   * Sockets moved to the runtime directory (a long path) have hashed names and are left alone.
   */
  private _sweepStaleSockets(): void {
    const own = basename(this._socket);
    const suffix = `.${shortHash(this.id).slice(0, 12)}.sock`;
    if (process.platform === 'win32' || dirname(this._socket) !== this._dir || !own.endsWith(suffix)) return;
    const prefix = own.slice(0, -suffix.length + 1);
    try {
      const removed = removeStaleSocketFiles(this._dir, (file) => file !== own && file.startsWith(prefix) && /^[0-9a-f]{12}\.sock$/.test(file.slice(prefix.length)));
      if (removed > 0) this._logger.info({ removed }, 'removed the socket files of members that died');
    } catch (err) {
      this._logger.warn({ err }, 'could not sweep the socket files of dead members');
    }
  }

  /**
   * Taking over: the followers registered on reserve connections become this term's followers,
   * and each gets its welcome now, unasked. A failover costs each of them this one message.
   */
  private _welcomeReserves(token: number): void {
    // A new term starts with no followers but these (the last term's, if any, have gone to the next leader).
    this._followers.clear();
    const server = this._server;
    if (!server || this._reservePeers.size === 0) return;
    const joinedAt = new Date().toISOString();
    for (const [peer, member] of this._reservePeers) this._followers.set(peer, { ...member, joinedAt });
    this._reservePeers.clear();
    const peers = [...this._followers.keys()];
    const send = (welcome: Welcome) => {
      server.sendTo(peers, topics.leading, welcome);
      // Out now, not after the rest of the term's start (tasks, listeners) has run.
      server.flush();
    };
    const welcome: Welcome = { token, members: this._leaderView(), stores: this._storeVersions() };
    if (groupFaultPoints.welcome) groupFaultPoints.welcome(welcome, send);
    else send(welcome);
  }

  /**
   * After each renewal of this leader's lease: the standby hears of every one (it takes over a
   * paused leader a lease after the last). The others hear of one every half heartbeat, and every
   * follower answers those (`answer`): a renewal late costs them nothing (they only claim if the
   * standby does not), and the notice stands in for the ping the heartbeat would send.
   */
  private _sendLease(token: number, index: number): void {
    const server = this._server;
    const standby = this._standbyPeer();
    if (!server || standby === undefined) return;
    const now = performance.now();
    if (now - this._leaseToAllAt >= this._heartbeat.intervalMs / 2) {
      this._leaseToAllAt = now;
      server.sendTo([...this._followers.keys()], topics.lease, { token, index, answer: true } satisfies LeaseNotice);
    } else {
      server.send(standby, topics.lease, { token, index } satisfies LeaseNotice);
    }
  }

  private _storeVersions(): Record<string, number> {
    const stores: Record<string, number> = {};
    for (const [name, store] of this._stores) stores[name] = store.version;
    return stores;
  }

  private _self(): Member {
    return { id: this.id, pid: process.pid, metadata: this._options.metadata, leader: this.role === 'leader', standby: false, joinedAt: this._joinedAt };
  }

  /** A member's socket path: every member serves at one derived from its id. */
  private _memberSocket(id: string): string {
    return socketPathIn(this._dir, `${this.name}.${shortHash(id).slice(0, 12)}`);
  }

  // ---- following ----

  /**
   * This member's claim is visible in the lock directory and is being made durable: the
   * followers registered with it are welcomed now, so that they join during the fsync rather
   * than after it. The election reports the term in the same turn of the event loop, so no
   * request from them is served before this member leads; if the claim fails, the lock shows
   * the term given back, and they follow whoever the election names next.
   */
  private _onWillLead(token: number): void {
    if (this._closed) return;
    this._welcomed = token;
    this._welcomeReserves(token);
  }

  private _onRole(change: RoleChange): void {
    const role: GroupRole = change.role === 'stopped' ? 'closed' : change.role;
    const previous: GroupRole = change.previous === 'stopped' ? 'closed' : change.previous;
    if (role === 'leader') {
      this._metrics.leadershipChanges.inc();
      this._unfollow();
      this._closeReserve();
      this._election.setClaimDelay(0);
      this._server?.setHeartbeat(this._heartbeat);
      // Welcomed as the claim became visible already, or (a claim that failed before) not yet.
      if (this._welcomed !== change.token) this._welcomeReserves(change.token ?? 0);
      this._welcomed = undefined;
      // After the failover's rush, not in it: a dead leader's files can wait a moment.
      const token = change.token;
      setTimeout(() => {
        if (!this._closed && this._election.token === token) this._sweepStaleSockets();
      }, 200).unref();
      for (const entry of this._tasks) this._startTask(entry);
    } else if (previous === 'leader') {
      this._metrics.leadershipChanges.inc();
      // The followers' elections hear of the end from this, not from a beacon: the standby claims at once.
      if (change.token !== undefined) this._server?.publish(topics.lease, { token: change.token, ended: true } satisfies LeaseNotice);
      for (const entry of this._tasks) entry.controller?.abort(new NotLeaderError('the term ended'));
      this._server?.setHeartbeat(reserveHeartbeat);
      // Followers stay connected until they see the next term (the election tells them); what
      // they send meanwhile is refused with ENOTLEADER, not run, and calls go to the next leader.
      this._followers.clear();
    }
    this._onDidChangeRole.fire({ role, previous, token: change.token, reason: change.reason });
    // Each follower has the list from its welcome: the first broadcast of the term can wait until the failover is over.
    if (role === 'leader') this._membersChanged(takeoverBroadcastDelayMs);
    this._wake();
  }

  private _onLeader(info: LeaderInfo | undefined): void {
    this._onDidChangeLeader.fire(toGroupLeader(info));
    if (this._closed) return;
    if (!info || info.id === this.id) {
      if (!info) this._unfollow();
      return;
    }
    this._follow(info);
  }

  private _follow(info: LeaderInfo): void {
    // Joined to it in this term already, or joining it over the reserve: nothing to do.
    if (this._client && this._clientLeader?.id === info.id && this._clientLeader.token >= info.token) return;
    if (this._joining?.id === info.id) return;
    if (this._reserve?.id === info.id && this._joinReserve(info.token)) return;
    this._unfollow();
    const seq = this._followSeq;
    const socket = (info.metadata as { socket?: unknown } | undefined)?.socket;
    if (typeof socket !== 'string') {
      this._logger.warn({ leader: info.id, fencingToken: info.token }, 'the leader published no socket (another program holds this group name?); waiting for the next leader');
      return;
    }
    void this._connectLoop(seq, info, socket);
  }

  private _unfollow(): void {
    this._followSeq++;
    this._joining = undefined;
    const client = this._client;
    if (!client) return;
    this._client = undefined;
    this._clientLeader = undefined;
    this._lostAt ??= performance.now();
    void client.close();
    this._onDidChangeConnection.fire({ connected: false });
  }

  /**
   * Dials the leader `info` names until joined, or until it is no longer the leader to follow. Before every retry
   * the election looks at the lock directory again: a leader that cannot be reached may have died, and then the
   * look finds its term released (and this member claims, or follows the claim): nobody redials a dead leader
   * while the election still names it from an older look. Retries are spread (full jitter): followers that lost
   * the same leader do not dial in step.
   */
  private async _connectLoop(seq: number, info: LeaderInfo, socket: string): Promise<void> {
    const backoff = createBackoff({ initialMs: 2, maxMs: 1000 });
    while (seq === this._followSeq && !this._closed) {
      try {
        await this._connect(seq, info, socket);
        return;
      } catch (err) {
        if (seq !== this._followSeq || this._closed) return;
        this._logger.debug({ err, leader: info.id, fencingToken: info.token }, 'could not join the leader yet; looking at the election again');
        await this._election.checkNow();
        const leader = this._election.leader;
        if (seq !== this._followSeq || this._closed || leader?.id !== info.id || leader.token !== info.token) return;
        await new Promise((resolve) => setTimeout(resolve, backoff.next()).unref());
      }
    }
  }

  private _newClient(id: string, path: string, heartbeat: { intervalMs: number; timeoutMs: number }): IpcClient {
    const client = new IpcClient({ path, auth: { token: this._authToken }, name: `${this.name}/${this.id}`, reconnect: false, heartbeat, logger: this._logger });
    // Subscribed before joining: nothing published after the join's answer is missed.
    client.subscribe(topics.members, (payload) => this._receiveMembers(client, payload));
    client.subscribe(topics.leading, (payload) => this._receiveLeading(client, payload));
    client.subscribe(topics.store, (payload) => this._receiveFromLeader(() => this._receiveStoreNotice(parseStoreNotice(payload))));
    client.subscribe(topics.lease, (payload) => this._receiveFromLeader(() => this._receiveLease(client, parseLeaseNotice(payload))));
    this._clientTopics.set(client, new Map());
    client.onDidChangeConnection(({ state }) => {
      if (state === 'closed') this._clientTopics.delete(client);
    });
    for (const topic of this._listeners.keys()) this._subscribeUser(client, topic);
    this._logger.debug({ member: id }, 'connecting to a member');
    return client;
  }

  private async _connect(seq: number, info: LeaderInfo, socket: string): Promise<void> {
    const client = this._newClient(info.id, socket, this._followerHeartbeat);
    try {
      await client.connect();
      if (seq !== this._followSeq || this._closed) throw new GroupClosedError('superseded');
      await this._join(seq, client, info.id, info.token, 'new');
    } catch (err) {
      void client.close();
      throw err;
    }
  }

  /**
   * Joins the member `leaderId` over `client` (connected and subscribed) and follows it through
   * that connection. `term` is the token this follower knows of; a member that does not lead yet
   * answers once it does (it may have claimed a moment before its followers saw the term).
   */
  private async _join(seq: number, client: IpcClient, leaderId: string, term: number, via: 'standby' | 'new'): Promise<void> {
    const welcome = parseWelcome(
      await client.request(methods.join, { id: this.id, pid: process.pid, metadata: this._options.metadata, term }, { timeoutMs: this._leaseMs * 2 }),
    );
    await this._adopt(seq, client, leaderId, welcome, via);
  }

  /** Follows `leaderId` through `client`, as its `welcome` says (the answer to a join, or the standby's welcome when it took over). */
  private async _adopt(seq: number, client: IpcClient, leaderId: string, welcome: Welcome, via: 'standby' | 'new'): Promise<void> {
    if (seq !== this._followSeq || this._closed) throw new GroupClosedError('superseded');
    if (client.state !== 'connected') throw new GroupClosedError('the connection closed as the welcome came');
    // Told by the leader before the lock directory was looked at again (a failover to the
    // standby): look now, so that `leader` is the new one before `connected` is reported.
    if ((this._election.leader?.token ?? 0) < welcome.token) {
      await this._election.checkNow();
      if (seq !== this._followSeq || this._closed) throw new GroupClosedError('superseded');
    }
    // The lock decides who leads, not the message: a welcome for a term the lock directory does
    // not show this member holding (an older term, or one it never claimed) is refused.
    const held = this._election.leader;
    if (held?.id !== leaderId || held.token !== welcome.token) {
      throw new StaleWelcomeError(leaderId, welcome.token, held);
    }
    this._client = client;
    this._clientLeader = { id: leaderId, token: welcome.token };
    this._joining = undefined;
    client.setHeartbeat(this._followerHeartbeat);
    this._memberList = welcome.members;
    client.onDidChangeConnection(({ state }) => {
      if (state === 'closed' && this._client === client) this._onConnectionLost(client, leaderId);
    });
    if (this._lostAt !== undefined) {
      this._metrics.observeFailover(performance.now() - this._lostAt);
      this._lostAt = undefined;
    }
    this._metrics.joins.inc({ via });
    for (const [name, version] of Object.entries(welcome.stores)) this._receiveStoreNotice({ store: name, version, at: 0 });
    this._logger.info({ leader: leaderId, fencingToken: welcome.token, members: welcome.members.length, via }, 'joined the leader');
    this._onDidChangeConnection.fire({ connected: true });
    this._onDidChangeMembers.fire(this._memberList);
    this._updateStandby(this._memberList);
    this._wake();
  }

  /** From the leader joined: a renewal of its lease, or the end of its term (see _sendLease). */
  private _receiveLease(client: IpcClient, notice: LeaseNotice): void {
    if (this._client !== client || this._clientLeader?.token !== notice.token) return;
    if (notice.ended) {
      this._election.holderGone(notice.token);
      return;
    }
    this._election.holderRenewed(notice.token, notice.index ?? 0);
    // Answered while awake for it anyway: the leader, having heard from this member, does not ping
    // it. Only the notices it asks about (the standby hears of more) spare it a wakeup for the rest.
    if (notice.answer) client.notify(methods.heard, { token: notice.token });
  }

  private _onConnectionLost(client: IpcClient, leaderId: string): void {
    if (this._client !== client) return;
    // The kernel closed it: the leader died, or let go and left. The election hears of it here.
    if (this._clientLeader) this._election.holderGone(this._clientLeader.token);
    this._client = undefined;
    this._clientLeader = undefined;
    this._lostAt = performance.now();
    this._onDidChangeConnection.fire({ connected: false });
    // The standby, if any, claims the term the moment it sees the death and sends its welcome
    // over the reserve connection: nothing to send from here. Otherwise the election names the
    // next leader and calls _follow. If the same leader is still there (this process was paused
    // past the heartbeat), join it again.
    const seq = this._followSeq;
    setTimeout(() => {
      const leader = this._election.leader;
      if (seq === this._followSeq && !this._closed && leader?.id === leaderId && leaderId !== this.id) this._follow(leader);
    }, 50).unref();
  }

  // ---- the reserve connection to the standby ----

  /**
   * Joins the standby over the reserve connection (the election named it before its welcome
   * came). Returns false when there is no open reserve (the caller connects the usual way).
   */
  private _joinReserve(term: number): boolean {
    const reserve = this._reserve;
    if (!reserve || reserve.client.state !== 'connected') return false;
    this._reserve = undefined;
    if (reserve.registered && !reserve.leading) {
      // Registered before it took over: its welcome is on the way, unasked. A join now would be
      // one more request for the new leader to serve in the failover's busiest milliseconds.
      this._unfollow();
      const seq = this._followSeq;
      this._joining = { id: reserve.id, client: reserve.client };
      setTimeout(() => {
        if (seq !== this._followSeq || this._closed || this._joining?.client !== reserve.client) return;
        this._join(seq, reserve.client, reserve.id, term, 'standby').catch((err: unknown) => this._standbyFailed(seq, reserve, err));
      }, welcomeWaitMs).unref();
      return true;
    }
    this._unfollow();
    const seq = this._followSeq;
    this._joining = { id: reserve.id, client: reserve.client };
    this._join(seq, reserve.client, reserve.id, term, 'standby').catch((err: unknown) => this._standbyFailed(seq, reserve, err));
    return true;
  }

  /**
   * The standby took over and sends its welcome over the reserve connection (or over the one a
   * join is pending on). Taken unless this follower is already joined to a term as new.
   */
  private _receiveLeading(client: IpcClient, payload: unknown): void {
    this._receiveFromLeader(() => {
      const welcome = parseWelcome(payload);
      const reserve = this._reserve?.client === client ? this._reserve : this._joining?.client === client ? this._joining : undefined;
      if (!reserve || (this._client && (this._clientLeader?.token ?? 0) >= welcome.token)) return;
      // A welcome for a term older than one the election has seen: that standby's term is over.
      if (welcome.token < (this._election.leader?.token ?? 0)) return;
      if (this._reserve === reserve) this._reserve = undefined;
      this._unfollow();
      const seq = this._followSeq;
      this._joining = { id: reserve.id, client };
      this._adopt(seq, client, reserve.id, welcome, 'standby').catch((err: unknown) => this._standbyFailed(seq, { id: reserve.id, client }, err));
    });
  }

  /** Following the standby over the reserve failed (it did not take over, or its connection closed): follow whoever the election names. */
  private _standbyFailed(seq: number, reserve: { id: string; client: IpcClient }, err: unknown): void {
    const current = seq === this._followSeq && !this._closed;
    if (current) this._joining = undefined;
    this._dropClient(reserve.client);
    if (!current) return;
    if (err instanceof StaleWelcomeError) this._logger.warn({ member: reserve.id, fencingToken: err.token, leader: err.held?.id, leaderToken: err.held?.token }, err.message);
    else this._logger.debug({ err, member: reserve.id }, 'could not follow the standby; following whoever the election names');
    const leader = this._election.leader;
    if (leader && leader.id !== this.id) this._follow(leader);
  }

  /** From the leader's member list: who stands by. The standby claims at once; the others wait a moment, connected to it. */
  private _updateStandby(members: readonly Member[]): void {
    const standby = standbyOf(members);
    // A follower other than the standby also judges a paused leader later than the standby does
    // (by two leases or a heartbeat, whichever is longer): it would only claim if the standby did
    // not, and so it sleeps through the renewals it hears of instead of waking between them.
    this._election.setClaimDelay(standby === undefined || standby === this.id ? 0 : this._claimDelayMs, this._reserveCheckDelayMs);
    if (standby === undefined || standby === this.id || this._closed) {
      this._closeReserve();
      return;
    }
    if (this._reserve?.id === standby) return;
    this._closeReserve();
    // A moment later, with jitter: right after a failover every follower learns of the new standby at once.
    this._reserveTimer = setTimeout(() => {
      this._reserveTimer = undefined;
      this._openReserve(standby);
    }, reserveOpenDelayMs * (1 + Math.random()));
    this._reserveTimer.unref();
  }

  private _openReserve(id: string): void {
    if (this._closed || this.role === 'leader' || standbyOf(this._memberList) !== id) return;
    const client = this._newClient(id, this._memberSocket(id), reserveHeartbeat);
    const reserve: Reserve = { id, client, registered: false };
    this._reserve = reserve;
    client.onDidChangeConnection(({ state }) => {
      if (state === 'closed' && this._reserve === reserve) this._reserve = undefined;
    });
    void (async () => {
      try {
        await client.connect();
        const answer = (await client.request(methods.standby, { id: this.id, pid: process.pid, metadata: this._options.metadata, term: 0 }, { timeoutMs: this._leaseMs * 2 })) as { leading?: unknown } | undefined;
        if (this._reserve !== reserve) return;
        reserve.registered = true;
        // It leads already (no welcome will come): let the election say so, and _follow joins over this connection.
        if (answer?.leading === true) {
          reserve.leading = true;
          void this._election.checkNow();
        }
      } catch (err) {
        this._logger.debug({ err, member: id }, 'could not connect to the standby; a failover will connect the usual way');
        if (this._reserve === reserve) this._reserve = undefined;
        this._dropClient(client);
      }
    })();
  }

  /** Closes a connection that failed to become the leader connection, unless another path now uses it. */
  private _dropClient(client: IpcClient): void {
    if (client !== this._client && client !== this._joining?.client && client !== this._reserve?.client) void client.close();
  }

  private _closeReserve(): void {
    clearTimeout(this._reserveTimer);
    this._reserveTimer = undefined;
    const reserve = this._reserve;
    this._reserve = undefined;
    if (reserve && reserve.client !== this._client) void reserve.client.close();
  }

  private _receiveMembers(client: IpcClient, payload: unknown): void {
    this._receiveFromLeader(() => {
      const members = parseMembers(payload);
      if (this._client !== client) return;
      this._memberList = members;
      this._onDidChangeMembers.fire(members);
      this._updateStandby(members);
    });
  }

  private _receiveFromLeader(receive: () => void): void {
    try {
      receive();
    } catch (err) {
      this._metrics.errors.inc({ kind: 'bad-message' });
      this._logger.warn({ err }, 'ignored a bad message from the leader');
    }
  }

  // ---- waiting ----

  private _wake(): void {
    this._onDidSettle.fire();
  }

  /** Resolves when this member leads or (as a follower) is connected to a leader other than `not`. */
  private _whenConnectedOrLeader(timeoutMs: number, signal?: AbortSignal, not?: IpcClient): Promise<void> {
    return this._waitUntil(() => this._election.isLeader || (this._client !== undefined && this._client !== not), timeoutMs, signal);
  }

  private async _whenLeader(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await this._waitUntil(() => this._election.isLeader || this._election.role !== 'follower', timeoutMs, signal).catch((err: unknown) => {
      throw isAbortError(err) ? err : new NotLeaderError(`member ${this.id} of group '${this.name}' is not the leader`);
    });
    if (!this._election.isLeader) throw new NotLeaderError(`member ${this.id} of group '${this.name}' is not the leader`);
  }

  /** Resolves once `ready()` holds (checked whenever the role or the connection changes); rejects with NoLeaderError after `timeoutMs`. */
  private async _waitUntil(ready: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (!this._closed && ready()) return;
    if (!this._closed) await waitForEvent(this._onDidSettle.event, () => this._closed || ready(), timeoutMs, signal, () => new NoLeaderError('timed out'));
    if (this._closed) throw new GroupClosedError(`group '${this.name}' is closed`);
  }

  // ---- shutdown ----

  /** From the moment close() starts: its waits (the stores' writes, the handover) take nothing new. */
  private _throwIfClosing(): void {
    if (this._closed || this._closePromise) throw new GroupClosedError(`group '${this.name}' is ${this._closed ? 'closed' : 'closing'}`);
  }

  /**
   * Leaves the group, synchronously: aborts leader tasks, resigns (a follower takes over at
   * once), closes connections, the server and the stores. Pending calls fail.
   */
  override dispose(): void {
    if (this._closed) return;
    this._closed = true;
    clearTimeout(this._membersTimer);
    this._metrics.dispose();
    for (const entry of this._tasks) entry.controller?.abort(new GroupClosedError('group closed'));
    this._election.dispose();
    const joining = this._joining?.client;
    this._unfollow();
    void joining?.close();
    this._closeReserve();
    this._server?.dispose();
    for (const store of this._stores.values()) store.dispose();
    this._wake();
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
      const stores = [...this._stores.values()];
      await Promise.allSettled(stores.map((store) => store.close()));
      for (const entry of this._tasks) entry.controller?.abort(new GroupClosedError('group closed'));
      const server = this._server;
      await this._election.close();
      if (server && server.peers.length > 0) {
        await waitForEvent(server.onDidDisconnect, () => server.peers.length === 0, Math.min(this._leaseMs, 1000)).catch(() => {});
      }
      this.dispose();
      await Promise.allSettled([server?.close(), ...this._running]);
    })();
    return this._closePromise;
  }
}

/** The next event for which `done()` holds; rejects with `onTimeout()` (or a TimeoutError) after `timeoutMs`, or with the signal's reason. */
async function waitForEvent<T>(event: Event<T>, done: () => boolean, timeoutMs: number, signal?: AbortSignal, onTimeout?: () => Error): Promise<void> {
  const link = new LinkedAbortController([signal]);
  const timer = setTimeout(() => link.abort(onTimeout?.() ?? new TimeoutError(`no change within ${timeoutMs} ms`)), Math.max(0, timeoutMs));
  try {
    await eventToPromise(event, { signal: link.signal, filter: done });
  } finally {
    clearTimeout(timer);
    link.dispose();
  }
}

/** The id of the member a member list names standby. */
function standbyOf(members: readonly Member[]): string | undefined {
  return members.find((m) => m.standby)?.id;
}

/** A follower as the leader (or the standby) records it, from its join or standby registration. */
function toMember(join: JoinParams, joinedAt: string): Member {
  return { id: join.id, pid: join.pid, metadata: join.metadata, leader: false, standby: false, joinedAt };
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
