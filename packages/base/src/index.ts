// Everything that runs without Node built-ins comes from the portable entry; the rest is Node's.
export * from './portable.js';
export { UnsafePathError } from './errors.js';
export {
  NotDurableError,
  atomicWriteFaultPoints,
  isAtomicWriteTempFile,
  isFileUnchanged,
  readFileIfExists,
  syncDirectory,
  syncDirectorySync,
  writeFileAtomic,
  type FileVersion,
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
export { WatchedDirectoryGoneError, pathIdentity, watchDirectory, type WatchDirectoryOptions } from './watch.js';
export { nodeRequire } from './nodeRequire.js';
