import { defineErrorClass, registerErrorClass } from '@baton/base';

/**
 * The member asked is not the leader (it lost the term, or never had it). The request was not
 * served: retrying once the new leader is known is safe.
 */
export class NotLeaderError extends defineErrorClass('ENOTLEADER') {}

/**
 * The leader went away (died, stepped down, or the connection broke) while a call was in flight.
 * The call may or may not have run on the old leader, and it is never sent again by Baton:
 * retry it if the handler is idempotent or checks the fencing token.
 */
export class LeaderChangedError extends defineErrorClass('ELEADERCHANGED') {}

/** No leader could be reached within the call's timeout (an election in progress, or none at all). */
export class NoLeaderError extends defineErrorClass('ENOLEADER') {}

/** The group was closed. */
export class GroupClosedError extends defineErrorClass('EGROUPCLOSED') {}

/**
 * A welcome (the answer to a join, or the standby's message when it takes over) for a term the
 * lock directory does not show that member holding: an older term, or one it never claimed.
 * Internal: the follower refuses it and follows whoever the election names.
 */
export class StaleWelcomeError extends defineErrorClass('ESTALEWELCOME') {
  constructor(
    readonly member: string,
    readonly token: number,
    readonly held: { readonly id: string; readonly token: number } | undefined,
  ) {
    super(`refused a welcome from '${member}' for term ${token}: the lock shows ${held ? `'${held.id}' in term ${held.token}` : 'no leader'}`);
  }
}

for (const errorClass of [NotLeaderError, LeaderChangedError, NoLeaderError, GroupClosedError]) registerErrorClass(errorClass);

/** Whether a failed call can be tried again (the new leader will serve it). */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ENOTLEADER' || code === 'ELEADERCHANGED' || code === 'ENOLEADER';
}
