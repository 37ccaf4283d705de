import { defineErrorClass, registerErrorClass } from '@baton/base';

/**
 * The member asked is not the leader (it lost the term, or never had it). As the refusal of a call, it is made by
 * the group's router before any handler runs, and `call()` sends the call to the next leader: a caller sees it only
 * from its own code. A handler may throw it too (after checking `isLeader`); that reaches the caller inside a
 * CallFailedError, never as this refusal, and is never sent again.
 */
export class NotLeaderError extends defineErrorClass('ENOTLEADER') {}

/**
 * The leader ran the call's handler and the handler threw. Its error, with its class, code and message, is the
 * `cause`; `data` is `{ method, mayHaveRun: true }`. Never sent again by Baton, whatever the handler threw.
 */
export class CallFailedError extends defineErrorClass('ECALLFAILED') {}

/**
 * The leader went away (died, stepped down, or the connection broke) while a call was in flight.
 * The call may or may not have run on the old leader (`data.mayHaveRun` is true), and it is never
 * sent again by Baton: retry it if the handler is idempotent or checks the fencing token.
 */
export class LeaderChangedError extends defineErrorClass('ELEADERCHANGED') {}

/**
 * A call was sent to the leader and no answer came within its timeout. It may have run (`data.mayHaveRun` is true),
 * and it is never sent again by Baton: retry it if the handler is idempotent or checks the fencing token.
 */
export class CallTimeoutError extends defineErrorClass('ECALLTIMEOUT') {}

/**
 * No leader could be reached within the call's timeout (an election in progress, or none at all). The call was
 * never sent, or only refused before it ran (`data.mayHaveRun` is false): retrying is safe.
 */
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

for (const errorClass of [NotLeaderError, CallFailedError, LeaderChangedError, CallTimeoutError, NoLeaderError, GroupClosedError]) registerErrorClass(errorClass);

/**
 * Whether a failed call can be tried again (the new leader will serve it). ENOLEADER never ran; ELEADERCHANGED and
 * ECALLTIMEOUT may have run (see `data.mayHaveRun`): retry those only where running twice is harmless. ECALLFAILED
 * ran and failed: not retryable.
 */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ENOTLEADER' || code === 'ELEADERCHANGED' || code === 'ECALLTIMEOUT' || code === 'ENOLEADER';
}
