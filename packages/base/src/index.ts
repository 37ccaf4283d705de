export {
  Disposable,
  DisposableStore,
  MutableDisposable,
  disposeAll,
  isDisposable,
  toDisposable,
  type IAsyncDisposable,
  type IDisposable,
} from './disposable.js';
export { Emitter, eventToPromise, noneEventOf, onceEvent, type EmitterOptions, type Event } from './event.js';
export {
  AbortError,
  BatonError,
  InvalidArgumentError,
  TimeoutError,
  UnsafePathError,
  defineErrorClass,
  deserializeError,
  errorCode,
  isAbortError,
  isErrorLike,
  onUnexpectedError,
  registerErrorClass,
  serializeError,
  setUnexpectedErrorHandler,
  type BatonErrorOptions,
  type SerializedError,
  type SerializeErrorOptions,
  type UnexpectedErrorHandler,
} from './errors.js';
export { LinkedAbortController, abortableDelay, onAbort, throwIfAborted } from './abort.js';
export { createBackoff, retry, validateBackoffOptions, type Backoff, type BackoffOptions, type RetryOptions } from './backoff.js';
export { FakeClock, systemClock, type Clock, type TimerOptions } from './clock.js';
export {
  isAtomicWriteTempFile,
  readFileIfExists,
  syncDirectory,
  writeFileAtomic,
  type WriteFileAtomicOptions,
} from './atomicWrite.js';
export {
  coordinationPaths,
  checkSecureDirectory,
  checkSecureDirectorySync,
  defaultRuntimeDir,
  socketPathIn,
  ensureSecureDirectory,
  maxSocketPathBytes,
  shortHash,
  toFileName,
  type CoordinationPaths,
  type CoordinationPathsOptions,
  type SocketPathOptions,
} from './paths.js';
export { noopLogger, type Logger } from './logger.js';
export { OsLockUnavailableError, ensureOsLock, tryLockFd, unlockFd } from './osLock.js';
export { lockFile, type FileLockOptions } from './fileLock.js';
export { Sequencer } from './sequencer.js';
export { watchDirectory, type WatchDirectoryOptions } from './watch.js';
