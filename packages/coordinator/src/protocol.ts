import { InvalidArgumentError, describeValue } from '@baton/base';

/**
 * The messages members exchange over @baton/ipc (the leader serves; each follower is a client).
 * Everything a peer sends is checked here before use: a bad message is refused with
 * EINVALIDARG and logged, and never reaches group state. The checks are written out rather than
 * declared with zod: the six shapes are flat, and loading zod/mini costs each member about 3 MB of
 * heap, most of the 5 MB a coordinated window may add.
 *
 *   follower -> leader, requests:      group.join  { id, pid, metadata, term } -> Welcome
 *                                      group.call  { method, params }          -> the handler's result
 *   follower -> leader, notifications: group.publish { topic, payload }
 *                                      group.stored  { store, version, at }
 *                                      group.heard   { token } for each group.lease notice marked
 *                                                    answer: the leader hears from it without pinging it
 *   leader -> followers, topics:       group.members { members }  (one of them marked standby)
 *                                      group.store   { store, version, at }
 *                                      group.lease   { token, index, answer? } after each renewal of
 *                                                    the leader's lease (to the standby every one;
 *                                                    to every follower, with answer: true, one per
 *                                                    half heartbeat); { token, ended: true } when
 *                                                    its term ends while it lives
 *   follower -> standby, request:      group.standby { id, pid, metadata, term } -> { leading }
 *   standby, taking over -> each follower registered with it: group.leading Welcome
 *                                      t:<topic>     a user payload
 */
export const methods = {
  join: 'group.join',
  call: 'group.call',
  publish: 'group.publish',
  stored: 'group.stored',
  standby: 'group.standby',
  heard: 'group.heard',
} as const;

export const topics = {
  members: 'group.members',
  leading: 'group.leading',
  store: 'group.store',
  lease: 'group.lease',
  user: (topic: string) => `t:${topic}`,
} as const;

/** A member of a group as the leader lists it. */
export interface Member {
  readonly id: string;
  readonly pid: number;
  /** What the member passed as `metadata` to joinGroup. */
  readonly metadata: unknown;
  readonly leader: boolean;
  /**
   * The follower named to take over if the leader goes: it claims at once while the others wait
   * a moment, and they are connected to it in advance (see the README's failover section).
   */
  readonly standby: boolean;
  /** Wall-clock time the member joined the current leader (display only). */
  readonly joinedAt: string;
}

export interface JoinParams {
  id: string;
  pid: number;
  metadata: unknown;
  term: number;
}

export interface Welcome {
  token: number;
  members: Member[];
  /** The version of each store the leader has open. */
  stores: Record<string, number>;
}

export interface StoreNotice {
  store: string;
  version: number;
  /** Sender's high-resolution wall clock (performance.timeOrigin + now()), for the push latency metric. */
  at: number;
}

/** What the leader tells its followers of its lease, in place of the lock's beacon (see group.ts). */
export interface LeaseNotice {
  token: number;
  /** The renewal's slot in the lock directory. */
  index?: number;
  /** The term ended (resigned, closed, or its lease ran out while paused). */
  ended?: boolean;
  /** Answer with group.heard (every follower is told of this renewal). */
  answer?: boolean;
}

const maxNameLength = 200;

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(`${what}: expected an object, got ${describeValue(value)}`);
  return value as Record<string, unknown>;
}

function name(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxNameLength) {
    throw new InvalidArgumentError(`${what}: expected a non-empty string of at most ${maxNameLength} characters, got ${describeValue(value)}`);
  }
  return value;
}

function count(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new InvalidArgumentError(`${what}: expected a non-negative integer, got ${describeValue(value)}`);
  return value as number;
}


export function parseJoin(value: unknown): JoinParams {
  const v = record(value, 'group.join');
  return { id: name(v.id, 'group.join id'), pid: count(v.pid, 'group.join pid'), metadata: v.metadata, term: count(v.term, 'group.join term') };
}

export function parseCall(value: unknown): { method: string; params: unknown } {
  const v = record(value, 'group.call');
  return { method: name(v.method, 'group.call method'), params: v.params };
}

export function parsePublish(value: unknown): { topic: string; payload: unknown } {
  const v = record(value, 'group.publish');
  return { topic: name(v.topic, 'group.publish topic'), payload: v.payload };
}

export function parseStoreNotice(value: unknown): StoreNotice {
  const v = record(value, 'store notice');
  const at = typeof v.at === 'number' && Number.isFinite(v.at) ? v.at : 0;
  return { store: name(v.store, 'store notice store'), version: count(v.version, 'store notice version'), at };
}

export function parseHeard(value: unknown): { token: number } {
  const v = record(value, 'group.heard');
  return { token: count(v.token, 'group.heard token') };
}

export function parseLeaseNotice(value: unknown): LeaseNotice {
  const v = record(value, 'lease notice');
  const token = count(v.token, 'lease notice token');
  if (v.ended === true) return { token, ended: true };
  const index = count(v.index, 'lease notice index');
  if (v.answer === undefined) return { token, index };
  if (typeof v.answer !== 'boolean') throw new InvalidArgumentError(`lease notice answer: expected a boolean, got ${describeValue(v.answer)}`);
  return { token, index, answer: v.answer };
}

function parseMember(value: unknown): Member {
  const v = record(value, 'member');
  return {
    id: name(v.id, 'member id'),
    pid: count(v.pid, 'member pid'),
    metadata: v.metadata,
    leader: v.leader === true,
    standby: v.standby === true,
    joinedAt: typeof v.joinedAt === 'string' ? v.joinedAt : '',
  };
}

export function parseMembers(value: unknown): Member[] {
  const v = record(value, 'group.members');
  if (!Array.isArray(v.members)) throw new InvalidArgumentError(`group.members: expected members to be an array, got ${describeValue(v.members)}`);
  return v.members.map(parseMember);
}

export function parseWelcome(value: unknown): Welcome {
  const v = record(value, 'welcome');
  const stores: Record<string, number> = {};
  for (const [store, version] of Object.entries(record(v.stores, 'welcome stores'))) stores[store] = count(version, `welcome stores.${store}`);
  return { token: count(v.token, 'welcome token'), members: parseMembers(v), stores };
}
