import { LinkedAbortController, errorCode, isAbortError, throwIfAborted } from '@baton/base';
import { MethodNotFoundError, type IpcClient } from '@baton/ipc';
import { CallFailedError, CallTimeoutError, LeaderChangedError, NoLeaderError, NotLeaderError } from './errors.js';
import { methods, type Member } from './protocol.js';
import type { CallOptions } from './types.js';

/**
 * Call routing, with its one promise kept here: a call runs at most once. The router on the leader refuses a call it
 * cannot serve before any handler runs, and only that refusal, marked `data.refused`, sends the call on to the next
 * leader. Whatever a handler throws reaches the caller wrapped in a CallFailedError, so no handler's error can carry
 * the refusal's mark, whatever its class or code.
 */

export interface CallContext {
  /** Aborted when the caller cancels, times out or disconnects, or when this member's term ends. */
  readonly signal: AbortSignal;
  /** The fencing token of the term serving the call. */
  readonly token: number;
  /** The member that called (undefined if it left meanwhile). */
  readonly caller: Member | undefined;
}

/** A handler of calls on the leader: its result goes back to the caller, and what it throws reaches the caller wrapped in a CallFailedError. */
export type CallHandler = (params: unknown, context: CallContext) => unknown;

/** The router's refusal of a call it did not run: this member does not lead. The only error a caller sends on. */
export function notLeaderRefusal(member: string, group: string, method: string): NotLeaderError {
  return new NotLeaderError(`member ${member} of group '${group}' is not the leader; '${method}' was not run`, { data: { method, refused: 'not-leader', mayHaveRun: false } });
}

/** What a caller does with a call's failure. */
export type CallDisposition =
  /** Refused by the router before any handler ran: send it to the next leader. */
  | 'resend'
  /** The connection to the leader closed before the answer: it may have run; ELEADERCHANGED. */
  | 'leader-changed'
  /** No answer within the call's timeout: it may have run; ECALLTIMEOUT. */
  | 'timeout'
  /** Anything else (the handler's error, wrapped; no such method; a bad request): passed to the caller as it is. */
  | 'fail';

export function dispositionOf(error: unknown): CallDisposition {
  const code = errorCode(error);
  if (code === 'ENOTLEADER' && (error as { data?: { refused?: unknown } }).data?.refused === 'not-leader') return 'resend';
  if (code === 'ECONNLOST') return 'leader-changed';
  if (code === 'EREQUESTTIMEOUT') return 'timeout';
  return 'fail';
}

/** The caller's error for a call that got no answer (`disposition` leader-changed or timeout): it may have run. */
export function unansweredError(disposition: 'leader-changed' | 'timeout', method: string, timeoutMs: number, cause: unknown): Error {
  const data = { method, mayHaveRun: true };
  return disposition === 'leader-changed'
    ? new LeaderChangedError(`call '${method}': the leader went away before answering; it may have run`, { cause, data })
    : new CallTimeoutError(`call '${method}': no answer from the leader within ${timeoutMs} ms; it may have run`, { cause, data });
}

export interface Router {
  readonly member: string;
  readonly group: string;
  /** The token of this member's term, undefined when it does not lead (or its lease can no longer be trusted). */
  token(): number | undefined;
  /** Aborted when the term ends. */
  leadership(): AbortSignal;
  handler(method: string): CallHandler | undefined;
  onServed(): void;
}

/**
 * Serves a call on the leader: refuses what it cannot serve before any handler runs (not leading: the refusal; no
 * handler: ENOMETHOD), and wraps whatever the handler throws in a CallFailedError (class, code and message kept as
 * the cause), so that no error of a handler can read as the refusal.
 */
export async function routeCall(router: Router, method: string, params: unknown, signals: AbortSignal[], caller: Member | undefined): Promise<unknown> {
  const token = router.token();
  if (token === undefined) throw notLeaderRefusal(router.member, router.group, method);
  const handler = router.handler(method);
  if (!handler) throw new MethodNotFoundError(`group '${router.group}': no handler for '${method}' on the leader`, { data: { method } });
  // Linked, not AbortSignal.any: the leadership signal lives for the whole term, and every call
  // would leave a listener on it until garbage collection.
  const link = new LinkedAbortController([router.leadership(), ...signals]);
  router.onServed();
  try {
    return await handler(params, { signal: link.signal, token, caller });
  } catch (err) {
    const reason = err instanceof Error ? `${err.name}${errorCode(err) ? ` (${errorCode(err)})` : ''}: ${err.message}` : String(err);
    throw new CallFailedError(`call '${method}': the leader's handler threw ${reason}`, { cause: err, data: { method, mayHaveRun: true, token } });
  } finally {
    link.dispose();
  }
}

/** What a member's `call` needs of it. */
export interface Caller {
  /** Throws if the group is closed or closing. */
  closing(): void;
  /** The router, while this member leads (the call runs in process). */
  router(): Router | undefined;
  self(): Member;
  /** The connection to the leader this member follows, if any. */
  link(): IpcClient | undefined;
  /** Resolves when this member leads or follows a leader over another connection than `not`. */
  whenConnected(timeoutMs: number, signal: AbortSignal | undefined, not?: IpcClient): Promise<void>;
  counted(outcome: 'ok' | 'leader-changed' | 'error'): void;
}

/**
 * A call from a member: run in process when it leads, sent to the leader when it follows, waited for (within the
 * timeout) when there is none. Sent on to the next leader only when refused by the router (`dispositionOf`).
 */
export async function sendCall(caller: Caller, method: string, params: unknown, options: CallOptions): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = performance.now() + timeoutMs;
  const noLeader = (cause?: unknown) => new NoLeaderError(`call '${method}': no leader within ${timeoutMs} ms (an election may be in progress); it was not run`, { cause, data: { method, mayHaveRun: false } });
  const waitForLeader = (not?: IpcClient) =>
    caller.whenConnected(deadline - performance.now(), options.signal, not).catch((err: unknown) => {
      throw isAbortError(err) ? err : noLeader();
    });
  for (;;) {
    throwIfAborted(options.signal);
    caller.closing();
    const router = caller.router();
    if (router) return routeCall(router, method, params, options.signal ? [options.signal] : [], caller.self());
    const link = caller.link();
    if (!link) {
      await waitForLeader();
      continue;
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw noLeader();
    try {
      const result = await link.request(methods.call, { method, params }, { timeoutMs: remaining, signal: options.signal });
      caller.counted('ok');
      return result;
    } catch (err) {
      const disposition = dispositionOf(err);
      if (disposition === 'resend') {
        // Not run: wait until this connection is replaced, then send it to the new leader.
        await waitForLeader(link);
        continue;
      }
      caller.counted(disposition === 'leader-changed' ? 'leader-changed' : 'error');
      throw disposition === 'fail' ? err : unansweredError(disposition, method, timeoutMs, err);
    }
  }
}
