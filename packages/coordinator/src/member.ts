/**
 * A member's place in its group as an explicit state machine: what it is (leading, following a
 * leader, dialling one, asking the election who leads, ...), and, for every event, what it becomes
 * and what it must do. Pure: no I/O, no clock, no randomness. `Group` feeds it the election's and
 * the connections' events and carries out the effects; the simulation test feeds it a model of the
 * election and of the connections under random schedules, and checks the group's promises after
 * every step. `L` is a link to a leader: an IPC connection in `Group`, a fake one in the simulation.
 */

/** A leader as the election names it: a member, its term, and the socket it serves on. */
export interface LeaderRef {
  readonly id: string;
  readonly token: number;
  /** Undefined when the term's record names no socket (another program using the group's name). */
  readonly socket: string | undefined;
}

/**
 * - `electing`: no leader to follow (the election names none, or names this member, which is about to lead).
 * - `dialing`: connecting to the leader the election named, and joining it (attempt `attempt`; `retry` failed before it).
 * - `looking`: the dial failed or the link closed: the election looks at the lock directory again before anything else.
 * - `following`: joined to `leader` over `link`.
 * - `leading`: this member holds term `token`.
 *
 * `attempts` counts the dials ever started: an answer to an older one is stale.
 */
export type MemberState<L> =
  | { readonly kind: 'starting'; readonly attempts: number }
  | { readonly kind: 'electing'; readonly attempts: number }
  | { readonly kind: 'dialing'; readonly attempts: number; readonly leader: LeaderRef; readonly retry: number }
  | { readonly kind: 'looking'; readonly attempts: number; readonly leader: LeaderRef; readonly retry: number }
  | { readonly kind: 'following'; readonly attempts: number; readonly leader: LeaderRef; readonly link: L }
  | { readonly kind: 'leading'; readonly attempts: number; readonly token: number }
  | { readonly kind: 'closed'; readonly attempts: number };

export type MemberEvent<L> =
  /** The election names `leader` (undefined: nobody), after any look at the lock directory. */
  | { readonly type: 'leader'; readonly leader: LeaderRef | undefined }
  /** This member's term `token` began. */
  | { readonly type: 'elected'; readonly token: number }
  /** This member's term `token` ended (it resigned, its lease ran out, or the group closed). */
  | { readonly type: 'term-ended'; readonly token: number }
  /** Dial `attempt` joined its leader, which answered for term `token`, over `link`. */
  | { readonly type: 'joined'; readonly attempt: number; readonly token: number; readonly link: L }
  /** Dial `attempt` failed: the socket refused, the join was refused, or it timed out. */
  | { readonly type: 'dial-failed'; readonly attempt: number }
  /** The link of `attempt` closed (the leader died, left, or dropped this member as silent). */
  | { readonly type: 'link-lost'; readonly attempt: number }
  /** The look asked for after `attempt` failed is done: the election now names `leader`. */
  | { readonly type: 'looked'; readonly attempt: number; readonly leader: LeaderRef | undefined }
  | { readonly type: 'close' };

export type MemberEffect<L> =
  /** Connect to `leader` and join it; answer with `joined` or `dial-failed` for `attempt`. `retry` > 0: wait a backoff first. */
  | { readonly type: 'dial'; readonly attempt: number; readonly leader: LeaderRef; readonly retry: number }
  /** Ask the election to look at the lock directory now (telling it first that term `gone` ended, if set); answer with `looked`. */
  | { readonly type: 'look'; readonly attempt: number; readonly gone?: number }
  /** Close `link`: it is not (or no longer) the way to the leader. */
  | { readonly type: 'drop'; readonly link: L }
  /** Now following `leader` over `link`: take the welcome's members and store versions; report connected. */
  | { readonly type: 'connected'; readonly link: L; readonly leader: LeaderRef }
  /** No longer connected to a leader. */
  | { readonly type: 'disconnected' }
  /** The leader named publishes no socket: wait for the next one. */
  | { readonly type: 'unreachable'; readonly leader: LeaderRef }
  /** This member's term began: serve it. */
  | { readonly type: 'lead'; readonly token: number }
  /** This member's term ended: tell the followers, stop the leader's work. */
  | { readonly type: 'step-down'; readonly token: number };

export interface Transition<L> {
  readonly state: MemberState<L>;
  readonly effects: readonly MemberEffect<L>[];
}

export const initialState: MemberState<never> = { kind: 'starting', attempts: 0 };

const sameTerm = (a: LeaderRef | undefined, b: LeaderRef | undefined): boolean => a !== undefined && b !== undefined && a.id === b.id && a.token === b.token;

/** What the member `self` in `state` becomes on `event`, and what it must do. */
export function transition<L>(self: string, state: MemberState<L>, event: MemberEvent<L>): Transition<L> {
  const { attempts } = state;
  if (state.kind === 'closed') {
    // A late answer to a dial: its link is closed, nothing else.
    return { state, effects: event.type === 'joined' ? [{ type: 'drop', link: event.link }] : [] };
  }
  switch (event.type) {
    case 'close':
      return { state: { kind: 'closed', attempts }, effects: leave(state) };
    case 'elected':
      return { state: { kind: 'leading', attempts, token: event.token }, effects: [...leave(state), { type: 'lead', token: event.token }] };
    case 'term-ended':
      if (state.kind !== 'leading' || state.token !== event.token) return { state, effects: [] };
      // The election names the next leader next (a `leader` event), and this member follows it.
      return { state: { kind: 'electing', attempts }, effects: [{ type: 'step-down', token: event.token }] };
    case 'leader':
      return follow(self, state, event.leader);
    case 'joined': {
      if (state.kind !== 'dialing' || event.attempt !== attempts) return { state, effects: [{ type: 'drop', link: event.link }] };
      if (event.token !== state.leader.token) {
        // The member answered for another term than the one the election showed (it lost and won again): ask the election.
        return { state: { kind: 'looking', attempts, leader: state.leader, retry: state.retry }, effects: [{ type: 'drop', link: event.link }, { type: 'look', attempt: attempts }] };
      }
      return { state: { kind: 'following', attempts, leader: state.leader, link: event.link }, effects: [{ type: 'connected', link: event.link, leader: state.leader }] };
    }
    case 'dial-failed':
      if (state.kind !== 'dialing' || event.attempt !== attempts) return { state, effects: [] };
      return { state: { kind: 'looking', attempts, leader: state.leader, retry: state.retry }, effects: [{ type: 'look', attempt: attempts }] };
    case 'link-lost':
      if (state.kind !== 'following' || event.attempt !== attempts) return { state, effects: [] };
      // The kernel closed it: the leader died or left (or dropped this member, paused past its heartbeat). Never
      // redialled on the strength of an older look: the election looks first, told that the term may be over.
      return {
        state: { kind: 'looking', attempts, leader: state.leader, retry: 0 },
        effects: [{ type: 'disconnected' }, { type: 'look', attempt: attempts, gone: state.leader.token }],
      };
    case 'looked': {
      if (state.kind !== 'looking' || event.attempt !== attempts) return { state, effects: [] };
      // The same term is still held: the leader is alive (slow to answer, or it dropped this member). Dial it again, after a backoff.
      if (sameTerm(event.leader, state.leader)) {
        const next = attempts + 1;
        return { state: { kind: 'dialing', attempts: next, leader: state.leader, retry: state.retry + 1 }, effects: [{ type: 'dial', attempt: next, leader: state.leader, retry: state.retry + 1 }] };
      }
      return follow(self, { kind: 'electing', attempts }, event.leader);
    }
  }
}

/** What leaving `state` for another costs: its link closed, or its dial abandoned (the answer, if any, is dropped as stale). */
function leave<L>(state: MemberState<L>): MemberEffect<L>[] {
  if (state.kind === 'following') return [{ type: 'drop', link: state.link }, { type: 'disconnected' }];
  return [];
}

/** The election names `leader`: follow it, unless this member already does (or leads, or is about to). */
function follow<L>(self: string, state: MemberState<L>, leader: LeaderRef | undefined): Transition<L> {
  const { attempts } = state;
  // Leading: the election reports the end of the term itself (term-ended) before naming another.
  if (state.kind === 'leading') return { state, effects: [] };
  if (leader === undefined || leader.id === self) {
    if (state.kind === 'electing') return { state, effects: [] };
    return { state: { kind: 'electing', attempts }, effects: leave(state) };
  }
  if ((state.kind === 'following' || state.kind === 'dialing' || state.kind === 'looking') && sameTerm(state.leader, leader)) {
    // Already there, or on the way: a look that confirms the term changes nothing.
    return { state, effects: [] };
  }
  if (leader.socket === undefined) return { state: { kind: 'electing', attempts }, effects: [...leave(state), { type: 'unreachable', leader }] };
  const next = attempts + 1;
  return { state: { kind: 'dialing', attempts: next, leader, retry: 0 }, effects: [...leave(state), { type: 'dial', attempt: next, leader, retry: 0 }] };
}

/** A follower's view of its state: the leader it follows (joined), if any. */
export function joinedLeader<L>(state: MemberState<L>): LeaderRef | undefined {
  return state.kind === 'following' ? state.leader : undefined;
}
