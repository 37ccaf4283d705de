/** Options of a Baton error: its `cause` and its `data` (JSON-safe details). */
export interface BatonErrorOptions {
  cause?: unknown;
  /** Extra facts for callers and logs (for example the path or the lock name). Must be JSON-safe. */
  data?: Record<string, unknown>;
}

/**
 * The base of every Baton error: a stable `code` callers can switch on, the original error as
 * `cause`, and a message that says what happened, to what, and what to do.
 */
export class BatonError extends Error {
  readonly code: string;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: BatonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.data = options.data;
  }
}

/**
 * The base class of an error with a fixed code: `class LockBusyError extends
 * defineErrorClass('ELOCKBUSY') {}` takes `(message, options?)` and is a BatonError named after
 * the subclass. Register it with `registerErrorClass` so it crosses processes as itself.
 */
export function defineErrorClass(code: string) {
  return class extends BatonError {
    constructor(message: string, options: BatonErrorOptions = {}) {
      super(code, message, options);
    }
  };
}

/** An operation was cancelled through its AbortSignal. Not a failure: callers usually ignore it. */
export class AbortError extends BatonError {
  constructor(message = 'The operation was aborted', options: BatonErrorOptions = {}) {
    super('ABORT_ERR', message, options);
  }
}

/** An operation did not finish within its time limit. */
export class TimeoutError extends defineErrorClass('ETIMEOUT') {}

/** A coordination directory or file is not safe to use (wrong owner, writable by others, a link). */
export class UnsafePathError extends defineErrorClass('EUNSAFEPATH') {}

/** An argument or option is invalid; the message names it and its value. */
export class InvalidArgumentError extends defineErrorClass('EINVALIDARG') {}

/** True for cancellation, whether it came from Baton, Node (DOMException) or another library. */
export function isAbortError(error: unknown): boolean {
  // Duck-typed: a DOMException from another realm (a vm context, a worker) fails instanceof Error.
  if (typeof error !== 'object' || error === null) return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'AbortError' || code === 'ABORT_ERR';
}

/** Whether `value` looks like an Error, from this realm or another. */
export function isErrorLike(value: unknown): value is Error {
  return (
    value instanceof Error ||
    (typeof value === 'object' && value !== null && typeof (value as Error).message === 'string' && typeof (value as Error).name === 'string')
  );
}

/** The error's `code` if it has a string one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** How an error crosses a process boundary. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  /** Any JSON value the error carried as `data` (for a BatonError, usually an object). */
  data?: unknown;
  cause?: SerializedError;
}

/** Any error class (a constructor of an Error), as registered for deserialization. */
export type ErrorClass = abstract new (...args: never[]) => Error;
const registry = new Map<string, ErrorClass>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['BatonError', BatonError],
  ['AbortError', AbortError],
  ['TimeoutError', TimeoutError],
  ['UnsafePathError', UnsafePathError],
  ['InvalidArgumentError', InvalidArgumentError],
]);

/**
 * Makes `deserializeError` rebuild errors named `name` as instances of `errorClass`.
 * Each package registers its own error classes when it is loaded.
 */
export function registerErrorClass(errorClass: ErrorClass, name: string = errorClass.name): void {
  registry.set(name, errorClass);
}

const maxCauseDepth = 4;

/** Options of `serializeError`: whether to keep stacks (off by default: formatting them is most of the cost). */
export interface SerializeErrorOptions {
  /**
   * Include stack traces (default true). Off, the stack is never read: formatting a stack is
   * most of the cost of serializing an error, and it names files of this process.
   */
  stacks?: boolean;
}

/** A plain object for `error` that survives JSON (name, message, code, data, cause; the stack only if asked): `deserializeError` rebuilds it. */
export function serializeError(error: unknown, options: SerializeErrorOptions = {}, depth = 0): SerializedError {
  if (!(error instanceof Error)) {
    return { name: 'Error', message: typeof error === 'string' ? error : safeString(error) };
  }
  const out: SerializedError = { name: error.name, message: error.message };
  const code = errorCode(error);
  if (code !== undefined) out.code = code;
  if (options.stacks !== false && error.stack !== undefined) out.stack = error.stack;
  // Any error's data, of any JSON type: a handler's own Error subclass with `this.data` keeps it too.
  const data = (error as { data?: unknown }).data;
  if (data !== undefined) out.data = data;
  if (error.cause !== undefined && depth < maxCauseDepth) out.cause = serializeError(error.cause, options, depth + 1);
  return out;
}

/**
 * Rebuilds an error sent by `serializeError`: an instance of the registered class of the same
 * name where there is one (so `instanceof` works across processes), otherwise a BatonError that
 * keeps the original name and code.
 */
export function deserializeError(serialized: SerializedError): Error {
  const errorClass = registry.get(serialized.name) ?? BatonError;
  const error = Object.create(errorClass.prototype) as Error & { code?: string; data?: unknown };
  Object.defineProperty(error, 'message', { value: serialized.message, writable: true, configurable: true });
  Object.defineProperty(error, 'name', { value: serialized.name, writable: true, configurable: true });
  if (serialized.stack !== undefined) {
    Object.defineProperty(error, 'stack', { value: serialized.stack, writable: true, configurable: true });
  }
  if (serialized.code !== undefined) Object.defineProperty(error, 'code', { value: serialized.code, enumerable: true });
  else if (error instanceof BatonError) Object.defineProperty(error, 'code', { value: 'EUNKNOWN', enumerable: true });
  if (error instanceof BatonError || serialized.data !== undefined) Object.defineProperty(error, 'data', { value: serialized.data, enumerable: true });
  if (serialized.cause !== undefined) {
    Object.defineProperty(error, 'cause', { value: deserializeError(serialized.cause), writable: true, configurable: true });
  }
  return error;
}

/** A value as an error message quotes it: its JSON (or its string when it has none), cut to `maxChars`. */
export function describeValue(value: unknown, maxChars = 60): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}...` : text;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Where errors go that have no caller to reject: a throwing event listener, a failing timer
 * callback. The default emits a process warning; it never throws into the event loop.
 */
export type UnexpectedErrorHandler = (error: unknown) => void;

const defaultUnexpectedErrorHandler: UnexpectedErrorHandler = (error) => {
  const err = error instanceof Error ? error : new Error(safeString(error));
  // In a browser (the portable entry) there is no process; reportError is the page's equivalent.
  if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') {
    process.emitWarning(err.stack ?? err.message, { type: 'BatonUnexpectedError' });
  } else {
    (globalThis as { reportError?: (error: unknown) => void }).reportError?.(err);
  }
};

let unexpectedErrorHandler = defaultUnexpectedErrorHandler;

/** Replaces the process-wide handler; returns the previous one (pass it back to restore). */
export function setUnexpectedErrorHandler(handler: UnexpectedErrorHandler | undefined): UnexpectedErrorHandler {
  const previous = unexpectedErrorHandler;
  unexpectedErrorHandler = handler ?? defaultUnexpectedErrorHandler;
  return previous;
}

/** Reports an error no caller can handle (a listener that threw) to the handler set by `setUnexpectedErrorHandler`. */
export function onUnexpectedError(error: unknown): void {
  try {
    unexpectedErrorHandler(error);
  } catch {
    // A broken handler must not turn one error into a crash.
  }
}
