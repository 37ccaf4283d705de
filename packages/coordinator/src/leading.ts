import { basename, dirname } from 'node:path';
import { shortHash } from '@baton/base';
import { removeStaleSocketFiles, type IpcServer, type RequestContext } from '@baton/ipc';
import { routeCall, type CallHandler, type Router } from './calls.js';
import { reserveHeartbeat, type GroupContext, type Heartbeat } from './context.js';
import { NotLeaderError } from './errors.js';
import { methods, parseCall, parseHeard, parseJoin, parsePublish, parseStoreNotice, topics, type JoinParams, type LeaseNotice, type Member, type StoreNotice, type Welcome } from './protocol.js';
import { waitForEvent } from './wait.js';

/** How long the leader gathers member changes before sending the list to the members. */
const membersBroadcastDelayMs = 5;
/** The same for a term's first list: the followers are joining all at once just then. */
const takeoverBroadcastDelayMs = 50;

/** Test-only fault points: a test sets one to change what a member does at that exact place. */
export const groupFaultPoints: {
  /**
   * In a member taking over as standby, instead of pushing its welcome to its reserve peers: the
   * welcome and the function that pushes one (call it with another, later, or not at all).
   */
  welcome?: (welcome: Welcome, send: (welcome: Welcome) => void) => void;
} = {};

/**
 * A member's server, and what it does with it while it leads: it takes joins, serves calls, passes publications and
 * store versions on to every follower, tells them of its lease, and names the standby. Before it leads, it takes
 * the registrations of followers' reserve connections (it may be the standby) and refuses the rest.
 */
export class LeaderSide {
  /** The followers joined in this term, by IPC peer id. */
  private readonly _followers = new Map<string, Member>();
  /** Followers registered on reserve connections while this member does not lead, by IPC peer id. */
  private readonly _reservePeers = new Map<string, Member>();
  private _membersTimer: ReturnType<typeof setTimeout> | undefined;
  /** The term whose welcome went out as its claim became visible, before the claim was durable (see willLead). */
  private _welcomed: number | undefined;
  /** When this leader last told every follower of a renewal (see lease). */
  private _leaseToAllAt = -Infinity;

  constructor(
    private readonly _context: GroupContext,
    private readonly _server: IpcServer,
    private readonly _heartbeat: Heartbeat,
    private readonly _handlers: ReadonlyMap<string, CallHandler>,
    private readonly _onMembers: (members: readonly Member[]) => void,
  ) {
    const election = _context.election;
    this.router = {
      member: _context.id,
      group: _context.name,
      token: () => (election.isLeader ? election.token : undefined),
      leadership: () => election.leadershipSignal,
      handler: (method) => _handlers.get(method),
      onServed: () => _context.metrics.callsServed.inc(),
    };
    const server = _server;
    server.handle(methods.join, (params, context) => this._serveJoin(params, context));
    server.handle(methods.call, (params, context) => this._serveCall(params, context));
    server.handle(methods.publish, (params, context) => this._servePublish(params, context));
    server.handle(methods.stored, (params, context) => this._serveStored(params, context));
    server.handle(methods.standby, (params, context) => this._serveStandby(params, context));
    // Nothing to do: hearing it is the point (the heartbeat pings only members it has not heard from).
    server.handle(methods.heard, (params, context) => void this._quietly(() => parseHeard(params), context));
    server.onDidDisconnect((peer) => {
      this._reservePeers.delete(peer.id);
      if (this._followers.delete(peer.id)) this._membersChanged();
    });
  }

  private get _leading(): boolean {
    return this._context.election.isLeader;
  }

  /** The member list as this member, leading, sends it: itself first, then the followers, one marked standby. */
  members(): Member[] {
    const standby = this._standbyPeer();
    const followers = [...this._followers].map(([peer, member]) => (member.standby === (peer === standby) ? member : { ...member, standby: peer === standby }));
    return [{ ...this._context.self(), leader: true }, ...followers];
  }

  /** The router's view of this member, for calls served here or made in process. */
  readonly router: Router;

  /**
   * The follower that stands by: the longest joined. (Choosing the follower on the leader's highest descriptor,
   * whose connection a dying leader's kernel closes first, showed no gain in paired runs: docs/BENCHMARKS.md.)
   */
  private _standbyPeer(): string | undefined {
    return this._followers.keys().next().value;
  }

  /**
   * This member's claim is visible in the lock directory and is being made durable: the followers registered with
   * it are welcomed now, so that they join during the fsync rather than after it. The election reports the term in
   * the same turn of the event loop, so no request from them is served before this member leads; if the claim
   * fails, the lock shows the term given back, and they follow whoever the election names next.
   */
  willLead(token: number): void {
    this._welcomed = token;
    this._welcomeReserves(token);
  }

  /** This member's term began. */
  lead(token: number): void {
    this._server.setHeartbeat(this._heartbeat);
    // Welcomed as the claim became visible already, or (a claim that failed before) not yet.
    if (this._welcomed !== token) this._welcomeReserves(token);
    this._welcomed = undefined;
    // After the failover's rush, not in it: a dead leader's files can wait a moment.
    setTimeout(() => {
      if (!this._context.closed() && this._context.election.token === token) this._sweepStaleSockets();
    }, 200).unref();
    // Each follower has the list from its welcome: the first broadcast of the term can wait until the failover is over.
    this._membersChanged(takeoverBroadcastDelayMs);
  }

  /** This member's term ended while it lives: the followers' elections hear of it from this, and the standby claims at once. */
  stepDown(token: number): void {
    this._server.publish(topics.lease, { token, ended: true } satisfies LeaseNotice);
    this._server.setHeartbeat(reserveHeartbeat);
    // Followers stay connected until they see the next term (the election tells them); what
    // they send meanwhile is refused with ENOTLEADER, not run, and calls go to the next leader.
    this._followers.clear();
  }

  /**
   * After each renewal of this leader's lease: the standby hears of every one (it takes over a
   * paused leader a lease after the last). The others hear of one every half heartbeat, and every
   * follower answers those (`answer`): a renewal late costs them nothing (they only claim if the
   * standby does not), and the notice stands in for the ping the heartbeat would send.
   */
  lease(token: number, index: number): void {
    const standby = this._standbyPeer();
    if (standby === undefined) return;
    const now = performance.now();
    if (now - this._leaseToAllAt >= this._heartbeat.intervalMs / 2) {
      this._leaseToAllAt = now;
      this._server.sendTo([...this._followers.keys()], topics.lease, { token, index, answer: true } satisfies LeaseNotice);
    } else {
      this._server.send(standby, topics.lease, { token, index } satisfies LeaseNotice);
    }
  }

  /** A store version to every follower but `except` (the one that sent it). */
  publishStore(notice: StoreNotice, except?: string): void {
    this._server.publish(topics.store, notice, except);
  }

  /** A user payload to every follower but `except`. */
  publishUser(topic: string, payload: unknown, except?: string): void {
    this._server.publish(topics.user(topic), payload, except);
  }

  dispose(): void {
    clearTimeout(this._membersTimer);
  }

  private async _serveJoin(params: unknown, context: RequestContext): Promise<unknown> {
    const join = this._checked(() => parseJoin(params), context);
    if (!this._leading) {
      // The follower saw this member's new term before this member heard its claim succeed: wait.
      await waitForEvent(this._context.election.onDidChangeRole, () => this._context.election.role !== 'follower', this._context.leaseMs, context.signal).catch(() => {});
      if (!this._leading) throw new NotLeaderError(`member ${this._context.id} of group '${this._context.name}' is not the leader`);
    }
    this._reservePeers.delete(context.peer.id);
    this._followers.set(context.peer.id, toMember(join, new Date().toISOString()));
    this._context.logger.debug({ follower: join.id, fencingToken: this._context.election.token }, 'a member joined by request');
    this._membersChanged();
    return { token: this._context.election.token ?? 0, members: this.members(), stores: this._context.stores.versions() } satisfies Welcome;
  }

  /** A follower registers its reserve connection: welcomed at once if this member takes over. */
  private _serveStandby(params: unknown, context: RequestContext): { leading: boolean } {
    const join = this._checked(() => parseJoin(params), context);
    // Already leading (the list that named this member was old): the follower joins the usual way.
    if (this._leading) return { leading: true };
    this._reservePeers.set(context.peer.id, toMember(join, ''));
    return { leading: false };
  }

  private _serveCall(params: unknown, context: RequestContext): Promise<unknown> {
    const call = this._checked(() => parseCall(params), context);
    return routeCall(this.router, call.method, call.params, [context.signal], this._followers.get(context.peer.id));
  }

  private _servePublish(params: unknown, context: RequestContext): void {
    const message = this._quietly(() => parsePublish(params), context);
    if (!message || !this._leading) return;
    this._context.topics.deliver(message.topic, message.payload);
    this.publishUser(message.topic, message.payload, context.peer.id);
  }

  private _serveStored(params: unknown, context: RequestContext): void {
    const notice = this._quietly(() => parseStoreNotice(params), context);
    if (!notice || !this._leading) return;
    this._context.storeHeard(notice, context.peer.id);
  }

  /** Parses a peer's request; a bad one is logged and refused (the error goes back to the peer). */
  private _checked<R>(parse: () => R, context: RequestContext): R {
    try {
      return parse();
    } catch (err) {
      this._context.metrics.errors.inc({ kind: 'bad-message' });
      this._context.logger.warn({ err, peer: context.peer.id, pid: context.peer.pid }, 'refused a bad message from a member');
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
    this._onMembers(this.members());
    // Sent a moment later, once for a burst: after a failover every follower joins within a few
    // milliseconds, and a list per join would be a message per join to every member (quadratic)
    // just when the machine is busiest. Each joiner has the list from its welcome already.
    this._membersTimer ??= setTimeout(() => {
      this._membersTimer = undefined;
      if (this._leading) this._server.publish(topics.members, { members: this.members() });
    }, delayMs);
  }

  /**
   * Taking over: the followers registered on reserve connections become this term's followers,
   * and each gets its welcome now, unasked. A failover costs each of them this one message.
   */
  private _welcomeReserves(token: number): void {
    // A new term starts with no followers but these (the last term's, if any, have gone to the next leader).
    this._followers.clear();
    if (this._reservePeers.size === 0) return;
    const joinedAt = new Date().toISOString();
    for (const [peer, member] of this._reservePeers) this._followers.set(peer, { ...member, joinedAt });
    this._reservePeers.clear();
    const peers = [...this._followers.keys()];
    const send = (welcome: Welcome) => {
      this._server.sendTo(peers, topics.leading, welcome);
      // Out now, not after the rest of the term's start (tasks, listeners) has run.
      this._server.flush();
    };
    const welcome: Welcome = { token, members: this.members(), stores: this._context.stores.versions() };
    if (groupFaultPoints.welcome) groupFaultPoints.welcome(welcome, send);
    else send(welcome);
  }

  /**
   * Removes the socket files of members that died without leaving (SIGKILL, a crashed host), once
   * per term, by the leader only: a member's files are named `<group>.<12 hex>.sock` beside the
   * group's, and a live member holds the OS lock of its `.sock.lock`, so only the dead are swept.
   * Sockets moved to the runtime directory (a long path) have hashed names and are left alone.
   */
  private _sweepStaleSockets(): void {
    const { dir, id, logger } = this._context;
    const socket = this._context.memberSocket(id);
    const own = basename(socket);
    const suffix = `.${shortHash(id).slice(0, 12)}.sock`;
    if (process.platform === 'win32' || dirname(socket) !== dir || !own.endsWith(suffix)) return;
    const prefix = own.slice(0, -suffix.length + 1);
    try {
      const removed = removeStaleSocketFiles(dir, (file) => file !== own && file.startsWith(prefix) && /^[0-9a-f]{12}\.sock$/.test(file.slice(prefix.length)));
      if (removed > 0) logger.info({ removed }, 'removed the socket files of members that died');
    } catch (err) {
      logger.warn({ err }, 'could not sweep the socket files of dead members');
    }
  }
}

/** A follower as the leader (or the standby) records it, from its join or standby registration. */
function toMember(join: JoinParams, joinedAt: string): Member {
  return { id: join.id, pid: join.pid, metadata: join.metadata, leader: false, standby: false, joinedAt };
}
