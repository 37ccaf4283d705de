export { createEtcdClient, type EtcdClientOptions, type Etcd3 } from './client.js';
export { EtcdElection, createEtcdElection, type EtcdElectionOptions } from './election.js';
export { acquireEtcdLock, withEtcdLock, type AcquireEtcdLockOptions } from './lock.js';
export { EtcdFence, createEtcdFence, type EtcdFenceOptions, type FencedOp } from './fence.js';
export { EtcdStore, openEtcdStore, type EtcdStoreOptions } from './store.js';
export type { Holder, HolderRecord } from './queue.js';
// The errors and types are @baton/lock's and @baton/state's: code written against them works on either backend.
export { LockBusyError, LockLostError, LockTimeoutError, StaleTokenError, FenceCorruptError, type Lock, type LeaderInfo, type Role, type RoleChange } from '@baton/lock';
export { ConflictError, CorruptStateError, InvalidStateError, StateTooLargeError, type ChangeEvent, type WriteResult } from '@baton/state';
export { EtcdAuthError, EtcdFailedError, EtcdUnavailableError, OutcomeUnknownError } from './errors.js';
