import { BatonError, registerErrorClass, type BatonErrorOptions } from '@baton/base';

/** acquireLock gave up waiting. */
export class LockTimeoutError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('ELOCKTIMEOUT', message, options);
  }
}

/** acquireLock({ wait: false }) found the name held. */
export class LockBusyError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('ELOCKBUSY', message, options);
  }
}

/** A held lock or leadership ended without being released (lease expired, taken over, files removed). */
export class LockLostError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('ELOCKLOST', message, options);
  }
}

/** A fence refused a token older than one it has already accepted. */
export class StaleTokenError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('ESTALETOKEN', message, options);
  }
}

/** A fence's state file holds something that is not a token. */
export class FenceCorruptError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('EFENCECORRUPT', message, options);
  }
}

for (const errorClass of [LockTimeoutError, LockBusyError, LockLostError, StaleTokenError, FenceCorruptError]) {
  registerErrorClass(errorClass);
}
