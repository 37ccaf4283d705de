/**
 * A deterministic model of a group, for the simulation test: the members' state machine (src/member.ts) and call
 * routing rules (src/calls.ts), as they are, driven by a model of the election (a lock directory with leases judged
 * by each member's own observations), of the connections (FIFO per direction, delays, disconnects) and of the
 * faults (SIGKILL, SIGSTOP/SIGCONT, delays), on a fake clock, all from one seed. Nothing here reads the real clock
 * or does I/O: the same seed replays the same history.
 */
import { deserializeError, serializeError, type SerializedError } from '@baton/base';
import { dispositionOf, notLeaderRefusal, type CallDisposition } from '../../src/calls.js';
import { CallFailedError, NotLeaderError } from '../../src/errors.js';
import { initialState, transition, type LeaderRef, type MemberEffect, type MemberEvent, type MemberState, type Transition } from '../../src/member.js';

export type TransitionFn = (self: string, state: MemberState<number>, event: MemberEvent<number>) => Transition<number>;

/** The rules under test: the real ones, or a deliberately broken version of one of them. */
export interface Rules {
  readonly transition: TransitionFn;
  /** Whether the router wraps what a handler throws (CallFailedError). */
  readonly wrapHandlerErrors: boolean;
  readonly disposition: (error: unknown) => CallDisposition;
}

export const realRules: Rules = { transition: (self, state, event) => transition(self, state, event), wrapHandlerErrors: true, disposition: dispositionOf };

export class Violation extends Error {}

/** mulberry32: small, fast, and the same everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly owner: string | undefined;
  readonly run: () => void;
}

interface SimMember {
  readonly id: string;
  alive: boolean;
  paused: boolean;
  /** What came for it while it was paused, run in order when it resumes (as a stopped process's timers and reads). */
  readonly deferred: (() => void)[];
  state: MemberState<number>;
  /** Its election's view: the leader it names, and the last change of the lock directory it saw, and when. */
  view: LeaderRef | undefined;
  observed: { token: number; index: number; at: number } | undefined;
  expiryGeneration: number;
  /** The term it holds, and when its lease was last secured (by its own clock, which a pause does not stop). */
  held: { token: number; securedAt: number } | undefined;
  /** The store version it has, and the last it wrote. */
  version: number;
  wrote: number;
  /** As leader: the highest version it passed on, and the links of the followers joined to it. */
  passedOn: number;
  readonly followers: Set<number>;
}

interface SimLink {
  readonly id: number;
  readonly follower: string;
  readonly leader: string;
  readonly attempt: number;
  open: boolean;
  answered: boolean;
  /** Per direction: when the last message is delivered (FIFO). */
  toLeaderAt: number;
  toFollowerAt: number;
}

interface SimCall {
  readonly id: number;
  readonly from: string;
  readonly deadline: number;
  status: 'waiting' | 'sent' | 'done' | 'failed';
  link: number | undefined;
}

export interface WorldOptions {
  readonly seed: number;
  readonly rules: Rules;
  readonly members: number;
  readonly leaseMs: number;
  /** Faults (kills, pauses, disconnects) in the history; calls and store writes run beside them. */
  readonly faults: number;
}

/** One history. `run()` throws a Violation naming the promise broken, the time and the seed. */
export class World {
  now = 0;
  readonly random: () => number;
  private readonly _timers: Timer[] = [];
  private _seq = 0;
  private readonly _members = new Map<string, SimMember>();
  private readonly _links = new Map<number, SimLink>();
  private readonly _calls: SimCall[] = [];
  private readonly _runs = new Map<number, string[]>();
  private readonly _dir = { token: 0, holder: undefined as string | undefined, index: 0, released: true };
  private _fileVersion = 0;
  private _fenceMax = 0;
  private _nextId = 0;
  private _nextLink = 0;
  /** A fault of the leader whose failover is to end by `by`, if no other fault comes first. */
  private _deadline: { by: number; what: string; members: string[] } | undefined;
  readonly log: string[] = [];

  constructor(private readonly _options: WorldOptions) {
    this.random = seededRandom(_options.seed);
  }

  run(): void {
    const { leaseMs } = this._options;
    for (let i = 0; i < this._options.members; i++) this._startMember();
    let t = 2000;
    for (let f = 0; f < this._options.faults; f++) {
      t += 20 + this.random() * 1500;
      this._at(t - this.now, undefined, () => this._fault());
    }
    // Calls and writes all through the history.
    for (let c = t / 150; c > 0; c--) {
      const at = this.random() * t;
      this._at(at, undefined, () => (this.random() < 0.5 ? this._issueCall() : this._write()));
    }
    this._runUntil(t + 1);
    // Quiet: every pause ends, and after two leases and the calls' timeout everything has settled.
    for (const m of this._members.values()) if (m.paused) this._resume(m);
    this._runUntil(this.now + 2 * leaseMs + 6000);
    this._checkSettled();
  }

  // ---- the clock ----

  private _at(delayMs: number, owner: string | undefined, run: () => void): void {
    const timer: Timer = { at: this.now + Math.max(0, delayMs), seq: this._seq++, owner, run };
    let lo = 0;
    let hi = this._timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this._timers[mid]!;
      if (other.at < timer.at || (other.at === timer.at && other.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this._timers.splice(lo, 0, timer);
  }

  private _runUntil(end: number): void {
    while (this._timers.length > 0 && this._timers[0]!.at <= end) {
      const timer = this._timers.shift()!;
      this.now = timer.at;
      const owner = timer.owner === undefined ? undefined : this._members.get(timer.owner);
      if (owner && !owner.alive) continue;
      if (owner?.paused) owner.deferred.push(timer.run);
      else timer.run();
      this._checkSafety();
    }
    this.now = end;
  }

  private _violation(what: string): never {
    throw new Violation(`${what} (at ${this.now.toFixed(1)} ms of seed ${this._options.seed}; last events: ${this.log.slice(-12).join('; ')})`);
  }

  // ---- members and faults ----

  private _startMember(): void {
    const m: SimMember = { id: `m${this._nextId++}`, alive: true, paused: false, deferred: [], state: initialState, view: undefined, observed: undefined, expiryGeneration: 0, held: undefined, version: 0, wrote: 0, passedOn: 0, followers: new Set() };
    this._members.set(m.id, m);
    this._at(this.random() * 5, m.id, () => this._look(m));
  }

  private _leaderNow(): SimMember | undefined {
    return [...this._members.values()].find((m) => m.alive && this._leads(m));
  }

  /** Leads an unexpired term, by its own clock. */
  private _leads(m: SimMember): boolean {
    return m.held !== undefined && this.now - m.held.securedAt <= this._options.leaseMs && m.state.kind === 'leading';
  }

  private _fault(): void {
    const alive = [...this._members.values()].filter((m) => m.alive);
    const leader = this._leaderNow();
    const r = this.random();
    this._deadline = undefined;
    if (r < 0.3 && leader && !leader.paused) {
      this._kill(leader);
      // Every survivor that was with it (following it, or joining it) and is awake follows the next leader within a
      // second. A member on its way to an older leader, paused (one that started during the pause), is on the lease.
      const wasWith = (m: SimMember) => (m.state.kind === 'following' || m.state.kind === 'dialing' || m.state.kind === 'looking') && m.state.leader.id === leader.id;
      this._deadline = { by: this.now + 1000, what: `a failover after a SIGKILL of leader ${leader.id}`, members: alive.filter((m) => m !== leader && !m.paused && wasWith(m)).map((m) => m.id) };
    } else if (r < 0.45 && leader && !leader.paused) {
      const ms = 200 + this.random() * 2 * this._options.leaseMs;
      this._pause(leader, ms);
      if (ms > this._options.leaseMs + 1000) {
        this._deadline = { by: this.now + this._options.leaseMs + 1000, what: `replacing paused leader ${leader.id}`, members: alive.filter((m) => m !== leader && !m.paused).map((m) => m.id) };
      }
    } else if (r < 0.6) {
      const victim = alive[Math.floor(this.random() * alive.length)];
      if (victim) this._kill(victim);
    } else if (r < 0.8) {
      const victim = alive[Math.floor(this.random() * alive.length)];
      if (victim && !victim.paused) this._pause(victim, 50 + this.random() * 2 * this._options.leaseMs);
    } else {
      const open = [...this._links.values()].filter((l) => l.open);
      const link = open[Math.floor(this.random() * open.length)];
      if (link) {
        this.log.push(`disconnect ${link.follower}->${link.leader}`);
        this._close(link);
      }
    }
    if (this._deadline) {
      const deadline = this._deadline;
      this._at(deadline.by - this.now, undefined, () => this._checkDeadline(deadline));
    }
    // Members come back: a killed one is replaced by a new one a moment later.
    while ([...this._members.values()].filter((m) => m.alive).length < this._options.members) this._startMember();
  }

  private _kill(m: SimMember): void {
    this.log.push(`kill ${m.id}${this._leads(m) ? ' (leader)' : ''}`);
    m.alive = false;
    m.deferred.length = 0;
    for (const call of this._calls) if (call.from === m.id && (call.status === 'waiting' || call.status === 'sent')) call.status = 'failed';
    // The kernel releases its OS lock and closes its connections.
    if (this._dir.holder === m.id) this._dir.released = true;
    for (const link of this._links.values()) if (link.open && (link.follower === m.id || link.leader === m.id)) this._close(link);
  }

  private _pause(m: SimMember, ms: number): void {
    this.log.push(`pause ${m.id} ${Math.round(ms)} ms`);
    m.paused = true;
    this._at(ms, undefined, () => this._resume(m));
  }

  private _resume(m: SimMember): void {
    if (!m.paused || !m.alive) return;
    this.log.push(`resume ${m.id}`);
    m.paused = false;
    for (const run of m.deferred.splice(0)) if (m.alive && !m.paused) run();
  }

  // ---- the election (a model of @baton/lock: one term at a time in a directory, leases judged by observers) ----

  private _look(m: SimMember): void {
    if (m.held) return;
    const dir = this._dir;
    const seen = m.observed;
    const unchanged = seen !== undefined && seen.token === dir.token && seen.index === dir.index;
    if (!unchanged) m.observed = { token: dir.token, index: dir.index, at: this.now };
    const expired = unchanged && this.now - seen.at >= this._options.leaseMs;
    if (dir.token === 0 || dir.released || expired) {
      this._claim(m);
      return;
    }
    this._name(m, { id: dir.holder!, token: dir.token, socket: 'sock' });
    this._scheduleExpiryCheck(m);
  }

  private _claim(m: SimMember): void {
    const dir = this._dir;
    dir.token++;
    dir.index++;
    dir.holder = m.id;
    dir.released = false;
    m.held = { token: dir.token, securedAt: this.now };
    this.log.push(`${m.id} claims term ${dir.token}`);
    this._dispatch(m, { type: 'elected', token: dir.token });
    this._name(m, { id: m.id, token: dir.token, socket: 'sock' });
    this._at(0.4 * this._options.leaseMs, m.id, () => this._renew(m));
  }

  private _name(m: SimMember, leader: LeaderRef): void {
    if (m.view?.id === leader.id && m.view.token === leader.token) return;
    m.view = leader;
    this._dispatch(m, { type: 'leader', leader });
  }

  private _scheduleExpiryCheck(m: SimMember): void {
    const generation = ++m.expiryGeneration;
    this._at(m.observed!.at + this._options.leaseMs + 1 - this.now, m.id, () => {
      if (generation === m.expiryGeneration) this._look(m);
    });
  }

  private _renew(m: SimMember): void {
    const held = m.held;
    if (!held) return;
    const dir = this._dir;
    if (this.now - held.securedAt > this._options.leaseMs || dir.holder !== m.id || dir.token !== held.token) {
      // Paused past its lease: the term is over, whoever holds the directory now.
      m.held = undefined;
      if (dir.holder === m.id && dir.token === held.token) dir.released = true;
      this.log.push(`${m.id} finds term ${held.token} over`);
      this._dispatch(m, { type: 'term-ended', token: held.token });
      m.view = undefined;
      this._look(m);
      return;
    }
    dir.index++;
    held.securedAt = this.now;
    this._fence(m, held.token);
    const index = dir.index;
    for (const id of m.followers) this._toFollower(this._links.get(id)!, (f) => this._holderRenewed(f, held.token, index));
    this._at(0.4 * this._options.leaseMs, m.id, () => this._renew(m));
  }

  private _holderRenewed(m: SimMember, token: number, index: number): void {
    if (m.held || m.observed?.token !== token || index <= m.observed.index) return;
    m.observed = { token, index, at: this.now };
    this._scheduleExpiryCheck(m);
  }

  /** A hint that term `token` ended: look now. */
  private _holderGone(m: SimMember, token: number): void {
    if (m.view?.token === token) this._look(m);
  }

  /** What the leader's work writes, guarded by its token: a fence never takes a token older than one it took. */
  private _fence(m: SimMember, token: number): void {
    if (!this._leads(m)) return;
    if (token < this._fenceMax) this._violation(`fence regression: ${m.id} wrote with token ${token} after ${this._fenceMax}`);
    this._fenceMax = token;
  }

  // ---- the state machine, and its effects carried out ----

  private _dispatch(m: SimMember, event: MemberEvent<number>): void {
    const { state, effects } = this._options.rules.transition(m.id, m.state, event);
    if (process.env.SIM_TRACE) this.log.push(`${m.id} ${m.state.kind} --${event.type}${'attempt' in event ? `#${event.attempt}` : ''}--> ${state.kind}#${state.attempts} [${effects.map((e) => e.type).join(',')}]`);
    m.state = state;
    for (const effect of effects) this._carryOut(m, effect);
    for (const call of this._calls) if (call.from === m.id && call.status === 'waiting') this._sendCall(call);
  }

  private _carryOut(m: SimMember, effect: MemberEffect<number>): void {
    switch (effect.type) {
      case 'dial': {
        const delay = effect.retry > 0 ? this.random() * Math.min(1000, 2 * 2 ** effect.retry) : 0.05;
        this._at(delay, m.id, () => this._dial(m, effect.attempt, effect.leader));
        return;
      }
      case 'look':
        // Told of a term's end, a follower that defers to the standby looks halfway through its claim delay (50 ms).
        this._at(effect.gone !== undefined && this.random() < 0.5 ? 50 : 0.05 + this.random() * 0.5, m.id, () => {
          if (effect.gone !== undefined) this._holderGone(m, effect.gone);
          this._look(m);
          this._dispatch(m, { type: 'looked', attempt: effect.attempt, leader: m.held ? { id: m.id, token: m.held.token, socket: 'sock' } : m.view });
        });
        return;
      case 'drop':
        this._close(this._links.get(effect.link)!);
        return;
      case 'lead':
        m.followers.clear();
        return;
      case 'step-down':
        for (const id of m.followers) this._toFollower(this._links.get(id)!, (f) => this._holderGone(f, effect.token));
        m.followers.clear();
        return;
      case 'connected':
      case 'disconnected':
      case 'unreachable':
        return;
    }
  }

  // ---- connections ----

  private _delay(): number {
    // Mostly fast, sometimes slow (a busy machine): order within a connection is kept whatever the delay.
    return this.random() < 0.05 ? this.random() * 40 : 0.05 + this.random() * 2;
  }

  private _toLeader(link: SimLink, deliver: (leader: SimMember) => void): void {
    link.toLeaderAt = Math.max(this.now + this._delay(), link.toLeaderAt);
    this._at(link.toLeaderAt - this.now, link.leader, () => deliver(this._members.get(link.leader)!));
  }

  private _toFollower(link: SimLink, deliver: (follower: SimMember) => void): void {
    link.toFollowerAt = Math.max(this.now + this._delay(), link.toFollowerAt);
    this._at(link.toFollowerAt - this.now, link.follower, () => deliver(this._members.get(link.follower)!));
  }

  /** Closes `link`: each end hears of it after what was sent before (the kernel's order). */
  private _close(link: SimLink): void {
    if (!link.open) return;
    link.open = false;
    this._toLeader(link, (leader) => leader.followers.delete(link.id));
    this._toFollower(link, (follower) => {
      for (const call of this._calls) if (call.link === link.id && call.status === 'sent') call.status = 'failed';
      // A join still unanswered fails with the connection (ECONNLOST); a joined link is lost.
      this._dispatch(follower, link.answered ? { type: 'link-lost', attempt: link.attempt } : { type: 'dial-failed', attempt: link.attempt });
      link.answered = true;
    });
  }

  private _dial(m: SimMember, attempt: number, leaderRef: LeaderRef): void {
    if (m.state.kind !== 'dialing' || m.state.attempts !== attempt) return;
    const target = this._members.get(leaderRef.id)!;
    if (!target.alive) {
      this._at(0.2, m.id, () => this._dispatch(m, { type: 'dial-failed', attempt }));
      return;
    }
    const link: SimLink = { id: this._nextLink++, follower: m.id, leader: target.id, attempt, open: true, answered: false, toLeaderAt: 0, toFollowerAt: 0 };
    this._links.set(link.id, link);
    this._toLeader(link, (leader) => this._serveJoin(leader, link));
    this._at(2 * this._options.leaseMs, m.id, () => {
      if (link.answered) return;
      this._close(link);
      this._dispatch(m, { type: 'dial-failed', attempt });
    });
  }

  private _serveJoin(leader: SimMember, link: SimLink): void {
    if (!link.open) return;
    if (!this._leads(leader)) {
      this._toFollower(link, (f) => {
        link.answered = true;
        this._close(link);
        this._dispatch(f, { type: 'dial-failed', attempt: link.attempt });
      });
      return;
    }
    leader.followers.add(link.id);
    this.log.push(`${leader.id} takes the join of ${link.follower} (it has version ${leader.version})`);
    const welcome = { token: leader.held!.token, version: leader.version };
    this._toFollower(link, (f) => {
      link.answered = true;
      f.version = Math.max(f.version, welcome.version);
      this._dispatch(f, { type: 'joined', attempt: link.attempt, token: welcome.token, link: link.id });
      // As Group does on 'connected': what this member wrote that the welcome did not have goes to the leader.
      if (f.state.kind === 'following' && f.state.link === link.id && f.version > welcome.version) this._announce(link, f.version);
    });
  }

  // ---- stores: pushes, and versions in welcomes and after joins (no directory watch here: the push path alone) ----

  private _write(): void {
    const writers = [...this._members.values()].filter((m) => m.alive && !m.paused);
    const m = writers[Math.floor(this.random() * writers.length)];
    if (!m) return;
    const version = ++this._fileVersion;
    m.version = version;
    m.wrote = version;
    this.log.push(`${m.id} writes ${version} (${m.state.kind}${this._leads(m) ? ', leads' : ''})`);
    if (this._leads(m)) this._passOn(m, version, undefined);
    else if (m.state.kind === 'following') this._announce(this._links.get(m.state.link)!, version);
  }

  private _announce(link: SimLink, version: number): void {
    this._toLeader(link, (leader) => {
      if (this._leads(leader)) this._storeHeard(leader, version, link);
    });
  }

  private _storeHeard(leader: SimMember, version: number, from: SimLink): void {
    leader.version = Math.max(leader.version, version);
    this._passOn(leader, version, from);
  }

  private _passOn(leader: SimMember, version: number, except: SimLink | undefined): void {
    if (version <= leader.passedOn) return;
    leader.passedOn = version;
    for (const id of leader.followers) {
      if (id === except?.id) continue;
      this._toFollower(this._links.get(id)!, (f) => (f.version = Math.max(f.version, version)));
    }
  }

  // ---- calls ----

  private _issueCall(): void {
    const callers = [...this._members.values()].filter((m) => m.alive && !m.paused);
    const m = callers[Math.floor(this.random() * callers.length)];
    if (!m) return;
    const call: SimCall = { id: this._calls.length, from: m.id, deadline: this.now + 5000, status: 'waiting', link: undefined };
    this._calls.push(call);
    this._at(5000, m.id, () => {
      if (call.status === 'waiting' || call.status === 'sent') call.status = 'failed';
    });
    this._sendCall(call);
  }

  private _sendCall(call: SimCall): void {
    const m = this._members.get(call.from)!;
    if (this.now >= call.deadline) return;
    if (this._leads(m)) {
      // In process: the router's rules all the same.
      call.status = this._route(m, call) === undefined ? 'done' : 'failed';
      return;
    }
    if (m.state.kind !== 'following' || m.state.link === call.link) return;
    const link = this._links.get(m.state.link)!;
    call.status = 'sent';
    call.link = link.id;
    this._toLeader(link, (leader) => {
      const error = this._route(leader, call);
      this._toFollower(link, () => this._answer(call, link, error));
    });
  }

  /** The leader's router: the refusal before any handler, or the handler (which may throw NotLeaderError itself). */
  private _route(leader: SimMember, call: SimCall): SerializedError | undefined {
    if (!this._leads(leader)) return serializeError(notLeaderRefusal(leader.id, 'sim', 'work'));
    const runs = this._runs.get(call.id) ?? [];
    runs.push(`${leader.id}@${leader.held!.token}`);
    this._runs.set(call.id, runs);
    if (runs.length > 1) this._violation(`call ${call.id} ran twice: ${runs.join(', ')}`);
    this._fence(leader, leader.held!.token);
    // A handler that stalled, then checked isLeader and threw (its side effect done).
    if (this.random() < 0.2) {
      const own = new NotLeaderError('the term ended while the handler ran');
      return serializeError(this._options.rules.wrapHandlerErrors ? new CallFailedError(`call 'work': the leader's handler threw NotLeaderError`, { cause: own, data: { method: 'work', mayHaveRun: true } }) : own);
    }
    return undefined;
  }

  private _answer(call: SimCall, link: SimLink, error: SerializedError | undefined): void {
    if (call.status !== 'sent' || call.link !== link.id) return;
    if (error === undefined) {
      call.status = 'done';
      return;
    }
    if (this._options.rules.disposition(deserializeError(error)) === 'resend') {
      call.status = 'waiting';
      this._sendCall(call);
    } else call.status = 'failed';
  }

  // ---- the promises ----

  private _checkSafety(): void {
    const leading = [...this._members.values()].filter((m) => m.alive && this._leads(m));
    if (leading.length > 1) this._violation(`two members lead unexpired terms: ${leading.map((m) => `${m.id}@${m.held!.token}`).join(', ')}`);
    for (const m of this._members.values()) {
      if (m.alive && m.state.kind === 'leading' && m.held?.token !== m.state.token) this._violation(`${m.id} is in state leading for term ${m.state.token} but holds ${m.held?.token ?? 'none'}`);
    }
  }

  private _followsOnly(leader: SimMember, ids: readonly string[]): string | undefined {
    for (const id of ids) {
      const m = this._members.get(id)!;
      if (!m.alive || m.paused || m === leader) continue;
      if (m.state.kind !== 'following') return `${m.id} is ${m.state.kind}`;
      const link = this._links.get(m.state.link)!;
      if (link.leader !== leader.id || !link.open) return `${m.id} follows ${link.leader} (${link.open ? 'open' : 'closed'})`;
      if (!leader.followers.has(link.id)) return `${m.id} is not among ${leader.id}'s followers`;
    }
    return undefined;
  }

  private _checkDeadline(deadline: { by: number; what: string; members: string[] }): void {
    if (this._deadline !== deadline) return;
    const leader = this._leaderNow();
    if (!leader) this._violation(`${deadline.what}: no leader after it`);
    const wrong = this._followsOnly(leader, deadline.members);
    if (wrong) this._violation(`${deadline.what} did not end in time: ${wrong}`);
  }

  private _checkSettled(): void {
    const alive = [...this._members.values()].filter((m) => m.alive);
    const leader = this._leaderNow();
    if (!leader) this._violation('settled with no leader');
    const wrong = this._followsOnly(leader, alive.map((m) => m.id));
    if (wrong) this._violation(`settled with a member not following the one leader: ${wrong}`);
    // A store is one document: a member that has a version has every earlier one. What a member wrote and died
    // before telling anyone reaches the others by the directory watch, which this model leaves out: the pushes
    // alone must bring every member the last write of every member still alive.
    const written = Math.max(0, ...alive.map((m) => m.wrote));
    for (const m of alive) if (m.version < written) this._violation(`an acknowledged store write never reached ${m.id}: it has version ${m.version}, and version ${written} was written by a live member`);
    const stuck = this._calls.filter((c) => c.status === 'waiting' || c.status === 'sent');
    if (stuck.length > 0) this._violation(`calls never settled: ${stuck.map((c) => c.id).join(', ')}`);
  }

  /** What the history did, for the test's report. */
  summary(): { calls: number; ran: number; members: number; terms: number; version: number } {
    return { calls: this._calls.length, ran: this._runs.size, members: this._members.size, terms: this._dir.token, version: this._fileVersion };
  }
}
