import { BatonError, TimeoutError, defineErrorClass, isAbortError, registerErrorClass } from '@baton/base';
import { isBrokenCircuitError } from 'cockatiel';
import {
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
  type Etcd3,
} from 'etcd3';

/**
 * A write was sent to etcd and its answer was lost (the connection dropped, a deadline passed), and whether it was
 * applied could not be learned: etcd stayed unreachable, or the key's history since the write was compacted.
 * `data.writeIds` names the attempts; each is in the envelope of the value it wrote, if it landed. Retry only when
 * applying the write twice is harmless, or read the value first to decide.
 */
export class OutcomeUnknownError extends defineErrorClass('EOUTCOMEUNKNOWN') {}

/** No etcd member could be reached (refused, unreachable, or every member's circuit open after repeated failures). */
export class EtcdUnavailableError extends defineErrorClass('EUNAVAILABLE') {}

/** etcd refused the credentials or the permission (authentication is on and the user or role does not allow it). */
export class EtcdAuthError extends defineErrorClass('EAUTH') {}

/** etcd answered with an error of its own that has no other code here; the etcd3 error is the cause. */
export class EtcdFailedError extends defineErrorClass('EETCD') {}

for (const errorClass of [OutcomeUnknownError, EtcdUnavailableError, EtcdAuthError, EtcdFailedError]) registerErrorClass(errorClass);

/** The endpoints of the clients made by createEtcdClient, for error messages. */
export const clientEndpoints = new WeakMap<Etcd3, readonly string[]>();

/**
 * An error from the etcd3 client as a Baton error with a stable code, naming what was being done and the endpoints,
 * with the etcd3 error as its cause: EUNAVAILABLE, ETIMEOUT (a call's deadline passed), EAUTH, or EETCD. Baton errors
 * and cancellations pass through unchanged.
 */
export function toEtcdError(error: unknown, client: Etcd3, what: string): unknown {
  if (!(error instanceof Error) || error instanceof BatonError || isAbortError(error)) return error;
  const endpoints = clientEndpoints.get(client);
  const where = endpoints ? endpoints.join(', ') : 'etcd (a client not made by createEtcdClient)';
  const options = { cause: error, data: { endpoints: endpoints ? [...endpoints] : undefined } };
  if (isBrokenCircuitError(error)) {
    return new EtcdUnavailableError(`${what}: no etcd member answered (${where}): each failed 3 times in a row, and is tried again every 500 ms. Is etcd running there?`, options);
  }
  if (error instanceof GRPCUnavailableError) return new EtcdUnavailableError(`${what}: etcd at ${where} is unavailable: ${error.message}`, options);
  if (error instanceof GRPCDeadlineExceededError) return new TimeoutError(`${what}: etcd at ${where} did not answer within the call's deadline (callTimeoutMs)`, options);
  if (error instanceof EtcdAuthenticationFailedError || error instanceof EtcdInvalidAuthTokenError || error instanceof EtcdPermissionDeniedError || error instanceof GRPCUnauthenticatedError) {
    return new EtcdAuthError(`${what}: etcd at ${where} refused the credentials or the permission: ${error.message}`, options);
  }
  return new EtcdFailedError(`${what}: etcd at ${where} failed: ${error.message}`, options);
}
