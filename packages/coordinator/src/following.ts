import { IpcClient } from '@baton/ipc';
import { StaleWelcomeError } from './errors.js';
import { standbyOf, reserveHeartbeat, type GroupContext, type Heartbeat } from './context.js';
import type { LeaderRef, MemberEvent } from './member.js';
import { methods, parseLeaseNotice, parseMembers, parseStoreNotice, parseWelcome, topics, type LeaseNotice, type Member, type StoreNotice, type Welcome } from './protocol.js';
import { preciseNow } from './stores.js';

/** A follower's link to its leader: the connection, and the welcome it joined with. */
export interface Link {
  readonly client: IpcClient;
  readonly welcome: Welcome;
  /** Over the connection kept open to the standby, or a new one. */
  readonly via: 'standby' | 'new';
}

/** A connection kept open to the standby, registered with it, so that a failover to it is one message. */
interface Reserve {
  readonly id: string;
  readonly client: IpcClient;
  /** The standby has the registration: it sends its welcome, unasked, when it takes over. */
  registered: boolean;
  /** It led already when it registered this follower: no welcome comes, the follower joins. */
  leading: boolean;
  /** Its welcome, come unasked: it took over. Used by the dial the election's look then starts. */
  welcome?: Welcome;
}

/**
 * A follower that sees the standby's new term before the welcome the standby sends it: how long
 * it waits for that welcome before asking with a join (the welcome normally follows within a
 * few milliseconds, behind the claim's fsync).
 */
const welcomeWaitMs = 50;
/** After the followers' lists name a new standby: wait this long (plus jitter) before connecting to it, clear of a failover's rush. */
const reserveOpenDelayMs = 100;

/**
 * The follower's side of a member: carries out the state machine's `dial` and `look`, keeps the reserve connection
 * to the standby, and passes on what the leader sends over the link (`current` says whether a connection is the
 * link the state machine follows).
 */
export class FollowerSide {
  private _reserve: Reserve | undefined;
  private _reserveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Dials over a reserve connection waiting for the standby's welcome, by connection. */
  private readonly _waitingDials = new Map<IpcClient, (welcome: Welcome) => void>();
  /** How long a follower other than the standby waits before claiming a free term (see setClaimDelay). */
  private readonly _claimDelayMs: number;
  /** Whether this follower defers its claim to the standby (it is not the standby). */
  private _deferring = false;
  /** How much later than the standby such a follower judges a paused leader (see setClaimDelay's expiryCheckDelayMs). */
  private readonly _reserveCheckDelayMs: number;

  /** The member list the leader last sent. */
  members: readonly Member[] = [];
  /** When the link to the last leader closed (for the failover metric). */
  private _lostAt: number | undefined;

  constructor(
    private readonly _context: GroupContext,
    private readonly _heartbeat: Heartbeat,
    heartbeatMs: number,
    private readonly _group: {
      /** Feeds an event to the state machine. */
      dispatch(event: MemberEvent<Link>): void;
      /** Whether `client` is the link the state machine follows. */
      current(client: IpcClient): boolean;
      members(members: readonly Member[]): void;
      connection(connected: boolean): void;
    },
  ) {
    this._claimDelayMs = Math.min(100, _context.leaseMs / 4);
    this._reserveCheckDelayMs = Math.max(2 * _context.leaseMs, heartbeatMs);
  }

  /** The state machine's `dial`: join `leader` (over the reserve if it is the standby) and report `joined` or `dial-failed`. */
  async dial(attempt: number, leader: LeaderRef, retry: number, stillWanted: () => boolean): Promise<void> {
    const { logger } = this._context;
    // Spread (full jitter): followers that lost the same leader do not dial in step.
    if (retry > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 2 * 2 ** retry)).unref());
    if (!stillWanted()) return;
    const reserve = this._takeReserve(leader.id);
    let link: Link;
    try {
      link = reserve ? await this._joinOverReserve(reserve, leader) : await this._joinNew(leader);
    } catch (err) {
      if (reserve) void reserve.client.close();
      logger.debug({ err, leader: leader.id, fencingToken: leader.token, attempt }, 'could not join the leader; looking at the election again');
      this._group.dispatch({ type: 'dial-failed', attempt });
      return;
    }
    // The lock decides who leads, not the message: the state machine refuses a welcome for another term than the
    // one the election named (an older one, or one that member never held), and the election looks again.
    if (link.welcome.token !== leader.token) logger.warn({ member: leader.id, fencingToken: link.welcome.token, leaderToken: leader.token }, new StaleWelcomeError(leader.id, link.welcome.token, leader).message);
    this._group.dispatch({ type: 'joined', attempt, token: link.welcome.token, link });
  }

  /**
   * The state machine's `look`: the election looks at the lock directory (told first that term `gone` ended), then
   * `looked`. Told of the end, the election looks at once, or, in a follower that defers to the standby, halfway
   * through its claim delay (the standby's welcome usually comes first, and moves the state machine on): the look
   * waits as long, so that the failover's busiest milliseconds are the standby's.
   */
  async look(attempt: number, gone: number | undefined, stillWanted: () => boolean): Promise<void> {
    const { election } = this._context;
    // Told of the end, the election looks at once (and resolves true when done): no second look is needed.
    const looked = gone !== undefined && (await election.holderGone(gone));
    if (!looked) {
      if (gone !== undefined && this._deferring) await new Promise((resolve) => setTimeout(resolve, this._claimDelayMs / 2).unref());
      if (!stillWanted()) return;
      await election.checkNow();
    }
    this._group.dispatch({ type: 'looked', attempt, leader: toLeaderRef(election.leader) });
  }

  /** The state machine's `connected`: follow over `link` (dial `attempt`): take its welcome, and hear of its end. */
  adopt(link: Link, attempt: number): void {
    const { metrics, stores, logger, election } = this._context;
    const { client, welcome, via } = link;
    client.setHeartbeat(this._heartbeat);
    client.onDidChangeConnection(({ state }) => {
      if (state === 'closed') this._group.dispatch({ type: 'link-lost', attempt });
    });
    if (client.state !== 'connected') this._group.dispatch({ type: 'link-lost', attempt });
    if (this._lostAt !== undefined) {
      metrics.observeFailover(performance.now() - this._lostAt);
      this._lostAt = undefined;
    }
    metrics.joins.inc({ via });
    for (const [store, version] of Object.entries(welcome.stores)) stores.receive({ store, version, at: 0 });
    // What this member wrote while it had no leader to tell (a failover, the join itself) goes to everyone now.
    for (const [store, version] of Object.entries(stores.versions())) {
      if (version > (welcome.stores[store] ?? 0)) client.notify(methods.stored, { store, version, at: preciseNow() } satisfies StoreNotice);
    }
    logger.info({ leader: election.leader?.id, fencingToken: welcome.token, members: welcome.members.length, via }, 'joined the leader');
    this._group.connection(true);
    this._receiveMembers(client, welcome.members);
  }

  /** The state machine's `disconnected`. The reserve connection to the standby stays: it is the way to the next leader. */
  lost(): void {
    this._lostAt ??= performance.now();
    this._group.connection(false);
  }

  /** Closes a link's connection (or an abandoned dial's), unless the reserve still uses it. */
  drop(link: Link): void {
    if (link.client !== this._reserve?.client) void link.client.close();
  }

  /** From the leader's member list: who stands by. The standby claims at once; the others wait a moment, connected to it. */
  updateStandby(members: readonly Member[]): void {
    const { election, id } = this._context;
    const standby = standbyOf(members);
    // A follower other than the standby also judges a paused leader later than the standby does
    // (by two leases or a heartbeat, whichever is longer): it would only claim if the standby did
    // not, and so it sleeps through the renewals it hears of instead of waking between them.
    this._deferring = standby !== undefined && standby !== id;
    election.setClaimDelay(this._deferring ? this._claimDelayMs : 0, this._reserveCheckDelayMs);
    if (standby === undefined || standby === id || this._context.closed()) {
      this.closeReserve();
      return;
    }
    if (this._reserve?.id === standby) return;
    this.closeReserve();
    // A moment later, with jitter: right after a failover every follower learns of the new standby at once.
    this._reserveTimer = setTimeout(() => {
      this._reserveTimer = undefined;
      this._openReserve(standby, members);
    }, reserveOpenDelayMs * (1 + Math.random()));
    this._reserveTimer.unref();
  }

  /** This member leads: no standby to defer to, no reserve to keep. */
  leading(): void {
    this._deferring = false;
    this._context.election.setClaimDelay(0);
    this.closeReserve();
  }

  closeReserve(): void {
    clearTimeout(this._reserveTimer);
    this._reserveTimer = undefined;
    const reserve = this._reserve;
    this._reserve = undefined;
    if (reserve && !this._group.current(reserve.client)) void reserve.client.close();
  }

  /** Whether this follower holds a registered connection to the standby its list names (for metrics). */
  standbyConnected(standby: string | undefined): boolean {
    const reserve = this._reserve;
    return standby !== undefined && reserve?.id === standby && reserve.registered && reserve.client.state === 'connected';
  }

  /** The reserve, if it is a live connection to `id`: taken for a dial (it stops being the reserve). */
  private _takeReserve(id: string): Reserve | undefined {
    const reserve = this._reserve;
    if (reserve?.id !== id || reserve.client.state !== 'connected') return undefined;
    this._reserve = undefined;
    clearTimeout(this._reserveTimer);
    return reserve;
  }

  private async _joinOverReserve(reserve: Reserve, leader: LeaderRef): Promise<Link> {
    let welcome = reserve.welcome;
    if (!welcome && reserve.registered && !reserve.leading) {
      // Registered before it took over: its welcome is on the way, unasked. A join now would be
      // one more request for the new leader to serve in the failover's busiest milliseconds.
      welcome = await new Promise<Welcome | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), welcomeWaitMs);
        this._waitingDials.set(reserve.client, (came) => {
          clearTimeout(timer);
          resolve(came);
        });
      });
      this._waitingDials.delete(reserve.client);
    }
    welcome ??= await this._join(reserve.client, leader);
    if (reserve.client.state !== 'connected') throw new Error('the connection to the standby closed as it took over');
    return { client: reserve.client, welcome, via: 'standby' };
  }

  private async _joinNew(leader: LeaderRef): Promise<Link> {
    const client = this._newClient(leader.id, leader.socket!, this._heartbeat);
    try {
      await client.connect();
      return { client, welcome: await this._join(client, leader), via: 'new' };
    } catch (err) {
      void client.close();
      throw err;
    }
  }

  private async _join(client: IpcClient, leader: LeaderRef): Promise<Welcome> {
    const { id, metadata, leaseMs } = this._context;
    const params = { id, pid: process.pid, metadata, term: leader.token };
    return parseWelcome(await client.request(methods.join, params, { timeoutMs: leaseMs * 2 }));
  }

  private _newClient(id: string, path: string, heartbeat: Heartbeat): IpcClient {
    const context = this._context;
    const client = new IpcClient({ path, auth: { token: context.authToken() }, name: `${context.name}/${context.id}`, reconnect: false, heartbeat, logger: context.logger });
    // Subscribed before joining: nothing published after the join's answer is missed.
    client.subscribe(topics.members, (payload) => this._receive(() => this._receiveMembers(client, parseMembers(payload))));
    client.subscribe(topics.leading, (payload) => this._receive(() => this._receiveLeading(client, parseWelcome(payload))));
    client.subscribe(topics.store, (payload) => this._receive(() => context.storeHeard(parseStoreNotice(payload))));
    client.subscribe(topics.lease, (payload) => this._receive(() => this._receiveLease(client, parseLeaseNotice(payload))));
    context.topics.attach(client);
    context.logger.debug({ member: id }, 'connecting to a member');
    return client;
  }

  private _openReserve(id: string, members: readonly Member[]): void {
    const context = this._context;
    if (context.closed() || standbyOf(members) !== id) return;
    const client = this._newClient(id, context.memberSocket(id), reserveHeartbeat);
    const reserve: Reserve = { id, client, registered: false, leading: false };
    this._reserve = reserve;
    client.onDidChangeConnection(({ state }) => {
      if (state === 'closed' && this._reserve === reserve) this._reserve = undefined;
    });
    void (async () => {
      try {
        await client.connect();
        const answer = (await client.request(methods.standby, { id: context.id, pid: process.pid, metadata: context.metadata, term: 0 }, { timeoutMs: context.leaseMs * 2 })) as { leading?: unknown } | undefined;
        if (this._reserve !== reserve) return;
        reserve.registered = true;
        // It leads already (no welcome will come): let the election say so, and the dial joins over this connection.
        if (answer?.leading === true) {
          reserve.leading = true;
          void context.election.checkNow();
        }
      } catch (err) {
        context.logger.debug({ err, member: id }, 'could not connect to the standby; a failover will connect the usual way');
        if (this._reserve === reserve) this._reserve = undefined;
        if (!this._group.current(client)) void client.close();
      }
    })();
  }

  /**
   * The standby took over and sends its welcome over the reserve connection: kept for the dial that follows (or
   * handed to the one waiting for it), and the election looks at once, so that it names the standby now. The lock
   * decides who leads, not the message: the welcome is used only by a dial to the term the election names.
   */
  private _receiveLeading(client: IpcClient, welcome: Welcome): void {
    const reserve = this._reserve?.client === client ? this._reserve : undefined;
    if (reserve) reserve.welcome = welcome;
    // Taken by a dial already, which waits for it.
    const waiting = this._waitingDials.get(client);
    if (waiting) waiting(welcome);
    else if (reserve) void this._context.election.checkNow();
  }

  private _receiveMembers(client: IpcClient, members: Member[]): void {
    if (!this._group.current(client)) return;
    this.members = members;
    this._group.members(members);
    this.updateStandby(members);
  }

  /** From the leader joined: a renewal of its lease, or the end of its term (see LeaderSide.lease). */
  private _receiveLease(client: IpcClient, notice: LeaseNotice): void {
    if (!this._group.current(client)) return;
    const { election } = this._context;
    if (notice.ended) {
      election.holderGone(notice.token);
      return;
    }
    election.holderRenewed(notice.token, notice.index ?? 0);
    // Answered while awake for it anyway: the leader, having heard from this member, does not ping
    // it. Only the notices it asks about (the standby hears of more) spare it a wakeup for the rest.
    if (notice.answer) client.notify(methods.heard, { token: notice.token });
  }

  private _receive(receive: () => void): void {
    try {
      receive();
    } catch (err) {
      this._context.metrics.errors.inc({ kind: 'bad-message' });
      this._context.logger.warn({ err }, 'ignored a bad message from the leader');
    }
  }
}

/** The election's leader as the state machine sees it. */
export function toLeaderRef(info: { id: string; token: number; metadata: unknown } | undefined): LeaderRef | undefined {
  if (!info) return undefined;
  const socket = (info.metadata as { socket?: unknown } | undefined)?.socket;
  return { id: info.id, token: info.token, socket: typeof socket === 'string' ? socket : undefined };
}
