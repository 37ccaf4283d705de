export { Election, createElection, type ElectionOptions, type LeaderInfo, type Role, type RoleChange, type RoleChangeReason } from './election.js';
export { acquireLock, withLock, type AcquireLockOptions, type Lock } from './lock.js';
export { Fence, createFence, type FenceOptions, type FenceRunOptions } from './fence.js';
export { FenceCorruptError, LockBusyError, LockLostError, LockTimeoutError, StaleTokenError } from './errors.js';
export type { CommonLockOptions } from './options.js';
/** Test-only fault points (see leaseFiles.ts): a test sets one to pause or interleave at that exact place. */
export { faultPoints as lockFaultPoints } from './leaseFiles.js';
export { InvalidArgumentError, UnsafePathError } from '@baton/base';
