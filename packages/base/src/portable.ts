// The part of @baton/base that runs anywhere JavaScript does (a browser page, a web worker, Node):
// no Node built-ins. `@baton/base/portable`; a browser bundle imports this entry, never the main one.
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
  defineErrorClass,
  describeValue,
  deserializeError,
  errorCode,
  isAbortError,
  isErrorLike,
  onUnexpectedError,
  registerErrorClass,
  serializeError,
  setUnexpectedErrorHandler,
  type BatonErrorOptions,
  type ErrorClass,
  type SerializedError,
  type SerializeErrorOptions,
  type UnexpectedErrorHandler,
} from './errors.js';
export { LinkedAbortController, abortableDelay, onAbort, throwIfAborted } from './abort.js';
export { createBackoff, retry, validateBackoffOptions, type Backoff, type BackoffOptions, type RetryOptions } from './backoff.js';
export { FakeClock, systemClock, type Clock, type TimerOptions } from './clock.js';
export { noopLogger, type Logger } from './logger.js';
