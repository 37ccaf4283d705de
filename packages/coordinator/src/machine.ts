import type { Logger } from '@baton/base';
import type { Election, LeaderInfo, RoleChange } from '@baton/lock';
import { NotLeaderError } from './errors.js';
import { toLeaderRef, type FollowerSide, type Link } from './following.js';
import type { LeaderSide } from './leading.js';
import { initialState, transition, type MemberEffect, type MemberEvent, type MemberState } from './member.js';
import type { GroupMetrics } from './metrics.js';
import type { LeaderTasks } from './tasks.js';

/** What the state machine's effects are carried out with. */
export interface MachineParts {
  readonly id: string;
  readonly election: Election;
  readonly follower: FollowerSide;
  leaderSide(): LeaderSide | undefined;
  readonly tasks: LeaderTasks;
  readonly metrics: GroupMetrics;
  readonly logger: Logger;
  /** After every event: the state may have changed (what waiters check). */
  settled(): void;
}

/**
 * A member's state machine at work: holds the state, feeds it the election's and the connections' events one at a
 * time, in order (an event raised while one is being handled waits its turn), and carries out the effects.
 */
export class MemberMachine {
  private _state: MemberState<Link> = initialState;
  private readonly _queue: MemberEvent<Link>[] = [];
  private _dispatching = false;

  constructor(private readonly _parts: MachineParts) {}

  get state(): MemberState<Link> {
    return this._state;
  }

  /** Every event of the election and of the connections goes through here. */
  dispatch(event: MemberEvent<Link>): void {
    this._queue.push(event);
    if (this._dispatching) return;
    this._dispatching = true;
    try {
      for (let next = this._queue.shift(); next; next = this._queue.shift()) {
        const { state, effects } = transition(this._parts.id, this._state, next);
        this._state = state;
        for (const effect of effects) this._carryOut(effect);
      }
    } finally {
      this._dispatching = false;
    }
    this._parts.settled();
  }

  /** The election's role change: a term of this member began or ended. */
  role(change: RoleChange): void {
    if (change.role === 'leader') this.dispatch({ type: 'elected', token: change.token ?? 0 });
    else if (change.previous === 'leader' && change.token !== undefined) {
      this.dispatch({ type: 'term-ended', token: change.token });
      // The election may have named the next leader while this member still led: follow it now.
      this.dispatch({ type: 'leader', leader: toLeaderRef(this._parts.election.leader) });
    }
  }

  /** The election names a leader (or none). */
  leader(info: LeaderInfo | undefined): void {
    this.dispatch({ type: 'leader', leader: toLeaderRef(info) });
  }

  private _carryOut(effect: MemberEffect<Link>): void {
    const { follower, metrics, tasks } = this._parts;
    switch (effect.type) {
      case 'dial': {
        const { attempt } = effect;
        void follower.dial(attempt, effect.leader, effect.retry, () => this._state.kind === 'dialing' && this._state.attempts === attempt);
        return;
      }
      case 'look': {
        const { attempt } = effect;
        void follower.look(attempt, effect.gone, () => this._state.kind === 'looking' && this._state.attempts === attempt);
        return;
      }
      case 'drop':
        follower.drop(effect.link);
        return;
      case 'connected':
        follower.adopt(effect.link, this._state.attempts);
        return;
      case 'disconnected':
        follower.lost();
        return;
      case 'unreachable':
        this._parts.logger.warn({ leader: effect.leader.id, fencingToken: effect.leader.token }, 'the leader published no socket (another program holds this group name?); waiting for the next leader');
        return;
      case 'lead':
        metrics.leadershipChanges.inc();
        follower.leading();
        this._parts.leaderSide()?.lead(effect.token);
        tasks.startAll();
        return;
      case 'step-down':
        metrics.leadershipChanges.inc();
        this._parts.leaderSide()?.stepDown(effect.token);
        tasks.abortAll(new NotLeaderError('the term ended'));
        return;
    }
  }
}
