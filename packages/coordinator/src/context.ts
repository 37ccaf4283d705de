import type { Logger } from '@baton/base';
import type { Election } from '@baton/lock';
import type { GroupMetrics } from './metrics.js';
import type { Member, StoreNotice } from './protocol.js';
import type { Topics } from './pubsub.js';
import type { GroupStores } from './stores.js';

/** What a group's parts (the leader's side, the follower's side) share: set up once by `Group`. */
export interface GroupContext {
  readonly id: string;
  readonly name: string;
  readonly dir: string;
  readonly metadata: unknown;
  readonly leaseMs: number;
  readonly logger: Logger;
  readonly metrics: GroupMetrics;
  readonly election: Election;
  readonly topics: Topics;
  readonly stores: GroupStores;
  /** The group's token (read from its file by `start`). */
  authToken(): string;
  /** A member's socket path: every member serves at one derived from its id. */
  memberSocket(id: string): string;
  /** This member as a member list shows it. */
  self(): Member;
  closed(): boolean;
  /** A version of a store heard of (by the leader: passed on to every follower but `from`). */
  storeHeard(notice: StoreNotice, from?: string): void;
}

/** Heartbeat settings of a connection: a peer silent for `timeoutMs` is dropped. */
export interface Heartbeat {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/**
 * Heartbeat of the connections kept in reserve to the standby (and of a member's server while it
 * does not lead): on one machine the kernel closes the connection of a member that dies, and a
 * paused standby costs only the claim delay, so these beat rarely and cost a follower nothing idle.
 */
export const reserveHeartbeat: Heartbeat = { intervalMs: 60_000, timeoutMs: 180_000 };

/** The id of the member a member list names standby. */
export function standbyOf(members: readonly Member[]): string | undefined {
  return members.find((m) => m.standby)?.id;
}
