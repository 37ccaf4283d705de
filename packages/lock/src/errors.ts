import { defineErrorClass, registerErrorClass } from '@baton/base';

/** acquireLock gave up waiting. */
export class LockTimeoutError extends defineErrorClass('ELOCKTIMEOUT') {}

/** acquireLock({ wait: false }) found the name held. */
export class LockBusyError extends defineErrorClass('ELOCKBUSY') {}

/** A held lock or leadership ended without being released (lease expired, taken over, files removed). */
export class LockLostError extends defineErrorClass('ELOCKLOST') {}

/** A fence refused a token older than one it has already accepted. */
export class StaleTokenError extends defineErrorClass('ESTALETOKEN') {}

/** A fence's state file holds something that is not a token. */
export class FenceCorruptError extends defineErrorClass('EFENCECORRUPT') {}

for (const errorClass of [LockTimeoutError, LockBusyError, LockLostError, StaleTokenError, FenceCorruptError]) {
  registerErrorClass(errorClass);
}
