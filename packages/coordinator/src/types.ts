import type { Logger } from '@baton/base';
import type { RoleChange } from '@baton/lock';

/** Options of `joinGroup`. */
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

/** A member's role: it leads, it follows, or it left the group. */
export type GroupRole = 'leader' | 'follower' | 'closed';

/** The group's current leader as a member sees it. */
export interface GroupLeader {
  readonly id: string;
  readonly pid: number;
  readonly metadata: unknown;
  /** The leader's fencing token: larger for every new term. */
  readonly token: number;
  /** Wall-clock start of the term (display only). */
  readonly since: string;
}

/** A change of this member's role, with the token of the term that began or ended. */
export interface GroupRoleChange {
  readonly role: GroupRole;
  readonly previous: GroupRole;
  readonly token: number | undefined;
  readonly reason: RoleChange['reason'];
}

/** Options of `Group.call`. */
export interface CallOptions {
  /** How long to wait for a leader and its answer together (default 30000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}
